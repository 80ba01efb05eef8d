package io.github.taskstatus.client;

import java.util.Objects;
import java.util.Optional;

/**
 * {@link TaskStatusClient#redrive(String)} refused: the task's latest start cannot be redriven, for
 * the {@link #reason()} given. Nothing was redriven.
 */
public final class TaskNotRedrivableException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** Why a task's latest start cannot be redriven. */
  public enum Reason {
    /** The task has no (unexpired) item: it was never started, or its items expired. */
    NO_ITEM,
    /** The latest start is {@code DONE}: Step Functions redrives no execution that succeeded. */
    DONE,
    /**
     * The latest start is still {@code STARTED}: its execution is running, as far as the table
     * knows.
     */
    RUNNING,
    /**
     * The latest start was {@code CANCELLED}: a cancellation is meant to end the task, and a
     * redrive would resume its stopped execution; {@link TaskStatusClient#retry(String)} starts it
     * anew.
     */
    CANCELLED,
    /** The latest start ran as an Express execution: Step Functions redrives Standard ones only. */
    EXPRESS,
    /**
     * The latest start ended ({@code UpdatedAt}) more than 14 days ago, the longest redrive allows.
     */
    TOO_OLD,
    /**
     * Step Functions answered {@code ExecutionNotRedrivable}: the exception's message carries its
     * reason, and its cause is the SDK's exception.
     */
    NOT_REDRIVABLE
  }

  /** The task that was to be redriven. */
  private final String taskId;

  /** Why it cannot be. */
  private final Reason reason;

  /** Its latest start, or {@code null} when it has no item; not serialized. */
  private final transient TaskRecord latestRecord;

  /**
   * Creates an exception.
   *
   * @param message why the task cannot be redriven
   * @param taskId the task
   * @param reason why, as a value
   * @param latestRecord the item of its latest start, or {@code null} when it has none
   */
  public TaskNotRedrivableException(
      String message, String taskId, Reason reason, TaskRecord latestRecord) {
    this(message, taskId, reason, latestRecord, null);
  }

  /**
   * Creates an exception with its cause, such as Step Functions' refusal.
   *
   * @param message why the task cannot be redriven
   * @param taskId the task
   * @param reason why, as a value
   * @param latestRecord the item of its latest start, or {@code null} when it has none
   * @param cause the underlying failure, or {@code null}
   */
  public TaskNotRedrivableException(
      String message, String taskId, Reason reason, TaskRecord latestRecord, Throwable cause) {
    super(message, cause);
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.latestRecord = latestRecord;
  }

  /**
   * The task that was to be redriven.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * Why the task cannot be redriven.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The item of the task's latest start, as the client read it before refusing.
   *
   * @return the latest record; empty when the task has no (unexpired) item, and after the exception
   *     was serialized
   */
  public Optional<TaskRecord> latestRecord() {
    return Optional.ofNullable(latestRecord);
  }
}
