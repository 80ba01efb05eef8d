package io.github.taskstatus.example;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The example CDK app: {@link ExampleStack} (the defaults, a 30 s wait), {@link CustomWorkStack}
 * (an existing table and a custom work chain) and {@link WorkerStack} (an external worker, {@link
 * RenderWorker}, with progress and status events), deployed to the account and region of the CLI's
 * credentials.
 */
public final class ExampleApp {
  private ExampleApp() {}

  /**
   * Synthesizes the app.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    App app = new App();
    Environment env =
        Environment.builder()
            .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
            .region(System.getenv("CDK_DEFAULT_REGION"))
            .build();
    new ExampleStack(
        app,
        "TaskStatusExample",
        StackProps.builder()
            .env(env)
            .description("task-status-workflow example: tasks recorded STARTED, then DONE")
            .build());
    new CustomWorkStack(
        app,
        "TaskStatusCustomWorkExample",
        StackProps.builder()
            .env(env)
            .description("task-status-workflow example: an existing table and a custom work chain")
            .build());
    new WorkerStack(
        app,
        "TaskStatusWorkerExample",
        StackProps.builder()
            .env(env)
            .description(
                "task-status-workflow example: an external worker with progress and events")
            .build());
    app.synth();
  }
}
