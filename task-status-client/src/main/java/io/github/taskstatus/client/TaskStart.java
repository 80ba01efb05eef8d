package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TaskStatusClient#start(String)} did: the execution the starter function started (or
 * recognised as already started), or, in queue mode, the message it sent. {@link
 * TaskStatusClient#redrive(String)} returns one too: the execution it redrove, whose attempt {@link
 * #redriveCount()} counts.
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
  private final int redriveCount;

  private TaskStart(
      String taskId,
      BigDecimal timestamp,
      String executionArn,
      String messageId,
      boolean duplicate,
      String idempotencyKey,
      Instant requestedAt,
      int redriveCount) {
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.timestamp = timestamp;
    this.executionArn = executionArn;
    this.messageId = messageId;
    this.duplicate = duplicate;
    this.idempotencyKey = Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    this.requestedAt = Objects.requireNonNull(requestedAt, "requestedAt");
    this.redriveCount = redriveCount;
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
        requestedAt,
        0);
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
        requestedAt,
        0);
  }

  /**
   * A redrive of the execution that owns {@code redriven}: the same item and execution, the next
   * attempt. The attempt is one more than the item's {@code RedriveCount}, which is the execution's
   * own count unless the writes of an earlier redrive were lost (then the execution's is higher).
   */
  static TaskStart redrive(TaskRecord redriven, String clientToken, Instant requestedAt) {
    return new TaskStart(
        redriven.taskId(),
        redriven.timestamp(),
        redriven.executionArn(),
        null,
        false,
        Objects.requireNonNull(clientToken, "clientToken"),
        requestedAt,
        Math.addExact(redriven.redriveCount(), 1));
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
   * start of the task in the same 10 µs moves the item to a later one. For a redrive, the redriven
   * item's own timestamp, as DynamoDB returned it.
   *
   * @return the timestamp; empty in queue mode and for a duplicate (whose item {@code await} finds
   *     by its {@link #executionArn()})
   */
  public Optional<BigDecimal> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  /**
   * The execution started, which owns the task's new item; for a redrive, the execution redriven,
   * which keeps its ARN and its item.
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
   * @return {@code true} for a duplicate; always {@code false} in queue mode and for a redrive
   */
  public boolean duplicate() {
    return duplicate;
  }

  /**
   * The idempotency key of this start, from which the starter derives the execution name: a fresh
   * UUID the client sent with the start, directly or in the queue message. For a redrive, the fresh
   * UUID sent as {@code RedriveExecution}'s client token, so that the SDK's retries of that call
   * redrive the execution once; the execution keeps its name.
   *
   * @return the key
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * When the client asked for the start, by its clock, just before calling the starter or sending
   * the message (or redriving the execution).
   *
   * @return the time of the request
   */
  public Instant requestedAt() {
    return requestedAt;
  }

  /**
   * Which attempt of its execution this start is, as Step Functions counts redrives ({@code
   * $$.Execution.RedriveCount}, which the workflow writes to the item as {@code RedriveCount}): 0
   * for a new execution. For a redrive, one more than the item's {@code RedriveCount} when it was
   * redriven: the attempt's count, or, if the writes of an earlier redrive were lost, less than it.
   * {@link TaskStatusClient#await(TaskStart, java.time.Duration)} returns a final item only once an
   * attempt this high or higher has written it.
   *
   * @return 0 for a start; 1 or more for a redrive
   */
  public int redriveCount() {
    return redriveCount;
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
        && requestedAt.equals(that.requestedAt)
        && redriveCount == that.redriveCount;
  }

  /**
   * A hash of all values.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(
        taskId,
        timestamp,
        executionArn,
        messageId,
        duplicate,
        idempotencyKey,
        requestedAt,
        redriveCount);
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
        + ", redriveCount="
        + redriveCount
        + "]";
  }
}
