package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TaskStatusClient#start(String)} did: the execution the starter function started (or
 * recognised as already started), or, in queue mode, the message it sent.
 *
 * <p>Pass it to {@link TaskStatusClient#await(TaskStart, java.time.Duration)} to wait for this very
 * start, not just for the task's latest one.
 */
public final class TaskStart {

  /**
   * How many whole seconds after its timestamp a start's item may be: when another start of the
   * task holds the timestamp, the workflow moves the item to the first free one of the next this
   * many whole seconds (and records the timestamp asked for as {@code RequestedTimestamp}).
   */
  public static final int MAX_MOVE_SECONDS = 10;

  private final String taskId;
  private final BigDecimal timestamp;
  private final String executionArn;
  private final String messageId;
  private final boolean duplicate;
  private final String idempotencyKey;
  private final Instant requestedAt;

  private TaskStart(
      String taskId,
      BigDecimal timestamp,
      String executionArn,
      String messageId,
      boolean duplicate,
      String idempotencyKey,
      Instant requestedAt) {
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.timestamp = timestamp;
    this.executionArn = executionArn;
    this.messageId = messageId;
    this.duplicate = duplicate;
    this.idempotencyKey = Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    this.requestedAt = Objects.requireNonNull(requestedAt, "requestedAt");
  }

  /** A start through the starter function. */
  static TaskStart direct(
      String taskId,
      BigDecimal timestamp,
      String executionArn,
      boolean duplicate,
      String idempotencyKey,
      Instant requestedAt) {
    return new TaskStart(
        taskId,
        timestamp,
        Objects.requireNonNull(executionArn, "executionArn"),
        null,
        duplicate,
        idempotencyKey,
        requestedAt);
  }

  /** A start through the queue: the message id is the starter's idempotency key. */
  static TaskStart queued(
      String taskId, String messageId, String idempotencyKey, Instant requestedAt) {
    return new TaskStart(
        taskId,
        null,
        null,
        Objects.requireNonNull(messageId, "messageId"),
        false,
        Objects.requireNonNull(idempotencyKey, "idempotencyKey"),
        requestedAt);
  }

  /**
   * The task started.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * The timestamp the starter chose, the item's sort key, exactly as it answered (Unix seconds,
   * usually with five decimals). The item is normally written under it; a collision with another
   * start of the task in the same 10 µs moves the item to a later one.
   *
   * @return the timestamp; empty in queue mode and for a duplicate (whose item {@code await} finds
   *     by its {@link #executionArn()})
   */
  public Optional<BigDecimal> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  /**
   * The execution started, which owns the task's new item.
   *
   * @return the execution ARN; empty in queue mode, where the starter starts it later
   */
  public Optional<String> executionArn() {
    return Optional.ofNullable(executionArn);
  }

  /**
   * The SQS message that carries the task to the starter.
   *
   * @return the message id in queue mode; empty for a direct start
   */
  public Optional<String> messageId() {
    return Optional.ofNullable(messageId);
  }

  /**
   * Whether the starter found this start already done: a retry of the same invocation (by the SDK,
   * after a timeout) reached it after the first had started the execution. Nothing new was started;
   * {@link #executionArn()} is the first start's execution.
   *
   * @return {@code true} for a duplicate; always {@code false} in queue mode
   */
  public boolean duplicate() {
    return duplicate;
  }

  /**
   * The idempotency key of this start, from which the starter derives the execution name: a fresh
   * UUID the client sent with the start, directly or in the queue message.
   *
   * @return the key
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * When the client asked for the start, by its clock, just before calling the starter or sending
   * the message.
   *
   * @return the time of the request
   */
  public Instant requestedAt() {
    return requestedAt;
  }

  /**
   * Compares all values.
   *
   * @param other the object to compare with
   * @return whether {@code other} is a start with the same values
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof TaskStart that
        && taskId.equals(that.taskId)
        && Objects.equals(timestamp, that.timestamp)
        && Objects.equals(executionArn, that.executionArn)
        && Objects.equals(messageId, that.messageId)
        && duplicate == that.duplicate
        && idempotencyKey.equals(that.idempotencyKey)
        && requestedAt.equals(that.requestedAt);
  }

  /**
   * A hash of all values.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(
        taskId, timestamp, executionArn, messageId, duplicate, idempotencyKey, requestedAt);
  }

  /**
   * The values, for logs.
   *
   * @return for example {@code TaskStart[taskId=Breakfast, timestamp=1795617326.12345, ...]}
   */
  @Override
  public String toString() {
    return "TaskStart[taskId="
        + taskId
        + ", timestamp="
        + (timestamp == null ? null : timestamp.toPlainString())
        + ", executionArn="
        + executionArn
        + ", messageId="
        + messageId
        + ", duplicate="
        + duplicate
        + ", idempotencyKey="
        + idempotencyKey
        + ", requestedAt="
        + requestedAt
        + "]";
  }
}
