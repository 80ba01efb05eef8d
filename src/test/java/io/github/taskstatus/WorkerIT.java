package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import io.github.taskstatus.client.TaskWork;
import io.github.taskstatus.client.TaskWorkEndedException;
import io.github.taskstatus.client.TaskWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * Work that talks back, end to end on the local cloud (issue 20): a worker (task-status-client's
 * TaskWorker, as the role grantWork gives) completes a task reporting progress, seen on the item,
 * by an await listener and as status change events on the workflow's bus, where an application's
 * rule receives them; a silent worker's task ends FAILED with States.HeartbeatTimeout; a cancelled
 * task ends CANCELLED with its reason and its worker is told; open tasks are listed; no call of the
 * application or the worker was denied, and every grant of theirs was needed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static LocalCloud cloud;
  private static LocalCloud.RoleClients appRole;
  private static LocalCloud.RoleClients workerRole;
  private static TaskStatusClient tasks;
  private static TaskWorker worker;

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.start(
            Synth.stack(
                stack -> {
                  EventBus bus = EventBus.Builder.create(stack, "Bus").build();
                  TaskStatusWorkflow workflow =
                      TaskStatusWorkflow.Builder.create(stack, "Tasks")
                          .encryptionKey(Synth.key(stack))
                          .worker(TaskWorkerOptions.builder().build())
                          .statusEventBus(bus)
                          .build();
                  Role app = Synth.role(stack, "App");
                  workflow.grantStartTask(app);
                  workflow.grantReadStatus(app);
                  workflow.grantCancel(app);
                  workflow.grantWork(Synth.role(stack, "Worker"));
                  // An application's subscription: the failures, to a queue of its own.
                  Queue failures = Queue.Builder.create(stack, "Failures").build();
                  Rule.Builder.create(stack, "OnFailure")
                      .eventBus(bus)
                      .eventPattern(
                          EventPattern.builder()
                              .source(List.of("task-status-workflow"))
                              .detailType(List.of("Task Status Change"))
                              .detail(java.util.Map.of("status", List.of("FAILED")))
                              .build())
                      .targets(List.of(new SqsQueue(failures)))
                      .build();
                }),
            // Heartbeats are due every 300 s; here every 5 s, so a silent worker is seen soon.
            "--heartbeat-ms",
            "HandToWorker=5000",
            "--visibility-timeout-ms",
            "2000");
    appRole = cloud.as("App");
    workerRole = cloud.as("Worker");
    tasks =
        TaskStatusClient.builder()
            .tableName(cloud.tableName())
            .starterFunction(cloud.starter())
            .openTaskIndex("OpenTasks")
            .reconcilerStateMachine(cloud.reconcilerArn())
            .dynamoDb(appRole.dynamodb())
            .lambda(appRole.lambda())
            .stepFunctions(appRole.sfn())
            .pollInterval(Duration.ofMillis(50))
            .build();
    worker =
        TaskWorker.builder()
            .queueUrl(cloud.queueUrl("TasksWorkerQueue"))
            .tableName(cloud.tableName())
            .sqs(workerRole.sqs())
            .stepFunctions(workerRole.sfn())
            .dynamoDb(workerRole.dynamodb())
            .build();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable :
        new AutoCloseable[] {worker, tasks, appRole, workerRole, cloud}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // closing what is left
      }
    }
  }

  /** The task's one message from the worker queue. */
  private static TaskWork receive(String taskId) {
    List<TaskWork> received = new ArrayList<>();
    LocalCloud.poll(
        () -> {
          worker.receive(10, Duration.ofSeconds(1)).stream()
              .filter(w -> w.taskId().equals(taskId))
              .forEach(received::add);
          return received;
        },
        r -> !r.isEmpty(),
        "the worker queue's message for " + taskId);
    assertThat(received).hasSize(1);
    return received.get(0);
  }

  /** The status change events of a task on the workflow's bus, as (status, progress) pairs. */
  private static List<String> events(String taskId) {
    List<String> seen = new ArrayList<>();
    for (JsonNode entry : cloud.inspect("events")) {
      JsonNode event = entry.get("event");
      if (event.path("source").asText().equals("task-status-workflow")
          && event.at("/detail/taskId").asText().equals(taskId)) {
        assertThat(event.get("detail-type").asText()).isEqualTo("Task Status Change");
        assertThat(event.at("/resources/0").asText()).isEqualTo(cloud.stateMachineArn());
        JsonNode detail = event.get("detail");
        seen.add(
            detail.get("status").asText()
                + (detail.get("progress").isNull() ? "" : " " + detail.get("progress").asInt()));
      }
    }
    return seen;
  }

  @Test
  @Order(1)
  void aWorkerCompletesATaskWithProgressSeenOnTheItemByAListenerAndAsEvents() throws Exception {
    TaskStart start = tasks.start("Render");
    TaskWork work = receive("Render");
    assertThat(work.executionArn()).isEqualTo(start.executionArn().orElseThrow());
    assertThat(work.timestamp()).isEqualByComparingTo(start.timestamp().orElseThrow());
    assertThat(work.attempt()).isZero();
    assertThat(work.heartbeat()).isEqualTo(Duration.ofSeconds(300));

    List<String> heard = new CopyOnWriteArrayList<>();
    Thread listener =
        new Thread(
            () ->
                tasks.await(
                    start,
                    PATIENCE,
                    r ->
                        heard.add(
                            r.status() + r.progress().map(p -> " " + p.percent()).orElse(""))));
    listener.start();
    for (int percent : new int[] {10, 50, 100}) {
      assertThat(worker.progress(work, percent, "step " + percent)).isTrue();
      LocalCloud.poll(
          () -> tasks.latest("Render").orElseThrow().progress(),
          p -> p.isPresent() && p.get().percent() == percent,
          "progress " + percent + " on the item");
      // The listener hears each change it reads: changes further apart than its polls, each.
      LocalCloud.poll(() -> heard, h -> h.contains("STARTED " + percent), "the listener");
    }
    assertThat(worker.progress(work, 50, "back")).as("progress never goes back").isFalse();
    worker.succeed(work);
    listener.join(PATIENCE.toMillis());

    TaskRecord done = tasks.latest("Render").orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(done.progress().orElseThrow().percent()).isEqualTo(100);
    assertThat(done.progress().orElseThrow().message()).hasValue("step 100");
    assertThat(heard).containsSubsequence("STARTED 10", "STARTED 50", "STARTED 100", "DONE 100");
    assertThat(heard.get(heard.size() - 1)).isEqualTo("DONE 100");
    assertThat(
            LocalCloud.poll(
                () -> events("Render"), e -> e.contains("DONE 100"), "the DONE event of Render"))
        .containsExactly("STARTED", "STARTED 10", "STARTED 50", "STARTED 100", "DONE 100");
    assertThat(cloud.sqs.receiveMessage(b -> b.queueUrl(cloud.queueUrl("TasksWorkerQueue"))))
        .as("the answered task's message is deleted")
        .satisfies(r -> assertThat(r.messages()).isEmpty());
  }

  @Test
  @Order(2)
  void aWorkerFailsATaskWithItsErrorAndCause() {
    TaskStart start = tasks.start("Burnt");
    TaskWork work = receive("Burnt");
    worker.fail(work, "OvenOnFire", "the toast burned");
    TaskRecord failed = tasks.await(start, PATIENCE);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error()).hasValue("OvenOnFire");
    assertThat(failed.cause()).hasValue("the toast burned");
  }

  @Test
  @Order(3)
  void aSilentWorkersTaskEndsFailedWithStatesHeartbeatTimeoutAndTheWorkerIsTold() {
    TaskStart start = tasks.start("Silent");
    TaskWork work = receive("Silent");

    TaskRecord failed = tasks.await(start, PATIENCE);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error()).hasValue("States.HeartbeatTimeout");

    assertThatThrownBy(() -> worker.progress(work, 10, "late"))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> assertThat(e.reason()).isEqualTo(TaskWorkEndedException.Reason.ENDED));
    // The application's rule on the bus got the failure.
    LocalCloud.poll(
        () ->
            cloud
                .sqs
                .receiveMessage(b -> b.queueUrl(cloud.queueUrl("Failures")).waitTimeSeconds(1))
                .messages(),
        messages ->
            messages.stream()
                .anyMatch(
                    m ->
                        m.body().contains("\"taskId\":\"Silent\"")
                            && m.body().contains("States.HeartbeatTimeout")),
        "the failure event in the application's queue");
  }

  @Test
  @Order(4)
  void aCancelledTaskEndsCancelledWithItsReasonAndItsWorkerIsTold() {
    TaskStart start = tasks.start("Cancelled");
    TaskWork work = receive("Cancelled");
    assertThat(worker.progress(work, 20, "begun")).isTrue();

    tasks.cancel(start, "nobody needs it any more");

    TaskRecord cancelled = tasks.await(start, PATIENCE);
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.error()).hasValue("TaskStatus.Cancelled");
    assertThat(cancelled.cause()).hasValue("nobody needs it any more");
    assertThat(cancelled.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.status()).isEqualTo(TaskStatus.CANCELLED));
    assertThatThrownBy(() -> worker.progress(work, 30, "still going"))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> assertThat(e.reason()).isEqualTo(TaskWorkEndedException.Reason.ENDED));
    assertThat(
            LocalCloud.poll(
                () -> events("Cancelled"), e -> e.contains("CANCELLED 20"), "the CANCELLED event"))
        .containsExactly("STARTED", "STARTED 20", "CANCELLED 20");
  }

  @Test
  @Order(5)
  void openTasksAreListedAndEveryCallOfTheAppAndTheWorkerWasAllowed() {
    TaskStart first = tasks.start("Open one");
    TaskStart second = tasks.start("Open two");
    assertThat(
            LocalCloud.poll(
                () -> tasks.open().stream().map(TaskRecord::taskId).toList(),
                open -> open.contains("Open one") && open.contains("Open two"),
                "both open"))
        .contains("Open one", "Open two");
    for (TaskStart start : List.of(first, second)) {
      TaskWork work = receive(start.taskId());
      worker.succeed(work);
      assertThat(tasks.await(start, PATIENCE).status()).isEqualTo(TaskStatus.DONE);
    }
    assertThat(tasks.open().stream().map(TaskRecord::taskId)).doesNotContain("Open one");
    assertThat(cloud.denials()).isEmpty();
  }

  @Test
  @Order(6)
  void everyGrantOfTheAppAndTheWorkerWasNeeded() {
    List<String> unneeded = new ArrayList<>();
    for (JsonNode grant : cloud.grants()) {
      String role = grant.get("role").asText();
      if ((role.startsWith("App") || role.startsWith("Worker"))
          && grant.get("neededBy").isEmpty()) {
        unneeded.add(role + " " + grant.path("action").asText(grant.path("resource").asText()));
      }
    }
    assertThat(unneeded).isEmpty();
  }
}
