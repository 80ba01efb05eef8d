package io.github.taskstatus.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A worker's task has ended, or its item says the work is no longer wanted: stop working on it. For
 * {@link Reason#ENDED} and {@link Reason#UNKNOWN_TOKEN} the worker has already deleted the task's
 * message, so no other worker receives the dead task again; for {@link Reason#FINISHED} it has not
 * (see there).
 */
public final class TaskWorkEndedException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** Why the work ended. */
  public enum Reason {
    /**
     * Step Functions answered {@code TaskTimedOut}: the task no longer waits for an answer because
     * it was cancelled (its execution stopped), it timed out (its heartbeat or task timeout passed:
     * the task failed with {@code States.HeartbeatTimeout} or {@code States.Timeout}), or it was
     * answered already. Step Functions does not tell which. The message was deleted.
     */
    ENDED,
    /**
     * Step Functions does not know the task token ({@code InvalidToken}: it is malformed, or {@code
     * TaskDoesNotExist}): the message was not sent by the workflow's state machine, or is older
     * than Step Functions' history. The message was deleted.
     */
    UNKNOWN_TOKEN,
    /**
     * Step Functions still waits for the task, but its item will not take progress: it is final,
     * owned by another execution, written by a later attempt, or gone. The message was not deleted
     * and the token is still valid: answer it with {@link TaskWorker#fail(TaskWork, String,
     * String)} (or {@link TaskWorker#succeed(TaskWork)}), or stop, and the task fails with {@code
     * States.HeartbeatTimeout} after its heartbeat timeout.
     */
    FINISHED
  }

  /** The work, which holds the task token; not serialized. */
  private final transient TaskWork work;

  /** Why it ended. */
  private final Reason reason;

  /** The item as read, for {@link Reason#FINISHED}; not serialized. */
  private final transient TaskRecord record;

  /**
   * Creates an exception.
   *
   * @param message what ended and how the worker knows
   * @param work the work
   * @param reason why, as a value
   * @param record the item as read, or {@code null}
   * @param cause the SDK's exception that told, or {@code null}
   */
  public TaskWorkEndedException(
      String message, TaskWork work, Reason reason, TaskRecord record, Throwable cause) {
    super(message, cause);
    this.work = Objects.requireNonNull(work, "work");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.record = record;
  }

  /**
   * The work that ended.
   *
   * @return the work; {@code null} once the exception was serialized, since it carries the task
   *     token
   */
  public TaskWork work() {
    return work;
  }

  /**
   * Why the work ended.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The task's item as the worker read it, for {@link Reason#FINISHED}.
   *
   * @return the record; empty for the other reasons, when the item is gone, and after the exception
   *     was serialized
   */
  public Optional<TaskRecord> record() {
    return Optional.ofNullable(record);
  }
}
