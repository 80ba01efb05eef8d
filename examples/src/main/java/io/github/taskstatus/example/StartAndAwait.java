package io.github.taskstatus.example;

import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStatusClient;
import java.time.Duration;

/**
 * An application using task-status-client, as your code would: starts a task, waits for it to end
 * and prints its history. Run it against a deployed example with the stack's outputs as environment
 * variables ({@code TASK_STATUS_TABLE}, {@code TASK_STATUS_STARTER}), for example:
 *
 * <pre>
 * TASK_STATUS_TABLE=... TASK_STATUS_STARTER=... \
 *   mvn -q compile exec:java -Dexec.mainClass=io.github.taskstatus.example.StartAndAwait \
 *   -Dexec.args="Breakfast"
 * </pre>
 */
public final class StartAndAwait {
  private StartAndAwait() {}

  /**
   * Starts the task named by the first argument and waits up to five minutes for it.
   *
   * @param args the task id
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: StartAndAwait <taskId>");
      System.exit(2);
    }
    try (TaskStatusClient tasks = TaskStatusClient.fromEnvironment()) {
      TaskStart start = tasks.start(args[0]);
      System.out.println(
          "started "
              + start.taskId()
              + " as "
              + start.executionArn().or(start::messageId).orElse("?"));
      TaskRecord end = tasks.await(start, Duration.ofMinutes(5));
      System.out.println(
          end.taskId()
              + " ended "
              + end.status()
              + end.error().map(e -> " (" + e + ": " + end.cause().orElse("") + ")").orElse(""));
      for (TaskRecord record : tasks.history(args[0])) {
        System.out.println("  " + record.startedAt() + "  " + record.status());
      }
      System.exit(end.status().name().equals("DONE") ? 0 : 1);
    }
  }
}
