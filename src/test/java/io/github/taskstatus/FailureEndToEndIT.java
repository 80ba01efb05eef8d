package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Faults against the local cloud: the real interpreter, the local DynamoDB, the reconciler fed by
 * the status change events. After every scenario each start the starter acknowledged has exactly
 * one item, its own, and it is DONE or FAILED: nothing stuck in STARTED, nothing lost.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FailureEndToEndIT {
  private LocalCloud cloud;
  private final List<LocalCloud.Invocation> acknowledged = new ArrayList<>();

  private LocalCloud start(Synth synth, String... options) {
    cloud = LocalCloud.start(synth, options);
    return cloud;
  }

  private static Synth shortWait() {
    return Synth.workflow(
        TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(1)).build());
  }

  /**
   * Props whose work reads a path the state input lacks: {@code States.Runtime}, which no Catch
   * sees.
   */
  private static TaskStatusWorkflowProps.Builder misconfigured(Stack stack) {
    return TaskStatusWorkflowProps.builder()
        .work(
            Pass.Builder.create(stack, "Misconfigured")
                .parameters(Map.of("oven", JsonPath.stringAt("$.no.such.path")))
                .build());
  }

  /** Starts a task through the starter, as a caller would, and remembers the start. */
  private LocalCloud.Invocation startTask(String taskId) {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"" + taskId + "\"}");
    assertThat(started.failed()).as("starter answer %s", started.output()).isFalse();
    acknowledged.add(started);
    return started;
  }

  /** The one item the start owns, once nothing runs any more. */
  private Map<String, AttributeValue> finalItem(LocalCloud.Invocation started) {
    cloud.awaitQuiet();
    List<Map<String, AttributeValue>> own = cloud.itemsOf(started.taskId(), started.executionArn());
    assertThat(own).as("items of %s", started.output()).hasSize(1);
    return own.get(0);
  }

  @AfterEach
  void everyAcknowledgedStartEndedInItsOwnFinalItem() {
    if (cloud == null) {
      return;
    }
    try {
      cloud.assertEveryStartEndedInItsOwnFinalItem(acknowledged);
      assertThat(cloud.allItems())
          .as("no item is left STARTED")
          .allSatisfy(i -> assertThat(i.get("Status").s()).isIn("DONE", "FAILED"));
    } finally {
      cloud.close();
    }
  }

  @Test
  void aTimedOutExecutionIsMarkedFailedWithStatesTimeout() {
    start(Synth.workflowWith(stack -> Synth.timingOut(stack, 3)));

    LocalCloud.Invocation started = startTask("Slow");

    assertThat(cloud.awaitExecution(started.executionArn()).status())
        .isEqualTo(ExecutionStatus.TIMED_OUT);
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
    assertThat(item.get("Cause").s())
        .isEqualTo("The execution ran past the state machine's timeout");
  }

  @Test
  void anAbortedExecutionIsMarkedFailedWithStatesAbortedAndTheStopCause() {
    start(
        Synth.workflow(
            TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(60)).build()));
    LocalCloud.Invocation started = startTask("Stopped");
    cloud.awaitItem("Stopped", started.timestamp(), LocalCloud.status("STARTED"));

    cloud.stepFunctions.stopExecution(
        b -> b.executionArn(started.executionArn()).cause("cancelled by the operator"));

    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Aborted");
    assertThat(item.get("Cause").s()).isEqualTo("cancelled by the operator");
  }

  @Test
  void aRuntimeErrorInTheWorkThatNoCatchSeesIsMarkedFailedWithIt() {
    start(Synth.workflowWith(stack -> misconfigured(stack)));

    LocalCloud.Invocation started = startTask("Broken");

    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("States.Runtime");
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Runtime");
    assertThat(item.get("Cause").s()).contains("$.no.such.path");
  }

  /**
   * A state's output over 256 KiB is {@code States.DataLimitExceeded} (Step Functions quotas), a
   * terminal error that the work's Catch on {@code States.ALL} does not see: the execution fails
   * with it, and the reconciler records it on the item.
   */
  @Test
  void workWhoseOutputPassesTheDataLimitFailsTheExecutionAndTheItemWithStatesDataLimitExceeded() {
    start(
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .work(
                        Pass.Builder.create(stack, "Grow")
                            .result(Result.fromString("x".repeat(270_000)))
                            .build())));

    LocalCloud.Invocation started = startTask("Oversized");

    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("States.DataLimitExceeded");
    assertThat(execution.cause())
        .contains(
            "The state/task 'Grow' returned a result with a size exceeding the maximum number of"
                + " bytes service limit");
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.DataLimitExceeded");
    assertThat(item.get("Cause").s()).contains("'Grow'");
  }

  @Test
  void withoutErrorAndCauseInTheEventTheReconcilerReadsThemFromTheExecution() {
    start(Synth.workflowWith(stack -> misconfigured(stack)), "--status-events", "minimal");

    LocalCloud.Invocation started = startTask("Unexplained");

    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Runtime");
    assertThat(item.get("Cause").s()).contains("$.no.such.path");
  }

  @Test
  void aStartWhoseStartedRecordFailedEveryRetryStillGetsAFailedItem() {
    start(
        shortWait(),
        "--fault",
        "RecordStarted=ThrottlingException:7",
        "--retry-ms",
        "RecordStarted=10");

    LocalCloud.Invocation started = startTask("NeverRecorded");

    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    // ThrottlingException has no exception of its own in the AWS SDK Step Functions calls.
    assertThat(execution.error()).isEqualTo("DynamoDB.AmazonDynamoDBException");
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("DynamoDB.AmazonDynamoDBException");
    assertThat(item.get("timestamp").n()).isEqualTo(started.timestamp());
  }

  @Test
  void throttlingAndServerErrorsAreRetriedUnderEveryNameStepFunctionsGivesThem() {
    // DynamoDB's codes as the service sends them; Step Functions names them after the SDK's
    // exceptions (InternalServerError is InternalServerErrorException) or
    // AmazonDynamoDBException when there is none (ThrottlingException, above).
    start(
        shortWait(),
        "--fault",
        "RecordStarted=ProvisionedThroughputExceededException:2",
        "--fault",
        "RecordDone=InternalServerError:1",
        "--retry-ms",
        "RecordStarted=10",
        "--retry-ms",
        "RecordDone=10");

    LocalCloud.Invocation started = startTask("Throttled");

    assertThat(cloud.awaitExecution(started.executionArn()).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(finalItem(started).get("Status").s()).isEqualTo("DONE");
    assertThat(cloud.execution(started.executionArn()).get("retries").toString())
        .isEqualTo("[\"RecordStarted\",\"RecordStarted\",\"RecordDone\"]");
  }

  @Test
  void aThrottledReconcilerWriteIsRetriedAndStillMarksTheItemFailed() {
    // DynamoDB's ThrottlingException, which the optimized integration names
    // DynamoDB.AmazonDynamoDBException: the reconciler's MarkFailed meets it three times.
    start(
        Synth.workflowWith(stack -> misconfigured(stack)),
        "--fault",
        "MarkFailed=ThrottlingException:3",
        "--retry-ms",
        "MarkFailed=10");

    LocalCloud.Invocation started = startTask("ThrottledReconciler");

    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Runtime");
    List<JsonNode> reconciled = new ArrayList<>();
    cloud
        .inspect("executions")
        .forEach(
            e -> {
              if (e.path("stateMachineArn").asText().equals(cloud.reconcilerArn())) {
                reconciled.add(e);
              }
            });
    assertThat(reconciled).hasSize(1);
    assertThat(reconciled.get(0).get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(reconciled.get(0).get("retries").toString())
        .isEqualTo("[\"MarkFailed\",\"MarkFailed\",\"MarkFailed\"]");
  }

  @Test
  void anErrorARetryCannotFixIsNotRetried() {
    start(shortWait(), "--fault", "RecordDone=ResourceNotFoundException:1");

    LocalCloud.Invocation started = startTask("Misnamed");

    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("DynamoDB.ResourceNotFoundException");
    assertThat(cloud.execution(started.executionArn()).get("retries")).isEmpty();
  }

  @Test
  void writesThatCommitAndThenAnswer500AreRetriedIntoTheirOwnItem() {
    start(
        shortWait(),
        "--fault",
        "RecordStarted=InternalServerError:1:after",
        "--fault",
        "RecordDone=InternalServerError:1:after",
        "--retry-ms",
        "RecordStarted=10",
        "--retry-ms",
        "RecordDone=10");

    LocalCloud.Invocation started = startTask("Committed");

    assertThat(cloud.awaitExecution(started.executionArn()).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(finalItem(started).get("Status").s()).isEqualTo("DONE");
  }

  @Test
  void aCaughtErrorWithoutCauseIsRecordedWithADefaultCause() {
    start(
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .work(Fail.Builder.create(stack, "Burn").error("OvenOnFire").build())));

    LocalCloud.Invocation started = startTask("Toast");

    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("OvenOnFire");
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(item.get("Cause").s()).isEqualTo("The error gave no cause");
  }

  @Test
  void workThatFailsMarksTheTaskFailedWithItsErrorAndCause() {
    start(
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().work(Synth.failingWork(stack))));

    LocalCloud.Invocation started = startTask("Burnt");

    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(item.get("Cause").s()).isEqualTo("the toast burned");
  }

  @Test
  void severalSameSecondStartsOfOneTaskEachGetTheirOwnItem() {
    start(shortWait());

    List<LocalCloud.Invocation> starts =
        java.util.stream.IntStream.range(0, 4)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> startTask("Breakfast")))
            .toList()
            .stream()
            .map(CompletableFuture::join)
            .toList();

    cloud.awaitQuiet();
    assertThat(starts).extracting(LocalCloud.Invocation::timestamp).doesNotHaveDuplicates();
    assertThat(cloud.items("Breakfast"))
        .hasSize(4)
        .allSatisfy(i -> assertThat(i.get("Status").s()).isEqualTo("DONE"));
  }

  @Test
  void aStartWhoseTimestampAnotherStartHoldsMovesToTheNextSecond() {
    start(shortWait());
    LocalCloud.Invocation first = startTask("Lunch");
    cloud.awaitItem("Lunch", first.timestamp(), LocalCloud.status("STARTED", "DONE"));

    // Another environment chose the very same timestamp (the rare collision the starter's
    // random digits leave): the execution must not overwrite the first start's item.
    String arn =
        cloud
            .stepFunctions
            .startExecution(
                b ->
                    b.stateMachineArn(cloud.stateMachineArn())
                        .name("collision")
                        .input(starterInput("Lunch", first.timestamp())))
            .executionArn();

    assertThat(cloud.awaitExecution(arn).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    cloud.awaitQuiet();
    List<Map<String, AttributeValue>> moved = cloud.itemsOf("Lunch", arn);
    assertThat(moved)
        .singleElement()
        .satisfies(
            item -> {
              assertThat(item.get("Status").s()).isEqualTo("DONE");
              assertThat(item.get("RequestedTimestamp").n()).isEqualTo(first.timestamp());
              assertThat(new BigDecimal(item.get("timestamp").n()))
                  .isEqualByComparingTo(
                      new BigDecimal(first.timestamp())
                          .setScale(0, java.math.RoundingMode.FLOOR)
                          .add(BigDecimal.ONE));
            });
    assertThat(cloud.item("Lunch", first.timestamp()).get("ExecutionArn").s())
        .isEqualTo(first.executionArn());
  }

  /** The input the starter writes for a start of {@code taskId} at {@code timestamp}. */
  static String starterInput(String taskId, String timestamp) {
    long second = new BigDecimal(timestamp).setScale(0, java.math.RoundingMode.FLOOR).longValue();
    String moves =
        java.util.stream.LongStream.rangeClosed(second + 1, second + 10)
            .mapToObj(Long::toString)
            .collect(java.util.stream.Collectors.joining(","));
    // As the starter writes it: the deadline is the timeout (330 s) and the sweeper's grace later.
    String deadline =
        java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC)
            .format(java.time.Instant.ofEpochSecond(second + 330 + 300));
    return "{\"taskId\":\""
        + taskId
        + "\",\"timestamp\":"
        + timestamp
        + ",\"moves\":["
        + moves
        + "],\"deadline\":\""
        + deadline
        + "\"}";
  }

  @Test
  void aSecondRunOfAnExpressExecutionLeavesItsFinishedItemAsItIs() {
    // Express runs at least once: the local cloud runs the first execution twice.
    start(
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .stateMachineType(
                        software.amazon.awscdk.services.stepfunctions.StateMachineType.EXPRESS)
                    .retention(Duration.days(1))
                    .work(Synth.failingWork(stack))),
        "--express-reruns",
        "1");

    LocalCloud.Invocation started = startTask("Twice");
    Map<String, AttributeValue> first =
        cloud.awaitItem("Twice", started.timestamp(), LocalCloud.status("FAILED"));
    JsonNode execution =
        LocalCloud.poll(
            () -> cloud.execution(started.executionArn()),
            e -> e.get("runs").asInt() == 2 && !e.get("status").asText().equals("RUNNING"),
            "the second run");

    assertThat(execution.get("transitions").toString())
        .as(
            "the second run found its item finished, was refused a reopening (it is no later"
                + " attempt) and stopped")
        .endsWith(
            "\"RecordStarted\",\"ReadTakenItem\",\"WhoseItemIsIt\",\"ReopenForRedrive\","
                + "\"AlreadyFinished\"]");
    Map<String, AttributeValue> after = cloud.item("Twice", started.timestamp());
    assertThat(after).isEqualTo(first);
    assertThat(after.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(after).containsKeys("Cause", "ExpiresAt");
  }

  /** A start of a 3-second wait, once its item is STARTED. */
  private LocalCloud.Invocation startedSlowly(String taskId) {
    start(
        Synth.workflow(
            TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(3)).build()));
    LocalCloud.Invocation started = startTask(taskId);
    cloud.awaitItem(taskId, started.timestamp(), LocalCloud.status("STARTED"));
    return started;
  }

  private static Map<String, AttributeValue> key(LocalCloud.Invocation started) {
    return Map.of(
        "taskId",
        AttributeValue.fromS(started.taskId()),
        "timestamp",
        AttributeValue.fromN(started.timestamp()));
  }

  @Test
  void aMissingItemIsAConflictThatTheReconcilerDoesNotRecreate() {
    LocalCloud.Invocation started = startedSlowly("Vanished");

    cloud.dynamodb.deleteItem(b -> b.tableName(cloud.tableName()).key(key(started)));

    assertThat(cloud.awaitExecution(started.executionArn()).error())
        .isEqualTo("TaskStatusConflict");
    cloud.awaitQuiet();
    assertThat(cloud.items("Vanished")).as("left as the task state machine left it").isEmpty();
    assertThat(cloud.inspect("executions").toString()).contains("ConflictLeftAsItIs");
    acknowledged.remove(started);
  }

  @Test
  void aTaskFinishedElsewhereKeepsItsStatusAndTheReconcilerLeavesItAlone() {
    LocalCloud.Invocation started = startedSlowly("Raced");

    cloud.dynamodb.updateItem(
        b ->
            b.tableName(cloud.tableName())
                .key(key(started))
                .updateExpression("SET #s = :failed, #e = :e")
                .expressionAttributeNames(Map.of("#s", "Status", "#e", "Error"))
                .expressionAttributeValues(
                    Map.of(
                        ":failed",
                        AttributeValue.fromS("FAILED"),
                        ":e",
                        AttributeValue.fromS("CancelledByOperator"))));

    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.error()).isEqualTo("TaskStatusConflict");
    Map<String, AttributeValue> item = finalItem(started);
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("CancelledByOperator");
  }

  @Test
  void theRuleRetriesItsTargetAndAnEventItCannotDeliverGoesToTheDeadLetterQueue() {
    start(
        Synth.workflowWith(stack -> Synth.timingOut(stack, 2)),
        "--fail-target",
        "TasksReconcileRule=2",
        "--event-retry-ms",
        "10");
    LocalCloud.Invocation retried = startTask("Retried");
    cloud.awaitExecution(retried.executionArn());
    assertThat(finalItem(retried).get("Error").s()).isEqualTo("States.Timeout");
    assertThat(cloud.inspect("deliveries").get(0).get("attempts").asInt()).isEqualTo(3);
  }

  @Test
  void anEventTheRuleCannotDeliverIsKeptInTheDeadLetterQueueForAReplay() {
    start(
        Synth.workflowWith(stack -> Synth.timingOut(stack, 2)),
        "--fail-target",
        "TasksReconcileRule=1000",
        "--event-retry-ms",
        "1");
    LocalCloud.Invocation lost = startTask("Undelivered");
    cloud.awaitExecution(lost.executionArn());
    String deadLetters = cloud.queueUrl("TasksReconcilerDeadLetterQueue");
    var message =
        LocalCloud.poll(
                () ->
                    cloud
                        .sqs
                        .receiveMessage(b -> b.queueUrl(deadLetters).messageAttributeNames("All"))
                        .messages(),
                m -> !m.isEmpty(),
                "a dead letter")
            .get(0);
    assertThat(message.messageAttributes().get("ERROR_CODE").stringValue())
        .isEqualTo("ServiceUnavailable");

    // The README's replay: start the reconciler with the message body.
    cloud.stepFunctions.startExecution(
        b -> b.stateMachineArn(cloud.reconcilerArn()).input(message.body()));

    assertThat(finalItem(lost).get("Error").s()).isEqualTo("States.Timeout");
  }
}
