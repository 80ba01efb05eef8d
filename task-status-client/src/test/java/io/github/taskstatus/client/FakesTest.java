package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The fakes follow the services' documented contracts where the client relies on them: DynamoDB
 * evaluates conditions (numbers by value, missing attributes, precedence) and refuses what it
 * refuses; SQS hides, counts, deletes and dead-letters messages; Step Functions ends tasks.
 */
class FakesTest {
  private FakeAws aws;
  private DynamoDbClient dynamoDb;
  private SqsClient sqs;
  private SfnClient sfn;

  @BeforeEach
  void start() throws IOException {
    aws = new FakeAws();
    dynamoDb = aws.dynamoDbClient();
    sqs = aws.sqsClient();
    sfn = aws.sfnClient();
    aws.dynamoDb()
        .put(
            Items.n(
                Items.item("Breakfast", "1795617300.5", "STARTED", "2026-11-25T14:35:00Z", "x"),
                "Progress",
                "9"));
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private static Map<String, AttributeValue> key() {
    return Map.of(
        "taskId",
        AttributeValue.fromS("Breakfast"),
        "timestamp",
        AttributeValue.fromN("1795617300.50"));
  }

  private void update(String update, String condition, Map<String, AttributeValue> values) {
    Map<String, String> names = new HashMap<>();
    if ((update + condition).contains("#Status")) {
      names.put("#Status", "Status");
    }
    dynamoDb.updateItem(
        request ->
            request
                .tableName(FakeAws.TABLE)
                .key(key())
                .updateExpression(update)
                .conditionExpression(condition)
                .expressionAttributeNames(names.isEmpty() ? null : names)
                .expressionAttributeValues(values));
  }

  private String stored(String attribute) {
    return aws.dynamoDb().item("Breakfast", "1795617300.5").orElseThrow().get(attribute).toString();
  }

  @ParameterizedTest
  @CsvSource({
    "Progress < :p, 10, true",
    "Progress < :p, 9, false",
    "Progress < :p, 8.5, false",
    "Progress <= :p, 9.0, true",
    "Progress > :p, 10, false",
    "attribute_not_exists(Progress) OR Progress < :p, 10, true",
    "attribute_exists(Progress) AND Progress < :p, 10, true",
    "NOT attribute_exists(Progress) OR Progress < :p, 9, false",
    "attribute_not_exists(Missing) AND (Progress = :p), 9, true",
    "Missing < :p, 100, false"
  })
  void conditionsCompareNumbersByValueAndMissingAttributesAsFalse(
      String condition, String p, boolean holds) {
    Runnable call = () -> update("SET Seen = :p", condition, Map.of(":p", AttributeValue.fromN(p)));
    if (holds) {
      call.run();
      assertThat(stored("Seen"))
          .isEqualTo("{\"N\":\"" + new BigDecimal(p).stripTrailingZeros().toPlainString() + "\"}");
    } else {
      assertThatThrownBy(call::run)
          .isInstanceOf(ConditionalCheckFailedException.class)
          .hasMessageStartingWith("The conditional request failed");
    }
  }

  @Test
  void andBindsTighterThanOr() {
    // true OR (false AND false) holds; read left to right, (true OR false) AND false would not.
    update(
        "SET Seen = :s",
        "#Status = :started OR Progress = :none AND Progress = :none",
        Map.of(
            ":s", AttributeValue.fromS("yes"),
            ":started", AttributeValue.fromS("STARTED"),
            ":none", AttributeValue.fromN("0")));

    assertThat(stored("Seen")).isEqualTo("{\"S\":\"yes\"}");
  }

  @Test
  void aComparisonOfDifferentTypesIsFalse() {
    assertThatThrownBy(
            () -> update("SET Seen = :p", "Progress = :p", Map.of(":p", AttributeValue.fromS("9"))))
        .isInstanceOf(ConditionalCheckFailedException.class);
  }

  @Test
  void anUpdateSetsAndRemovesAndCreatesNoItemWhenTheConditionFails() {
    update(
        "SET Progress = :p, ProgressAt = :at REMOVE Progress2",
        "attribute_exists(taskId)",
        Map.of(":p", AttributeValue.fromN("20"), ":at", AttributeValue.fromS("now")));
    update(
        "SET Note = :n REMOVE ProgressAt",
        "attribute_exists(taskId)",
        Map.of(":n", AttributeValue.fromS("n")));

    assertThat(stored("Progress")).isEqualTo("{\"N\":\"20\"}");
    assertThat(aws.dynamoDb().item("Breakfast", "1795617300.5").orElseThrow().has("ProgressAt"))
        .isFalse();
    assertThatThrownBy(
            () ->
                dynamoDb.updateItem(
                    request ->
                        request
                            .tableName(FakeAws.TABLE)
                            .key(
                                Map.of(
                                    "taskId",
                                    AttributeValue.fromS("Lunch"),
                                    "timestamp",
                                    AttributeValue.fromN("1")))
                            .updateExpression("SET Progress = :p")
                            .conditionExpression("ExecutionArn = :arn")
                            .expressionAttributeValues(
                                Map.of(
                                    ":p",
                                    AttributeValue.fromN("1"),
                                    ":arn",
                                    AttributeValue.fromS("x")))))
        .isInstanceOf(ConditionalCheckFailedException.class);
    assertThat(aws.dynamoDb().item("Lunch", "1")).isEmpty();
  }

  @Test
  void whatDynamoDbRefusesIsRefused() {
    Map<String, AttributeValue> p = Map.of(":p", AttributeValue.fromN("1"));
    assertThatThrownBy(() -> update("SET Progress = :p", "Status = :p", p))
        .isInstanceOf(DynamoDbException.class)
        .hasMessageContaining("reserved keyword; reserved keyword: Status");
    assertThatThrownBy(() -> update("SET timestamp = :p", "attribute_exists(taskId)", p))
        .hasMessageContaining("reserved keyword");
    assertThatThrownBy(() -> update("SET #t = :p", "attribute_exists(taskId)", p))
        .hasMessageContaining("attribute name: #t");
    assertThatThrownBy(
            () ->
                update(
                    "SET Progress = :p",
                    "attribute_exists(taskId)",
                    Map.of(":p", AttributeValue.fromN("1"), ":q", AttributeValue.fromN("2"))))
        .hasMessageContaining("unused in expressions: keys: [:q]");
    assertThatThrownBy(
            () -> update("SET Progress = :p, Progress = :p", "attribute_exists(taskId)", p))
        .hasMessageContaining("Two document paths overlap");
    assertThatThrownBy(() -> update("SET Progress = :p", "Progress <> :p", p))
        .hasMessageContaining("this fake does not serve");
  }

  @Test
  void sqsHidesAReceivedMessageCountsReceivesAndDeadLettersIt() {
    aws.sqs().queue(FakeAws.WORKER_QUEUE_URL, Duration.ofSeconds(30), 2);
    aws.sqs().send(FakeAws.WORKER_QUEUE_URL, "{}");

    Message first = receive();
    assertThat(sqs.receiveMessage(r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL)).messages()).isEmpty();
    aws.sqs().advance(Duration.ofSeconds(30));
    Message second = receive();
    aws.sqs().advance(Duration.ofSeconds(30));

    assertThat(first.receiptHandle()).isNotEqualTo(second.receiptHandle());
    assertThat(second.attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
    assertThat(sqs.receiveMessage(r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL)).messages()).isEmpty();
    assertThat(aws.sqs().deadLetters(FakeAws.WORKER_QUEUE_URL)).containsExactly("{}");
  }

