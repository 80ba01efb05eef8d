package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The sweeper, for what no status change event reports: with every event lost (the local cloud
 * drops them, as AWS's best-effort delivery may), an execution that timed out still gets its item
 * marked, by a sweep that queries the open-task index for items past their deadline; an Express
 * execution, which sends no events and cannot be described, is marked FAILED with States.Timeout;
 * an item whose execution still runs is left alone. The deadline's grace is 1 s here (the starter's
 * DEADLINE_GRACE_SECONDS), and a sweep runs every second.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SweeperIT {
  private static final String[] EVERY_EVENT_LOST = {
    "--chaos",
    "dropEvents=1",
    "--schedule-ms",
    "TasksSweepSchedule=1000",
    "--function-env",
    "TasksStarter:DEADLINE_GRACE_SECONDS=1"
  };

  @Test
  void aTimedOutExecutionWhoseEventsAreLostIsResolvedByTheSweeper() {
    try (LocalCloud cloud =
        LocalCloud.start(
            Synth.workflowWith(stack -> Synth.timingOut(stack, 2)), EVERY_EVENT_LOST)) {
      LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Lost\"}");

      Map<String, AttributeValue> item =
          cloud.awaitItem("Lost", started.timestamp(), LocalCloud.status("FAILED"));
      assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
      assertThat(item).doesNotContainKey("OpenIndexKey");
      assertThat(cloud.inspect("chaos").get("droppedEvents").asInt())
          .as("no event told the reconciler")
          .isGreaterThanOrEqualTo(2);
      assertThat(cloud.inspect("executions").toString())
          .as("a sweep handed the item to the reconciler")
          .contains("TasksSweeper")
          .contains("task-status-workflow.sweeper");
    }
  }

  @Test
  void anOverdueExpressItemIsFailedWithStatesTimeout() {
    // Express executions send no events; this one fails unseen by any Catch (States.Runtime).
    try (LocalCloud cloud =
        LocalCloud.start(
            Synth.workflowWith(
                stack ->
                    TaskStatusWorkflowProps.builder()
                        .stateMachineType(StateMachineType.EXPRESS)
                        .timeout(software.amazon.awscdk.Duration.seconds(5))
                        .work(
                            Pass.Builder.create(stack, "Misread")
                                .parameters(Map.of("oven", JsonPath.stringAt("$.no.such.path")))
                                .build())),
            EVERY_EVENT_LOST)) {
      LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Quick\"}");
      assertThat(started.executionArn()).contains(":express:");

      Map<String, AttributeValue> item =
          cloud.awaitItem("Quick", started.timestamp(), LocalCloud.status("FAILED"));
      assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
      assertThat(item.get("Cause").s()).contains("Express executions last at most 5 minutes");
    }
  }

  @Test
  void anOverdueItemWhoseExecutionStillRunsIsLeftAlone() {
    try (LocalCloud cloud =
        LocalCloud.start(
            Synth.workflow(
                TaskStatusWorkflowProps.builder()
                    .waitDuration(software.amazon.awscdk.Duration.seconds(30))
                    .build()),
            EVERY_EVENT_LOST)) {
      LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Slow\"}");
      cloud.awaitItem("Slow", started.timestamp(), LocalCloud.status("STARTED"));
      // As if its deadline had passed (a redriven execution runs past its first deadline).
      cloud.dynamodb.updateItem(
          b ->
              b.tableName(cloud.tableName())
                  .key(
                      Map.of(
                          "taskId",
                          AttributeValue.fromS("Slow"),
                          "timestamp",
                          AttributeValue.fromN(started.timestamp())))
                  .updateExpression("SET Deadline = :past")
                  .expressionAttributeValues(
                      Map.of(":past", AttributeValue.fromS("2000-01-01T00:00:00.000Z"))));

      LocalCloud.poll(
          () -> cloud.inspect("executions"),
          executions -> {
            for (JsonNode execution : executions) {
              if (execution.get("stateMachineArn").asText().contains("TasksReconciler")
                  && execution.get("status").asText().equals("SUCCEEDED")) {
                return execution.get("transitions").toString().contains("\"StillRunning\"");
              }
            }
            return false;
          },
          "a sweep's reconciliation that found the execution running");
      assertThat(cloud.item("Slow", started.timestamp()).get("Status").s()).isEqualTo("STARTED");
      cloud.stepFunctions.stopExecution(b -> b.executionArn(started.executionArn()));
    }
  }
}
