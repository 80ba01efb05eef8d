package io.github.taskstatus.client;

import java.util.Objects;
import java.util.Optional;

/**
 * {@link TaskStatusClient#cancel(String, String)} (or {@link TaskStatusClient#cancel(TaskStart,
 * String)}) refused: the start cannot be cancelled, for the {@link #reason()} given. Nothing was
 * stopped.
 */
public final class TaskNotCancellableException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** Why a start cannot be cancelled. */
  public enum Reason {
    /**
     * There is no (unexpired) item to cancel: the task was never started or its items expired, or
     * the start's item has not been written yet (in queue mode, before the starter received the
     * message).
     */
    NO_ITEM,
    /** The start is already final: {@code DONE}, {@code FAILED} or {@code CANCELLED}. */
    FINISHED,
    /** The start runs as an Express execution, which Step Functions cannot stop. */
    EXPRESS
  }

  /** The task that was to be cancelled. */
  private final String taskId;

  /** Why it cannot be. */
  private final Reason reason;

  /** The start's item, or {@code null} when there is none; not serialized. */
  private final transient TaskRecord latestRecord;

  /**
   * Creates an exception.
   *
   * @param message why the start cannot be cancelled
   * @param taskId the task
   * @param reason why, as a value
   * @param latestRecord the item of the start, or {@code null} when there is none
   */
  public TaskNotCancellableException(
      String message, String taskId, Reason reason, TaskRecord latestRecord) {
    super(message);
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.latestRecord = latestRecord;
  }

  /**
   * The task that was to be cancelled.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * Why the start cannot be cancelled.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The item of the start, as the client read it before refusing: the task's latest start for
   * {@code cancel(taskId, ...)}, the start's own item for {@code cancel(start, ...)}.
   *
   * @return the record; empty for {@link Reason#NO_ITEM}, and after the exception was serialized
   */
  public Optional<TaskRecord> latestRecord() {
    return Optional.ofNullable(latestRecord);
  }
}
