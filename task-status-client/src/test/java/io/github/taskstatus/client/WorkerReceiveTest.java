package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code receive}: each message of the worker queue read strictly into a {@link TaskWork}; one that
 * is not a task is skipped, left on the queue for its dead-letter queue, and logged.
 */
class WorkerReceiveTest extends WorkerTest {
  private static final String ARN = arn("Breakfast-3c33");

  @Test
  void aMessageIsReadIntoItsWorkExactly() {
    String token = offer("Breakfast-3c33", "1795617300.12340", 2, 45);

    List<TaskWork> received = worker.receive(10, Duration.ofSeconds(20));

    assertThat(received)
        .singleElement()
        .satisfies(
            work -> {
              assertThat(work.taskId()).isEqualTo("Breakfast");
              assertThat(work.timestamp()).isEqualByComparingTo("1795617300.1234");
              assertThat(work.executionArn()).isEqualTo(ARN);
              assertThat(work.attempt()).isEqualTo(2);
              assertThat(work.heartbeat()).isEqualTo(Duration.ofSeconds(45));
              assertThat(work.taskToken()).isEqualTo(token);
              assertThat(work.messageId())
                  .isEqualTo(aws.sqs().messageIds(FakeAws.WORKER_QUEUE_URL).get(0));
              assertThat(work.receiptHandle()).isNotBlank();
            });
    JsonNode request = aws.requests("ReceiveMessage").get(0).json();
    assertThat(request.get("QueueUrl").asText()).isEqualTo(FakeAws.WORKER_QUEUE_URL);
    assertThat(request.get("MaxNumberOfMessages").asInt()).isEqualTo(10);
    assertThat(request.get("WaitTimeSeconds").asInt()).isEqualTo(20);
    assertThat(request.get("MessageSystemAttributeNames").toString())
        .isEqualTo("[\"ApproximateReceiveCount\"]");
    assertThat(request.has("VisibilityTimeout")).isFalse();
    assertThat(logged).isEmpty();
  }

