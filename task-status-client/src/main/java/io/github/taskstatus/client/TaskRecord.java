package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One start of a task, as its item in the table records it.
 *
 * @param taskId the task id, the item's partition key
 * @param timestamp the item's sort key: Unix seconds, usually with five decimals, as DynamoDB
 *     returns it (it keeps a number's value, not its text: {@code 1795617326.12340} comes back as
 *     {@code 1795617326.1234}, so compare timestamps with {@code compareTo}, not {@code equals})
 * @param status the status
 * @param updatedAt when the status last changed ({@code UpdatedAt})
 * @param executionArn the Step Functions execution that owns the item
 * @param error the Step Functions error name, when {@code FAILED}; a {@code DONE} item that a
 *     redrive finished keeps the error of the failure it recovered from
 * @param cause the error's cause, when {@code FAILED}, or with {@code error} after a redrive
 * @param expiresAt when DynamoDB's Time to Live may delete the item, when the workflow has a
 *     retention period
 * @param requestedTimestamp the timestamp the start asked for, when a collision with another start
 *     of the same task in the same 10 µs moved the item to a later one
 * @param redriveCount which attempt of the execution last wrote the item ({@code RedriveCount}):
 *     the execution's redrive count, 0 for its first attempt and for items written before the
 *     workflow recorded attempts
 * @param deadline when the item, while {@code STARTED}, counts as overdue ({@code Deadline}: the
 *     start's second plus the state machine's timeout plus a grace period), when the workflow has
 *     the sweeper; a finished item keeps it, and an item reopened for a redrive keeps its first
 *     attempt's
 * @param attempts the item's history ({@code Attempts}): one entry per finished attempt of its
 *     execution, in the order they finished, so a redriven item that failed and then succeeded has
 *     {@code [0 FAILED, 1 DONE]}; empty for an item still {@code STARTED} in its first attempt and
 *     for items written before the workflow recorded attempts (such an item, redriven later, has
 *     only the entries of the attempts that finished since)
 * @param progress how far the task's worker says it is ({@code Progress}, {@code ProgressMessage},
 *     {@code ProgressAt}), in worker mode; empty while no worker has reported any, and in other
 *     modes. Reopening an item for a redrive removes the earlier attempt's progress: the new
 *     attempt's worker reports from 0
 */
public record TaskRecord(
    String taskId,
    BigDecimal timestamp,
    TaskStatus status,
    Instant updatedAt,
    String executionArn,
    Optional<String> error,
    Optional<String> cause,
    Optional<Instant> expiresAt,
    Optional<BigDecimal> requestedTimestamp,
    int redriveCount,
    Optional<Instant> deadline,
    List<TaskAttempt> attempts,
    Optional<TaskProgress> progress) {

  /**
   * Creates a record; every value is required, absent optional attributes are empty. The record
   * keeps an unmodifiable copy of {@code attempts}.
   *
   * @param taskId the task id
   * @param timestamp the sort key, in Unix seconds
   * @param status the status
   * @param updatedAt when the status last changed
   * @param executionArn the execution that owns the item
   * @param error the error name, if any
   * @param cause the error's cause, if any
   * @param expiresAt when the item may expire, if ever
   * @param requestedTimestamp the timestamp the start asked for, if a collision moved it
   * @param redriveCount the attempt that last wrote the item, 0 or more
   * @param deadline when the item counts as overdue while open, if the workflow sets one
   * @param attempts the finished attempts, in the order they finished; empty if none is recorded
   * @param progress the worker's progress, if it reported any
   * @throws NullPointerException naming the missing value, or if an attempt is {@code null}
   * @throws IllegalArgumentException if the redrive count is negative
   */
  public TaskRecord {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(executionArn, "executionArn");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(requestedTimestamp, "requestedTimestamp");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(attempts, "attempts");
    Objects.requireNonNull(progress, "progress");
    attempts.forEach(attempt -> Objects.requireNonNull(attempt, "attempts element"));
    attempts = List.copyOf(attempts);
    if (redriveCount < 0) {
      throw new IllegalArgumentException("redriveCount must not be negative, got " + redriveCount);
    }
  }

  /**
   * Creates a record of an item without {@code RedriveCount}, {@code Deadline}, {@code Attempts}
   * and progress: the first attempt's, without a deadline, a history or progress. This is the
   * constructor the record had before it recorded attempts, deadlines and progress, kept so that
   * code calling it still compiles and links.
   *
   * @param taskId the task id
   * @param timestamp the sort key, in Unix seconds
   * @param status the status
   * @param updatedAt when the status last changed
   * @param executionArn the execution that owns the item
   * @param error the error name, if any
   * @param cause the error's cause, if any
   * @param expiresAt when the item may expire, if ever
   * @param requestedTimestamp the timestamp the start asked for, if a collision moved it
   * @throws NullPointerException naming the missing value
   */
  public TaskRecord(
      String taskId,
      BigDecimal timestamp,
      TaskStatus status,
      Instant updatedAt,
      String executionArn,
      Optional<String> error,
      Optional<String> cause,
      Optional<Instant> expiresAt,
      Optional<BigDecimal> requestedTimestamp) {
    this(
        taskId,
        timestamp,
        status,
        updatedAt,
        executionArn,
        error,
        cause,
        expiresAt,
        requestedTimestamp,
        0,
        Optional.empty(),
        List.of(),
        Optional.empty());
  }

  /**
   * When the task started: the {@link #timestamp()} as an instant, fraction included.
   *
   * @return the start time, to the microsecond the timestamp carries
   */
  public Instant startedAt() {
    return EpochSeconds.toInstant(timestamp);
  }

  /** Whether Time to Live may already have deleted the item: DynamoDB takes up to days. */
  boolean isExpiredAt(Instant now) {
    return expiresAt.map(expiry -> !expiry.isAfter(now)).orElse(false);
  }
}
