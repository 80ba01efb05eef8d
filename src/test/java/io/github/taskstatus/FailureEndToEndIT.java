package io.github.taskstatus;

import static io.github.taskstatus.LocalWorkflow.status;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awscdk.services.stepfunctions.Fail;

/**
 * Fault injection against the real interpreter and the local DynamoDB: every task ends in a known
 * state, and after each scenario no started task is left behind.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FailureEndToEndIT {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final software.amazon.awscdk.Duration SHORT_WAIT =
      software.amazon.awscdk.Duration.seconds(1);

  private LocalWorkflow local;

  private LocalWorkflow start(Synth synth, String... options) {
    local = LocalWorkflow.start(synth, options);
    return local;
  }

  private static Synth shortWait() {
    return Synth.workflow(TaskStatusWorkflowProps.builder().waitDuration(SHORT_WAIT).build());
  }

  @AfterEach
  void nothingWasLostAndEverythingStops() {
    if (local == null) {
      return;
    }
    try {
      assertThat(local.allItems()).as("every item ends DONE or FAILED")
          .allSatisfy(item -> assertThat(item.get("Status").s()).isIn("DONE", "FAILED"));
    } finally {
      local.close();
    }
  }

  @Test
  void aThrottledWriteIsRetriedAndTheTaskEndsDone() {
    start(shortWait(), "--fault", "RecordStarted=DynamoDB.ThrottlingException:1",
        "--fault", "RecordDone=DynamoDB.ProvisionedThroughputExceededException:2");

    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"Throttled\"}");

    assertThat(local.awaitExecution(started.executionArn(), PATIENCE).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(local.item("Throttled", started.timestamp()).get("Status").s()).isEqualTo("DONE");
  }

  @Test
  void throttlingBeyondTheRetriesFailsTheExecutionBeforeAnythingIsWritten() {
    start(shortWait(), "--fault", "RecordStarted=DynamoDB.ThrottlingException:7",
        "--retry-ms", "RecordStarted=10");

    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"AlwaysThrottled\"}");
    DescribeExecutionResponse execution = local.awaitExecution(started.executionArn(), PATIENCE);

    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("DynamoDB.ThrottlingException");
    assertThat(local.allItems()).isEmpty();
  }

  @Test
  void workThatFailsMarksTheTaskFailedWithItsErrorAndCause() {
    start(Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder().work(Fail.Builder.create(stack, "Burn")
            .error("OvenOnFire").cause("the toast burned").build()).build())));

    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"Toast\"}");
    DescribeExecutionResponse execution = local.awaitExecution(started.executionArn(), PATIENCE);

    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("OvenOnFire");
    assertThat(execution.cause()).isEqualTo("the toast burned");
    Map<String, AttributeValue> item = local.item("Toast", started.timestamp());
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(item.get("Cause").s()).isEqualTo("the toast burned");
    assertThat(Instant.parse(item.get("UpdatedAt").s())).isBeforeOrEqualTo(Instant.now());
  }

  @Test
  void aFailedDoneUpdateMarksTheTaskFailed() {
    start(shortWait(), "--fault", "RecordDone=DynamoDB.ValidationException:1");

    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"BadUpdate\"}");
    DescribeExecutionResponse execution = local.awaitExecution(started.executionArn(), PATIENCE);

    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("DynamoDB.ValidationException");
    Map<String, AttributeValue> item = local.item("BadUpdate", started.timestamp());
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("DynamoDB.ValidationException");
  }

  @Test
  void aDuplicateStartRunsOneExecutionAndWritesOneItem() throws InterruptedException {
    start(shortWait());

    LocalWorkflow.Invocation first = local.invoke("{\"taskId\":\"Once\"}", "request-1");
    while (Instant.now().getEpochSecond() <= first.timestamp()) {
      Thread.sleep(50);
    }
    LocalWorkflow.Invocation retry = local.invoke("{\"taskId\":\"Once\"}", "request-1");

    assertThat(retry.output().get("duplicate").asBoolean()).isTrue();
    assertThat(retry.executionArn()).isEqualTo(first.executionArn());
    local.awaitExecution(first.executionArn(), PATIENCE);
    assertThat(local.items("Once")).hasSize(1);
    assertThat(local.items("Once").get(0).get("Status").s()).isEqualTo("DONE");
  }

  @Test
  void aTaskFinishedElsewhereIsAStatusConflictAndKeepsItsStatus() {
    start(Synth.workflow(TaskStatusWorkflowProps.builder()
        .waitDuration(software.amazon.awscdk.Duration.seconds(3)).build()));
    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"Raced\"}");
    local.awaitItem("Raced", started.timestamp(), status("STARTED"), PATIENCE);

    // Someone else finishes the task while it waits.
    local.dynamodb.updateItem(b -> b.tableName(local.tableName)
        .key(Map.of("taskId", AttributeValue.fromS("Raced"),
            "timestamp", AttributeValue.fromN(Long.toString(started.timestamp()))))
        .updateExpression("SET #s = :failed, #e = :e")
        .expressionAttributeNames(Map.of("#s", "Status", "#e", "Error"))
        .expressionAttributeValues(Map.of(":failed", AttributeValue.fromS("FAILED"),
            ":e", AttributeValue.fromS("CancelledByOperator"))));
    DescribeExecutionResponse execution = local.awaitExecution(started.executionArn(), PATIENCE);

    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("TaskStatusConflict");
    Map<String, AttributeValue> item = local.item("Raced", started.timestamp());
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("CancelledByOperator");
  }

  @Test
  void anExistingItemIsNeverOverwritten() {
    start(shortWait());
    local.dynamodb.putItem(b -> b.tableName(local.tableName).item(Map.of(
        "taskId", AttributeValue.fromS("Existing"), "timestamp", AttributeValue.fromN("42"),
        "Status", AttributeValue.fromS("DONE"), "Note", AttributeValue.fromS("keep me"))));

    String arn = local.stepFunctions.startExecution(b -> b.stateMachineArn(local.stateMachineArn)
        .name("existing-42").input("{\"taskId\":\"Existing\",\"timestamp\":42}")).executionArn();
    DescribeExecutionResponse execution = local.awaitExecution(arn, PATIENCE);

    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("TaskAlreadyRecorded");
    assertThat(local.items("Existing")).singleElement().satisfies(item -> {
      assertThat(item.get("Status").s()).isEqualTo("DONE");
      assertThat(item.get("Note").s()).isEqualTo("keep me");
    });
  }

  @Test
  void manyTasksWithInjectedFaultsAllEndDoneOrFailed() {
    start(shortWait(), "--fault", "RecordStarted=DynamoDB.InternalServerErrorException:2",
        "--fault", "RecordDone=DynamoDB.ValidationException:1");
    List<LocalWorkflow.Invocation> started = List.of("A", "B", "C").stream()
        .map(id -> local.invoke("{\"taskId\":\"Batch-" + id + "\"}")).toList();

    started.forEach(s -> local.awaitExecution(s.executionArn(), PATIENCE));

    assertThat(local.allItems()).hasSize(3);
    assertThat(local.allItems()).extracting(i -> i.get("Status").s())
        .containsExactlyInAnyOrder("DONE", "DONE", "FAILED");
  }
}
