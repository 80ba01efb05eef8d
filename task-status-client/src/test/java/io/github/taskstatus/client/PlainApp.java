package io.github.taskstatus.client;

import java.util.Map;

/**
 * An application as plain as they come: a main method, the client's runtime classpath and nothing
 * else, no logging configured. {@link QuietTest} runs it in a JVM of its own.
 */
final class PlainApp {
  private PlainApp() {}

  /**
   * Starts a task and reads its latest status.
   *
   * @param args the starter function's ARN
   */
  public static void main(String[] args) {
    Map<String, String> environment =
        Map.of(
            TaskStatusClient.ENV_TABLE,
            FakeAws.TABLE,
            TaskStatusClient.ENV_STARTER,
            args[0],
            "AWS_REGION",
            "us-east-1");
    try (TaskStatusClient tasks = TaskStatusClient.fromEnvironment(environment::get)) {
      TaskStart start = tasks.start("Breakfast");
      System.out.println("started " + start.executionArn().orElseThrow());
      System.out.println(
          "latest " + tasks.latest("Breakfast").map(r -> r.status().name()).orElse("none"));
    }
  }
}
