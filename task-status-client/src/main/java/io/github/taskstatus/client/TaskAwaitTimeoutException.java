package io.github.taskstatus.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A task did not reach a final status ({@code DONE}, {@code FAILED} or {@code CANCELLED}) within
 * the time an {@code await} allowed. The task may still be running: waiting again, or reading its
 * status later, is fine.
 */
public final class TaskAwaitTimeoutException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** The task waited for. */
  private final String taskId;

  /** How long the caller waited. */
  private final Duration timeout;

  /** The last item read, if any; not serialized. */
  private final transient TaskRecord lastRecord;

  /**
   * Creates an exception.
   *
   * @param message what was waited for and what was seen last
   * @param taskId the task waited for
   * @param timeout how long the caller waited
   * @param lastRecord the last item read, or {@code null} if none was found
   */
  public TaskAwaitTimeoutException(
      String message, String taskId, Duration timeout, TaskRecord lastRecord) {
    super(message);
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.lastRecord = lastRecord;
  }

  /**
   * The task waited for.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * How long the caller waited.
   *
   * @return the timeout given to {@code await}
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * The last item read while waiting: still {@code STARTED}, or empty if no item was found.
   *
   * @return the last item, if any
   */
  public Optional<TaskRecord> lastRecord() {
    return Optional.ofNullable(lastRecord);
  }
}
