package io.github.taskstatus.example;

import io.github.taskstatus.client.TaskWork;
import io.github.taskstatus.client.TaskWorkEndedException;
import io.github.taskstatus.client.TaskWorker;
import java.time.Duration;

/**
 * An external worker, as yours would be: it takes tasks from the worker queue of {@link
 * WorkerStack}, "renders" each in steps, reporting 25, 50, 75 and 100 % (each report is also the
 * heartbeat the task needs), then succeeds it. A task cancelled or timed out meanwhile ends its
 * work with {@link TaskWorkEndedException}, and the worker goes on with the next. Run it with the
 * stack's outputs as environment variables ({@code TASK_STATUS_WORKER_QUEUE_URL}, {@code
 * TASK_STATUS_TABLE}) and the worker role's credentials:
 *
 * <pre>
 * mvn -q compile exec:java -Dexec.mainClass=io.github.taskstatus.example.RenderWorker
 * </pre>
 *
 * <p>{@code WORKER_STEP_MILLIS} (default 1000) is the time per step; {@code WORKER_IDLE_SECONDS}
 * (default: never) ends the worker after that long without a task.
 */
public final class RenderWorker {
  private static final int[] STEPS = {25, 50, 75, 100};

  private RenderWorker() {}

  /**
   * Works until stopped, or idle for {@code WORKER_IDLE_SECONDS}.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted between steps
   */
  public static void main(String[] args) throws InterruptedException {
    long stepMillis = Long.parseLong(System.getenv().getOrDefault("WORKER_STEP_MILLIS", "1000"));
    String idle = System.getenv("WORKER_IDLE_SECONDS");
    long idleMillis = idle == null ? Long.MAX_VALUE : Long.parseLong(idle) * 1000;
    long lastWork = System.currentTimeMillis();
    try (TaskWorker worker = TaskWorker.fromEnvironment()) {
      while (System.currentTimeMillis() - lastWork < idleMillis) {
        for (TaskWork work : worker.receive(10, Duration.ofSeconds(1))) {
          lastWork = System.currentTimeMillis();
          render(worker, work, stepMillis);
        }
      }
    }
  }

  private static void render(TaskWorker worker, TaskWork work, long stepMillis)
      throws InterruptedException {
    System.out.println(work.taskId() + ": received (attempt " + work.attempt() + ")");
    try {
      for (int percent : STEPS) {
        Thread.sleep(stepMillis);
        worker.progress(work, percent, "rendered " + percent + " %");
        System.out.println(work.taskId() + ": progress " + percent + "%");
      }
      worker.succeed(work);
      System.out.println(work.taskId() + ": done");
    } catch (TaskWorkEndedException e) {
      System.out.println(
          work.taskId() + ": the task ended without this worker (" + e.reason() + ")");
    }
  }
}
