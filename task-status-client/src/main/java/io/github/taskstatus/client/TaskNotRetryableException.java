package io.github.taskstatus.client;

import java.util.Objects;
import java.util.Optional;

/**
 * {@link TaskStatusClient#retry(String)} refused: the task's latest start is neither {@code FAILED}
 * nor {@code CANCELLED} (it is still running or it succeeded), or the task has no item at all.
 */
public final class TaskNotRetryableException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** The task that was to be retried. */
  private final String taskId;

  /** The status of its latest start, or {@code null} when it has no item. */
  private final TaskStatus latestStatus;

  /**
   * Creates an exception.
   *
   * @param message why the task cannot be retried
   * @param taskId the task
   * @param latestStatus the status of its latest start, or {@code null} when it has no item
   */
  public TaskNotRetryableException(String message, String taskId, TaskStatus latestStatus) {
    super(message);
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.latestStatus = latestStatus;
  }

  /**
   * The task that was to be retried.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * The status of the task's latest start.
   *
   * @return {@code STARTED} or {@code DONE}; empty when the task has no (unexpired) item
   */
  public Optional<TaskStatus> latestStatus() {
    return Optional.ofNullable(latestStatus);
  }
}
