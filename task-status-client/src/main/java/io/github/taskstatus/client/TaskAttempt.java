package io.github.taskstatus.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One finished attempt of a start's execution, as an entry of its item's {@code Attempts} history
 * records it. The first attempt is 0; a redrive of the execution (the same execution and item, run
 * on from the step that did not succeed) is the next one.
 *
 * @param attempt which attempt it was: the execution's redrive count when it ended ({@code
 *     Attempt}), 0 for the first
 * @param status how it ended ({@code Status}): {@link TaskStatus#DONE}, {@link TaskStatus#FAILED}
 *     or {@link TaskStatus#CANCELLED}, never {@link TaskStatus#STARTED}
 * @param at when its end was recorded ({@code At}); for the item's latest attempt, the item's
 *     {@code UpdatedAt}
 * @param error the Step Functions error name of a failed or cancelled attempt ({@code Error}); its
 *     cause is kept only on the item, for the last failure
 */
public record TaskAttempt(int attempt, TaskStatus status, Instant at, Optional<String> error) {

  /**
   * Creates an entry; every value is required, an absent error is empty.
   *
   * @param attempt which attempt it was, 0 or more
   * @param status how it ended, {@code DONE}, {@code FAILED} or {@code CANCELLED}
   * @param at when its end was recorded
   * @param error the error name, if it failed with one
   * @throws NullPointerException naming the missing value
   * @throws IllegalArgumentException if the attempt is negative or the status is not final
   */
  public TaskAttempt {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(error, "error");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative, got " + attempt);
    }
    if (!status.isFinal()) {
      throw new IllegalArgumentException(
          "status must be DONE, FAILED or CANCELLED, the end of an attempt, got " + status);
    }
  }
}
