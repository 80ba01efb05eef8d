package io.github.taskstatus.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a running task's worker says it is, as its item's {@code Progress}, {@code
 * ProgressMessage} and {@code ProgressAt} record it. A {@link TaskWorker} writes it with {@link
 * TaskWorker#progress(TaskWork, int, String)} while the item is {@code STARTED}; it only ever
 * increases within one attempt.
 *
 * @param percent how much of the work is done ({@code Progress}), a whole number from 0 to 100
 * @param message what the worker said with it ({@code ProgressMessage}), if anything
 * @param at when the worker recorded it ({@code ProgressAt}), by the worker's clock, to the
 *     millisecond
 */
public record TaskProgress(int percent, Optional<String> message, Instant at) {

  /** The highest percentage: the work is done. */
  public static final int MAX_PERCENT = 100;

  /** The longest message a worker may record, in characters ({@link String#length()}). */
  public static final int MAX_MESSAGE_LENGTH = 1000;

  /**
   * Creates a progress report.
   *
   * @param percent from 0 to 100
   * @param message the message, if any
   * @param at when it was recorded
   * @throws NullPointerException naming the missing value
   * @throws IllegalArgumentException if the percentage is outside 0 to 100
   */
  public TaskProgress {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(at, "at");
    if (percent < 0 || percent > MAX_PERCENT) {
      throw new IllegalArgumentException("percent must be from 0 to 100, got " + percent);
    }
  }
}