  @Test
  void aTimestampKeepsEveryDecimalAndLargeAttemptsAndHeartbeatsAreRead() {
    aws.sqs()
        .send(
            FakeAws.WORKER_QUEUE_URL,
            body("Breakfast", "1795617300.00001", "x", Integer.MAX_VALUE, 43200, token()));

    TaskWork work = worker.receive(1, Duration.ZERO).get(0);

    assertThat(work.timestamp().toPlainString()).isEqualTo("1795617300.00001");
    assertThat(work.attempt()).isEqualTo(Integer.MAX_VALUE);
    assertThat(work.heartbeat()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void fieldsOfANewerWorkflowAreIgnored() {
    String body = body("Breakfast", TIMESTAMP, "x", 0, 60, token());
    aws.sqs().send(FakeAws.WORKER_QUEUE_URL, body.replace("}", ",\"priority\":\"high\"}"));

    assertThat(worker.receive(1, Duration.ZERO)).hasSize(1);
    assertThat(logged).isEmpty();
  }

  @Test
  void atMostMaxTasksAreReceivedAndEachOnlyOnceWhileHidden() {
    for (int i = 0; i < 3; i++) {
      offer("Breakfast-" + i, TIMESTAMP, 0, 60);
    }

    assertThat(worker.receive(2, Duration.ZERO)).hasSize(2);
    assertThat(worker.receive(2, Duration.ZERO))
        .singleElement()
        .satisfies(work -> assertThat(work.executionArn()).isEqualTo(arn("Breakfast-2")));
    assertThat(worker.receive(2, Duration.ZERO)).isEmpty();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json | it is not JSON (line 1, column 1)",
        "{\"taskId\":\"Breakfast\" | it ends before the JSON is complete (line 1, column 22)",
        "[1, 2] | it is not a JSON object",
        "{\"taskId\":\"a\"} {} | there is more after the JSON value (line 1, column 16)",
        "TASK without taskId | it has no taskId",
        "TASK with taskId 7 | taskId is not a string",
        "TASK with taskId blank | taskId is blank",
        "TASK with taskId control | taskId is no task id: taskId has the control character U+0007"
            + " at index 1; it must be printable text",
        "TASK with timestamp string | timestamp is not a number of Unix seconds (0 or more, at"
            + " most 5 decimals)",
        "TASK with timestamp 6 decimals | timestamp is not a number of Unix seconds (0 or more, at"
            + " most 5 decimals)",
        "TASK with timestamp negative | timestamp is not a number of Unix seconds (0 or more, at"
            + " most 5 decimals)",
        "TASK without executionArn | it has no executionArn",
        "TASK with attempt -1 | attempt is not a whole number from 0 to 2147483647",
        "TASK with attempt 1.5 | attempt is not a whole number from 0 to 2147483647",
        "TASK with attempt huge | attempt is not a whole number from 0 to 2147483647",
        "TASK with heartbeatSeconds 0 | heartbeatSeconds is not a whole number from 1 to 43200",
        "TASK with heartbeatSeconds 43201 | heartbeatSeconds is not a whole number from 1 to 43200",
        "TASK with heartbeatSeconds string | heartbeatSeconds is not a whole number from 1 to"
            + " 43200",
        "TASK with taskToken null | it has no taskToken",
        "TASK with taskToken 1025 | taskToken is 1025 characters; Step Functions' tokens have at"
            + " most 1024",
        "TASK twice | an object has a field twice (line 1, column 23)"
      })
  void aBodyThatIsNoTaskIsSkippedLeftOnTheQueueAndLoggedWithoutItsContent(
      String body, String problem) {
    String sent = variant(body);
    final String messageId = aws.sqs().send(FakeAws.WORKER_QUEUE_URL, sent);
    offer("Breakfast-good", TIMESTAMP, 0, 60);

    List<TaskWork> received = worker.receive(10, Duration.ZERO);

    assertThat(received)
        .singleElement()
        .satisfies(work -> assertThat(work.executionArn()).isEqualTo(arn("Breakfast-good")));
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).contains(sent);
    assertThat(aws.requests("DeleteMessage")).isEmpty();
    assertThat(logged)
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.getLevel()).isEqualTo(Level.WARNING);
              JsonNode line = FakeAws.JSON.readTree(record.getMessage());
              assertThat(line.get("message").asText())
                  .isEqualTo("skipped a worker queue message that is not a task of the workflow");
              assertThat(line.get("queueUrl").asText()).isEqualTo(FakeAws.WORKER_QUEUE_URL);
              assertThat(line.get("messageId").asText()).isEqualTo(messageId);
              assertThat(line.get("receiveCount").asText()).isEqualTo("1");
              assertThat(line.get("problem").asText()).isEqualTo(problem);
              assertThat(record.getMessage()).doesNotContain("AQCEAAAA").doesNotContain("SECRET");
            });
  }

  /** The body a test row names: as given, or a valid task with one field changed. */
  private static String variant(String row) {
    if (!row.startsWith("TASK")) {
      return row;
    }
    String valid = body("Breakfast", TIMESTAMP, "x", 0, 60, "SECRET" + token());
    String token = "SECRET" + token();
    return switch (row) {
      case "TASK without taskId" -> valid.replace("\"taskId\":\"Breakfast\",", "");
      case "TASK with taskId 7" -> valid.replace("\"Breakfast\"", "7");
      case "TASK with taskId blank" -> valid.replace("\"Breakfast\"", "\" \"");
      case "TASK with taskId control" -> valid.replace("\"Breakfast\"", "\"B\\u0007\"");
      case "TASK with timestamp string" -> valid.replace(TIMESTAMP, "\"" + TIMESTAMP + "\"");
      case "TASK with timestamp 6 decimals" -> valid.replace(TIMESTAMP, "1795617300.123451");
      case "TASK with timestamp negative" -> valid.replace(TIMESTAMP, "-1");
      case "TASK without executionArn" ->
          valid.replace("\"executionArn\":\"" + arn("x") + "\",", "");
      case "TASK with attempt -1" -> valid.replace("\"attempt\":0", "\"attempt\":-1");
      case "TASK with attempt 1.5" -> valid.replace("\"attempt\":0", "\"attempt\":1.5");
      case "TASK with attempt huge" -> valid.replace("\"attempt\":0", "\"attempt\":2147483648");
      case "TASK with heartbeatSeconds 0" ->
          valid.replace("\"heartbeatSeconds\":60", "\"heartbeatSeconds\":0");
      case "TASK with heartbeatSeconds 43201" ->
          valid.replace("\"heartbeatSeconds\":60", "\"heartbeatSeconds\":43201");
      case "TASK with heartbeatSeconds string" ->
          valid.replace("\"heartbeatSeconds\":60", "\"heartbeatSeconds\":\"60\"");
      case "TASK with taskToken null" ->
          valid.substring(0, valid.indexOf("\"taskToken\"")) + "\"taskToken\":null}";
      case "TASK with taskToken 1025" ->
          valid.substring(0, valid.indexOf("\"taskToken\""))
              + "\"taskToken\":\"SECRET"
              + "A".repeat(1019)
              + "\"}";
      case "TASK twice" -> "{\"taskId\":\"a\",\"taskId\":\"" + token + "\"}";
      default -> throw new IllegalArgumentException(row);
    };
  }

  @Test
  void aSkippedMessageGoesToTheDeadLetterQueueAfterMaxReceiveCount() {
    aws.sqs().send(FakeAws.WORKER_QUEUE_URL, "not a task");

    for (int receive = 1; receive <= 4; receive++) {
      assertThat(worker.receive(1, Duration.ZERO)).isEmpty();
      aws.sqs().advance(Duration.ofSeconds(60));
    }

    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
    assertThat(aws.sqs().deadLetters(FakeAws.WORKER_QUEUE_URL)).containsExactly("not a task");
    assertThat(logged)
        .extracting(
            record -> FakeAws.JSON.readTree(record.getMessage()).get("receiveCount").asText())
        .containsExactly("1", "2", "3");
  }

  @Test
  void theWorksStringLeavesOutTheTokenAndTheReceiptHandle() {
    String token = offer("Breakfast-3c33", TIMESTAMP, 0, 60);
    TaskWork work = worker.receive(1, Duration.ZERO).get(0);

    assertThat(work.toString())
        .doesNotContain(token)
        .doesNotContain(work.receiptHandle())
        .isEqualTo(
            "TaskWork[taskId=Breakfast, timestamp=1795617300.12345, executionArn="
                + ARN
                + ", attempt=0, heartbeat=PT1M, taskToken=("
                + token.length()
                + " characters), receiptHandle=("
                + work.receiptHandle().length()
                + " characters), messageId="
                + work.messageId()
                + "]");
  }

  @Test
  void maxTasksAndWaitAreCheckedBeforeAnyCall() {
    assertThatThrownBy(() -> worker.receive(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTasks must be from 1 to 10, got 0");
    assertThatThrownBy(() -> worker.receive(11, Duration.ZERO))
        .hasMessage("maxTasks must be from 1 to 10, got 11");
    assertThatThrownBy(() -> worker.receive(1, Duration.ofSeconds(21)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wait must be whole seconds from 0 to 20 (SQS's long polling), got PT21S");
    assertThatThrownBy(() -> worker.receive(1, Duration.ofMillis(500)))
        .hasMessage("wait must be whole seconds from 0 to 20 (SQS's long polling), got PT0.5S");
    assertThatThrownBy(() -> worker.receive(1, Duration.ofSeconds(-1)))
        .hasMessage("wait must be whole seconds from 0 to 20 (SQS's long polling), got PT-1S");
    assertThat(aws.requests()).isEmpty();
  }

  @Test
  void aWorkIsCheckedWhenMadeByHand() {
    assertThatThrownBy(
            () ->
                new TaskWork(
                    "Breakfast", BigDecimal.ONE, ARN, -1, Duration.ofSeconds(1), "t", "r", "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must not be negative, got -1");
    assertThatThrownBy(
            () ->
                new TaskWork(
                    "Breakfast", BigDecimal.ONE, ARN, 0, Duration.ofMillis(1500), "t", "r", "m"))
        .hasMessage("heartbeat must be whole seconds from 1 second to 12 hours, got PT1.5S");
    assertThatThrownBy(
            () ->
                new TaskWork(
                    "Breakfast", BigDecimal.ONE, ARN, 0, Duration.ofSeconds(1), "", "r", "m"))
        .hasMessage("taskToken must not be empty");
    assertThatThrownBy(
            () -> new TaskWork("Breakfast", null, ARN, 0, Duration.ofSeconds(1), "t", "r", "m"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timestamp");
  }
}
