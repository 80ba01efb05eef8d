package io.github.taskstatus.example;

import io.github.taskstatus.TaskStatusWorkflow;
import io.github.taskstatus.TaskWorkerOptions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.constructs.Construct;

/**
 * A workflow whose work is done by an external worker ({@link RenderWorker}), with status change
 * events on the default bus: the worker's role may receive the worker queue's tasks, report
 * progress and answer them; the outputs are what the worker and an application read.
 */
public class WorkerStack extends Stack {

  /**
   * Creates the stack.
   *
   * @param scope the app
   * @param id the stack id
   * @param props stack props
   */
  public WorkerStack(Construct scope, String id, StackProps props) {
    super(scope, id, props);
    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(this, "Tasks")
            .worker(
                TaskWorkerOptions.builder()
                    .heartbeatTimeout(Duration.minutes(1))
                    .workTimeout(Duration.minutes(30))
                    .build())
            .statusEvents(true)
            // An example should be easy to tear down; keep the default RETAIN for real task data.
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();

    // The worker's role: assume it from your account wherever the worker runs (a container, a
    // machine of your own); on ECS, give the task role the same grant instead.
    Role worker =
        Role.Builder.create(this, "RenderWorkerRole")
            .assumedBy(new AccountRootPrincipal())
            .description("What RenderWorker does: receive, report progress, answer")
            .build();
    tasks.grantWork(worker);

    CfnOutput.Builder.create(this, "RenderWorkerRoleArn").value(worker.getRoleArn()).build();
    tasks
        .clientEnvironment()
        .forEach(
            (name, value) ->
                CfnOutput.Builder.create(this, name.replace("_", ""))
                    .description("Environment variable " + name)
                    .value(value)
                    .build());
  }
}
