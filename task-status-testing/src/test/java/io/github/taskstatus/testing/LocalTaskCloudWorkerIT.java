package io.github.taskstatus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskstatus.TaskStatusWorkflow;
import io.github.taskstatus.TaskWorkerOptions;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import io.github.taskstatus.client.TaskWork;
import io.github.taskstatus.client.TaskWorker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;

/**
 * The kit for a workflow with an external worker: the worker it hands out, signed as the role the
 * user gave grantWork, takes a task, reports progress and succeeds it; a workflow without a worker
 * has none to hand out.
 */
class LocalTaskCloudWorkerIT {

  @RegisterExtension
  static final LocalTaskCloud cloud = LocalTaskCloud.of(LocalTaskCloudWorkerIT::renders);

  static Stack renders(App app) {
    Stack stack = new Stack(app, "Renders");
    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(stack, "Tasks")
            .worker(TaskWorkerOptions.builder().build())
            .build();
    Role worker =
        Role.Builder.create(stack, "WorkerRole").assumedBy(new AccountRootPrincipal()).build();
    tasks.grantWork(worker);
    new TaskStatusWorkflow(stack, "Plain");
    return stack;
  }

  @Test
  void theUsersWorkerTakesATaskReportsProgressAndSucceedsIt() {
    TaskStatusClient tasks = cloud.client("Tasks");
    TaskWorker worker = cloud.worker("Tasks", cloud.roleCredentials("WorkerRole"));

    final TaskStart start = tasks.start("Poster");
    List<TaskWork> received = List.of();
    for (int i = 0; i < 30 && received.isEmpty(); i++) {
      received = worker.receive(1, Duration.ofSeconds(1));
    }
    assertThat(received).singleElement().satisfies(w -> assertThat(w.taskId()).isEqualTo("Poster"));
    TaskWork work = received.get(0);
    assertThat(worker.progress(work, 60, "inked")).isTrue();
    worker.succeed(work);

    TaskRecord end = tasks.await(start, Duration.ofMinutes(1));
    assertThat(end.status()).isEqualTo(TaskStatus.DONE);
    assertThat(end.progress().orElseThrow().percent()).isEqualTo(60);
  }

  @Test
  void aWorkflowWithoutAWorkerHasNoWorkerToHandOut() {
    assertThatThrownBy(() -> cloud.worker("Plain", cloud.credentials()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no worker");
  }
}
