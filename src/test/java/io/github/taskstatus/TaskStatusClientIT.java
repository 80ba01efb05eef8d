package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskstatus.client.TaskAwaitTimeoutException;
import io.github.taskstatus.client.TaskNotRedrivableException;
import io.github.taskstatus.client.TaskNotRetryableException;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStartException;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The task-status-client against the local cloud: an application starts a task, waits for it, reads
 * its history, lists failed tasks with a Query on the sparse index, retries one, and in queue mode
 * sends to the queue; expired items that Time to Live has not deleted yet are skipped; as a role
 * with only the library's grants, lists the open tasks and redrives a stopped one.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TaskStatusClientIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static TaskStatusClient client(LocalCloud cloud, boolean queue) {
    TaskStatusClient.Builder builder =
        TaskStatusClient.builder()
            .tableName(cloud.tableName())
            .starterFunction(cloud.starter())
            .failedTaskIndex("FailedTasks")
            .dynamoDb(cloud.dynamodb)
            .lambda(cloud.lambda)
            .sqs(cloud.sqs)
            .pollInterval(Duration.ofMillis(50));
    if (queue) {
      builder.queueUrl(cloud.queueUrl("TasksQueue"));
    }
    return builder.build();
  }

  private static Synth workflow(boolean queue) {
    return Synth.workflow(
        TaskStatusWorkflowProps.builder()
            .waitDuration(software.amazon.awscdk.Duration.seconds(1))
            .retention(software.amazon.awscdk.Duration.days(30))
            .failedTaskIndex(true)
            .queue(queue)
            .build());
  }

  @Test
  void anApplicationStartsWaitsReadsHistoryListsFailuresAndRetries() {
    Instant before = Instant.now().minusSeconds(1);
    try (LocalCloud cloud =
            LocalCloud.start(workflow(false), "--fault", "RecordDone=ResourceNotFoundException:1");
        TaskStatusClient tasks = client(cloud, false)) {
      // The first task's DONE update fails once: it ends FAILED.
      TaskStart first = tasks.start("Breakfast");
      assertThat(first.executionArn()).isPresent();
      assertThat(first.timestamp()).isPresent();
      TaskRecord failed = tasks.await(first, PATIENCE);
      assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(failed.error()).hasValue("DynamoDB.ResourceNotFoundException");
      assertThat(failed.timestamp()).isEqualByComparingTo(first.timestamp().orElseThrow());
      assertThat(failed.expiresAt())
          .hasValueSatisfying(
              expiry -> assertThat(expiry).isAfter(Instant.now().plus(Duration.ofDays(29))));

      assertThat(tasks.failedSince(before))
          .extracting(TaskRecord::taskId)
          .containsExactly("Breakfast");

      TaskStart retried = tasks.retry("Breakfast");
      assertThat(retried.idempotencyKey()).isNotEqualTo(first.idempotencyKey());
      assertThat(tasks.await("Breakfast", PATIENCE).status()).isEqualTo(TaskStatus.DONE);

      List<TaskRecord> history = tasks.history("Breakfast");
      assertThat(history)
          .extracting(TaskRecord::status)
          .containsExactly(TaskStatus.FAILED, TaskStatus.DONE);
      assertThat(tasks.latest("Breakfast"))
          .hasValueSatisfying(
              latest ->
                  assertThat(latest.executionArn())
                      .isEqualTo(retried.executionArn().orElseThrow()));
      assertThatThrownBy(() -> tasks.retry("Breakfast"))
          .isInstanceOf(TaskNotRetryableException.class)
          .hasMessageContaining("DONE");
    }
  }

  @Test
  void badTaskIdsAndSlowTasksGiveClearErrors() {
    try (LocalCloud cloud =
            LocalCloud.start(
                Synth.workflow(
                    TaskStatusWorkflowProps.builder()
                        .waitDuration(software.amazon.awscdk.Duration.seconds(30))
                        .build()));
        TaskStatusClient tasks = client(cloud, false)) {
      assertThatThrownBy(() -> tasks.start("tab\there")).hasMessageContaining("control character");

      TaskStart slow = tasks.start("Slow");
      assertThatThrownBy(() -> tasks.await(slow, Duration.ofSeconds(2)))
          .isInstanceOf(TaskAwaitTimeoutException.class)
          .hasMessageContaining("Slow")
          .hasMessageContaining("STARTED");
    }
  }

  @Test
  void itemsPastTheirExpiryAreSkippedBeforeTimeToLiveDeletesThem() {
    try (LocalCloud cloud = LocalCloud.start(workflow(false));
        TaskStatusClient tasks = client(cloud, false)) {
      cloud.dynamodb.putItem(
          b ->
              b.tableName(cloud.tableName())
                  .item(
                      Map.of(
                          "taskId",
                          AttributeValue.fromS("Old"),
                          "timestamp",
                          AttributeValue.fromN("1700000000"),
                          "Status",
                          AttributeValue.fromS("DONE"),
                          "ExecutionArn",
                          AttributeValue.fromS("arn:x"),
                          "UpdatedAt",
                          AttributeValue.fromS("2023-11-14T22:13:20Z"),
                          "ExpiresAt",
                          AttributeValue.fromN("1700003600"))));

      assertThat(tasks.history("Old")).isEmpty();
      assertThat(tasks.latest("Old")).isEmpty();
      TaskStart fresh = tasks.start("Old");
      assertThat(tasks.await(fresh, PATIENCE).status()).isEqualTo(TaskStatus.DONE);
      assertThat(tasks.history("Old")).hasSize(1);
    }
  }

  @Test
  void inQueueModeTheClientSendsToTheQueueAndAwaitsTheStart() {
    try (LocalCloud cloud = LocalCloud.start(workflow(true));
        TaskStatusClient tasks = client(cloud, true)) {
      TaskStart queued = tasks.start("Lunch");

      assertThat(queued.messageId()).isPresent();
      assertThat(queued.executionArn()).isEmpty();
      assertThat(tasks.await(queued, PATIENCE).status()).isEqualTo(TaskStatus.DONE);
      assertThat(tasks.history("Lunch")).hasSize(1);
    }
  }

  @Test
  void aStarterThatFailsIsATaskStartExceptionCarryingTheFunctionsError() {
    try (LocalCloud cloud =
            LocalCloud.start(
                workflow(false), "--fault-api", "StartExecution=StateMachineDoesNotExist:1");
        TaskStatusClient tasks = client(cloud, false)) {
      assertThatThrownBy(() -> tasks.start("Orphan"))
          .isInstanceOfSatisfying(
              TaskStartException.class,
              e -> {
                assertThat(e.functionError()).isEqualTo("Unhandled");
                assertThat(e.errorType()).endsWith("StateMachineDoesNotExistException");
                assertThat(e.isInvalidTask()).isFalse();
              });
      assertThat(cloud.items("Orphan")).isEmpty();
    }
  }

  @Test
  void aRoleWithTheLibrarysGrantsListsOpenTasksAndRedrivesAStoppedOne() {
    try (LocalCloud cloud =
            LocalCloud.start(
                Synth.stack(
                    stack -> {
                      TaskStatusWorkflow workflow =
                          TaskStatusWorkflow.Builder.create(stack, "Tasks")
                              .work(
                                  Wait.Builder.create(stack, "Simmer")
                                      .time(
                                          WaitTime.duration(
                                              software.amazon.awscdk.Duration.minutes(5)))
                                      .build())
                              .build();
                      Role app = Synth.role(stack, "App");
                      workflow.grantStartTask(app);
                      workflow.grantReadStatus(app);
                      workflow.grantRedrive(app);
                    }),
                "--wait-ms",
                "Simmer=3000");
        LocalCloud.RoleClients app = cloud.as("App");
        TaskStatusClient tasks =
            TaskStatusClient.builder()
                .tableName(cloud.tableName())
                .starterFunction(cloud.starter())
                .openTaskIndex("OpenTasks")
                .dynamoDb(app.dynamodb())
                .lambda(app.lambda())
                .stepFunctions(app.sfn())
                .pollInterval(Duration.ofMillis(50))
                .build()) {
      TaskStart first = tasks.start("Stew");
      cloud.awaitItem(
          "Stew", first.timestamp().orElseThrow().toPlainString(), LocalCloud.status("STARTED"));
      assertThat(tasks.open())
          .singleElement()
          .satisfies(
              open -> {
                assertThat(open.taskId()).isEqualTo("Stew");
                assertThat(open.status()).isEqualTo(TaskStatus.STARTED);
                assertThat(open.deadline())
                    .hasValueSatisfying(d -> assertThat(d).isAfter(Instant.now()));
              });

      cloud.stepFunctions.stopExecution(b -> b.executionArn(first.executionArn().orElseThrow()));
      TaskRecord stopped = tasks.await(first, PATIENCE);
      assertThat(stopped.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(stopped.error()).hasValue("States.Aborted");
      assertThat(tasks.open()).isEmpty();

      TaskStart redriven = tasks.redrive("Stew");
      assertThat(redriven.redriveCount()).isEqualTo(1);
      assertThat(redriven.executionArn()).isEqualTo(first.executionArn());
      TaskRecord done = tasks.await(redriven, PATIENCE);
      assertThat(done.status()).isEqualTo(TaskStatus.DONE);
      assertThat(done.redriveCount()).isEqualTo(1);
      assertThat(done.attempts())
          .extracting(a -> a.attempt() + " " + a.status() + " " + a.error().orElse("-"))
          .containsExactly("0 FAILED States.Aborted", "1 DONE -");
      assertThat(tasks.history("Stew")).hasSize(1);

      assertThatThrownBy(() -> tasks.redrive("Stew"))
          .isInstanceOfSatisfying(
              TaskNotRedrivableException.class,
              e -> assertThat(e.reason()).isEqualTo(TaskNotRedrivableException.Reason.DONE));
      assertThat(cloud.denials()).isEmpty();
    }
  }
}
