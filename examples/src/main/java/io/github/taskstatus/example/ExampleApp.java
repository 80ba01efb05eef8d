package io.github.taskstatus.example;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The example CDK app: one {@link ExampleStack}, deployed to the account and region of the
 * CLI's credentials.
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
    new ExampleStack(app, "TaskStatusExample", StackProps.builder()
        .env(Environment.builder()
            .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
            .region(System.getenv("CDK_DEFAULT_REGION"))
            .build())
        .description("task-status-workflow example: tasks recorded STARTED, then DONE")
        .build());
    app.synth();
  }
}