  @Test
  void sqsDeletesOnlyWithTheLatestHandleAndChangesVisibilityOnlyInFlight() {
    aws.sqs().send(FakeAws.WORKER_QUEUE_URL, "{}");
    Message first = receive();
    aws.sqs().advance(Duration.ofSeconds(31));

    assertThatThrownBy(() -> changeVisibility(first.receiptHandle(), 60))
        .isInstanceOf(SqsException.class)
        .hasMessageContaining("Message does not exist or is not available");
    Message second = receive();
    sqs.deleteMessage(
        r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL).receiptHandle(first.receiptHandle()));
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).hasSize(1);
    assertThatThrownBy(() -> changeVisibility(second.receiptHandle(), 43201))
        .hasMessageContaining("Total VisibilityTimeout");
    changeVisibility(second.receiptHandle(), 60);
    sqs.deleteMessage(
        r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL).receiptHandle(second.receiptHandle()));
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
    assertThatThrownBy(
            () ->
                sqs.deleteMessage(r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL).receiptHandle("nope")))
        .isInstanceOf(ReceiptHandleIsInvalidException.class);
  }

  private Message receive() {
    return sqs.receiveMessage(
            r ->
                r.queueUrl(FakeAws.WORKER_QUEUE_URL)
                    .messageSystemAttributeNamesWithStrings("ApproximateReceiveCount"))
        .messages()
        .get(0);
  }

  private void changeVisibility(String handle, int seconds) {
    sqs.changeMessageVisibility(
        r -> r.queueUrl(FakeAws.WORKER_QUEUE_URL).receiptHandle(handle).visibilityTimeout(seconds));
  }

  @Test
  void stepFunctionsEndsATaskWhenAnsweredOrWhenItsExecutionStops() {
    String arn = Items.ARN_PREFIX + "x";
    aws.stepFunctions().execution(arn, "RUNNING", null).task("AAAA", arn).task("BBBB", arn);

    sfn.sendTaskHeartbeat(r -> r.taskToken("AAAA"));
    sfn.sendTaskSuccess(r -> r.taskToken("AAAA").output("{}"));
    assertThatThrownBy(() -> sfn.sendTaskHeartbeat(r -> r.taskToken("AAAA")))
        .isInstanceOf(TaskTimedOutException.class);
    sfn.stopExecution(r -> r.executionArn(arn).error("E").cause("C"));
    assertThatThrownBy(() -> sfn.sendTaskFailure(r -> r.taskToken("BBBB").error("E")))
        .isInstanceOf(TaskTimedOutException.class);
    assertThatThrownBy(() -> sfn.sendTaskHeartbeat(r -> r.taskToken("CCCC")))
        .isInstanceOf(TaskDoesNotExistException.class);
    assertThatThrownBy(() -> sfn.sendTaskHeartbeat(r -> r.taskToken("not a token")))
        .isInstanceOf(InvalidTokenException.class);
    assertThat(aws.stepFunctions().heartbeats("AAAA")).isEqualTo(1);
    assertThat(aws.stepFunctions().status(arn)).isEqualTo("ABORTED");
    // Stopping a stopped execution changes nothing and succeeds.
    sfn.stopExecution(r -> r.executionArn(arn).error("Other"));
    assertThat(aws.stepFunctions().stops())
        .containsExactly(new FakeStepFunctions.Stop(arn, "E", "C"));
  }
}
