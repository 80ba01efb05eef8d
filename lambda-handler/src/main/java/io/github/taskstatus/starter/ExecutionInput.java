package io.github.taskstatus.starter;

import io.github.taskstatus.client.TaskStart;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The input of a task's execution: the task id and timestamp, and the Unix times the state machine
 * needs but must not compute. Step Functions' {@code States.MathAdd} takes 32-bit integers only
 * ("in the range of -2147483648 and 2147483647", intrinsic functions reference), and Unix seconds
 * leave that range on 2038-01-19, so every sum of a Unix time is made here, where numbers are not
 * limited:
 *
 * <ul>
 *   <li>{@code moves}: the {@value #MOVES} whole seconds after the timestamp, where the state
 *       machine (and the reconciler) put the item when another start of the task holds the
 *       timestamp;
 *   <li>{@code expiresAt}, with a retention: when DynamoDB's Time to Live may delete the finished
 *       item, counted from the latest moment the execution can end (the timestamp's second plus the
 *       state machine's timeout), so an item never expires before it is final;
 *   <li>{@code deadline}, with the sweeper: when an item still {@code STARTED} is overdue (the
 *       latest moment the execution can end, plus a grace period), as an ISO-8601 UTC time with
 *       milliseconds, the form of {@code $$.State.EnteredTime}, so the sweeper compares the two as
 *       strings: ASL has no intrinsic that gives Unix seconds.
 * </ul>
 *
 * @param timeoutSeconds the state machine's timeout
 * @param retentionSeconds how long a finished item is kept, or empty to keep it for ever
 * @param graceSeconds how long past its timeout an item may stay open, or empty without a sweeper
 */
record ExecutionInput(
    long timeoutSeconds, Optional<Long> retentionSeconds, Optional<Long> graceSeconds) {

  /** How many later seconds a start may move to: as many as the client searches. */
  static final int MOVES = TaskStart.MAX_MOVE_SECONDS;

  /** The variable holding the state machine's timeout in seconds. */
  static final String TIMEOUT_VARIABLE = "TASK_TIMEOUT_SECONDS";

  /** The variable holding the retention in seconds, set only when items expire. */
  static final String RETENTION_VARIABLE = "RETENTION_SECONDS";

  /** The variable holding the deadline's grace period in seconds, set only with a sweeper. */
  static final String GRACE_VARIABLE = "DEADLINE_GRACE_SECONDS";

  /** {@code $$.State.EnteredTime}'s form: UTC, milliseconds, so strings sort as times do. */
  private static final DateTimeFormatter DEADLINE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * Reads the settings the construct puts in the function's environment.
   *
   * @throws IllegalStateException naming a missing or malformed variable
   */
  static ExecutionInput fromEnvironment(UnaryOperator<String> env) {
    String timeout = env.apply(TIMEOUT_VARIABLE);
    if (timeout == null || timeout.isBlank()) {
      throw new IllegalStateException(
          TIMEOUT_VARIABLE
              + " is not set; the TaskStatusWorkflow construct sets it to the state machine's"
              + " timeout in seconds");
    }
    return new ExecutionInput(
        positive(TIMEOUT_VARIABLE, timeout),
        optional(env, RETENTION_VARIABLE),
        optional(env, GRACE_VARIABLE));
  }

  private static Optional<Long> optional(UnaryOperator<String> env, String name) {
    String value = env.apply(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(positive(name, value));
  }

  private static long positive(String name, String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      if (seconds > 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // Reported below, with the variable's name.
    }
    throw new IllegalStateException(name + " must be a positive whole number of seconds");
  }

  /** The execution input for a start of {@code taskId} at {@code timestamp}, as JSON. */
  String toJson(String taskId, BigDecimal timestamp) {
    long second = timestamp.setScale(0, RoundingMode.FLOOR).longValueExact();
    long firstMove = second + 1;
    return Json.object(
        g -> {
          g.writeStringField("taskId", taskId);
          g.writeNumberField("timestamp", timestamp);
          g.writeArrayFieldStart("moves");
          for (int i = 0; i < MOVES; i++) {
            g.writeNumber(firstMove + i);
          }
          g.writeEndArray();
          if (retentionSeconds.isPresent()) {
            g.writeNumberField("expiresAt", second + timeoutSeconds + retentionSeconds.get());
          }
          if (graceSeconds.isPresent()) {
            g.writeStringField(
                "deadline",
                DEADLINE.format(
                    Instant.ofEpochSecond(second + timeoutSeconds + graceSeconds.get())));
          }
        });
  }
}
