package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Finds the item of one start, read after read, without paging the task's history: each read
 * queries only the window of timestamps the start's item can have, and once the item is found, its
 * own key.
 *
 * <ul>
 *   <li>A direct start's item is at the start's timestamp, or, when another start of the task took
 *       that one first, at one of the next {@value #MAX_MOVE_SECONDS} whole seconds: the window is
 *       {@code [timestamp, floor(timestamp) + }{@value #MAX_MOVE_SECONDS}{@code ]}, searched up.
 *   <li>A queued start's item, and a duplicate's (which has no timestamp), was started by the
 *       starter at or after the client asked for the start, by the starter's clock: the window is
 *       every timestamp from {@link TaskStart#requestedAt()} less {@link
 *       TaskStatusClient#CLOCK_SKEW_ALLOWANCE} (the client's clock may be ahead of Lambda's),
 *       searched down from the newest, where the start's item is soonest found.
 *   <li>A redrive's item is the item it redrove, which the client read just before: its key is
 *       known, and it is read by that key from the first read on.
 * </ul>
 *
 * <p>The item is the start's when its {@code ExecutionArn} is the start's execution: the ARN the
 * starter answered, or in queue mode the ARN whose execution name is {@link
 * ExecutionNames#of(String, String)} of the task id and the start's idempotency key.
 */
final class StartItemSearch implements Supplier<Optional<TaskRecord>> {

  /**
   * How many whole seconds past its timestamp a colliding start's item may move: the state
   * machine's moves, {@code floor(timestamp) + 1} to {@code floor(timestamp) + 10}.
   */
  static final int MAX_MOVE_SECONDS = TaskStart.MAX_MOVE_SECONDS;

  private final TaskTable table;
  private final String taskId;
  private final Predicate<TaskRecord> owned;
  private final BigDecimal from;
  private final BigDecimal to;
  private BigDecimal found;

  private StartItemSearch(
      TaskTable table, String taskId, Predicate<TaskRecord> owned, BigDecimal from, BigDecimal to) {
    this.table = table;
    this.taskId = taskId;
    this.owned = owned;
    this.from = from;
    this.to = to;
  }

  /** A search that starts at the item's own key, for an item already read once. */
  private StartItemSearch found(BigDecimal timestamp) {
    this.found = timestamp;
    return this;
  }

  /** The search for this start's item. */
  static StartItemSearch of(TaskTable table, TaskStart start, Duration clockSkewAllowance) {
    Objects.requireNonNull(table, "table");
    BigDecimal earliest =
        EpochSeconds.of(start.requestedAt().minus(clockSkewAllowance)).max(BigDecimal.ZERO);
    if (start.executionArn().isPresent()) {
      String arn = start.executionArn().get();
      Predicate<TaskRecord> owned = record -> record.executionArn().equals(arn);
      if (start.redriveCount() > 0) {
        BigDecimal timestamp = start.timestamp().orElseThrow();
        return new StartItemSearch(table, start.taskId(), owned, timestamp, timestamp)
            .found(timestamp);
      }
      if (start.timestamp().isPresent()) {
        BigDecimal timestamp = start.timestamp().get();
        BigDecimal last =
            timestamp.setScale(0, RoundingMode.FLOOR).add(BigDecimal.valueOf(MAX_MOVE_SECONDS));
        return new StartItemSearch(table, start.taskId(), owned, timestamp, last);
      }
      return new StartItemSearch(table, start.taskId(), owned, earliest, null);
    }
    String name = ExecutionNames.of(start.taskId(), start.idempotencyKey());
    return new StartItemSearch(
        table, start.taskId(), record -> hasName(record.executionArn(), name), earliest, null);
  }

  /**
   * Whether the execution ARN names this execution: {@code
   * arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>}, or for an Express
   * execution {@code ...:express:<state machine>:<name>:<id>}. Neither name may contain a colon.
   */
  static boolean hasName(String executionArn, String name) {
    String[] parts = executionArn.split(":", -1);
    return parts.length >= 8 && parts[7].equals(name);
  }

  /** Reads the start's item: at its key once found, else in the window. */
  @Override
  public Optional<TaskRecord> get() {
    if (found != null) {
      Optional<TaskRecord> again = table.at(taskId, found, owned);
      if (again.isPresent()) {
        return again;
      }
      found = null;
    }
    Optional<TaskRecord> seen = table.firstIn(taskId, from, to, to == null, owned);
    seen.ifPresent(record -> found = record.timestamp());
    return seen;
  }
}
