package io.github.taskstatus.example;

import io.github.taskstatus.TaskStatusWorkflow;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * A stack with one {@link TaskStatusWorkflow} and the outputs needed to use it: the starter
 * function to invoke, the table to read and the state machine to watch.
 */
public class ExampleStack extends Stack {

  /** Context key for the simulated work's length in seconds ({@code cdk.json}: 30). */
  public static final String WAIT_SECONDS = "waitSeconds";

  /**
   * Creates the stack.
   *
   * @param scope the app
   * @param id the stack id
   * @param props stack props
   */
  public ExampleStack(Construct scope, String id, StackProps props) {
    super(scope, id, props);
    Object wait = getNode().tryGetContext(WAIT_SECONDS);
    int waitSeconds = wait == null ? 30 : Integer.parseInt(wait.toString());

    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(this, "Tasks")
            .waitDuration(Duration.seconds(waitSeconds))
            // An example should be easy to tear down; keep the default RETAIN for real task data.
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();

    CfnOutput.Builder.create(this, "StarterFunctionName")
        .description("Invoke with {\"taskId\": \"...\"}")
        .value(tasks.getStarterFunction().getFunctionName())
        .build();
    CfnOutput.Builder.create(this, "TableName")
        .description("One item per task start: taskId, timestamp, Status")
        .value(tasks.getTable().getTableName())
        .build();
    CfnOutput.Builder.create(this, "StateMachineArn")
        .value(tasks.getStateMachine().getStateMachineArn())
        .build();
    // For examples/replay-dead-letters.sh.
    CfnOutput.Builder.create(this, "StarterDeadLetterQueueUrl")
        .description("Asynchronous starts Lambda gave up on")
        .value(tasks.getStarterDeadLetterQueue().getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "ReconcilerDeadLetterQueueUrl")
        .description("Ended executions that could not be reconciled")
        .value(tasks.getReconcilerDeadLetterQueue().getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "ReconcilerArn")
        .value(tasks.getReconciler().getStateMachineArn())
        .build();
    // What task-status-client reads (StartAndAwait): export these before running it.
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
