package io.github.taskstatus.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Checks at the edge, with messages that name the argument. Task ids follow the starter's own
 * rules, so a bad id fails here, with the same message, before any AWS call.
 */
final class Arguments {

  /** The starter's limit: half of DynamoDB's 2048-byte partition key. */
  static final int MAX_TASK_ID_BYTES = 1024;

  private Arguments() {}

  /**
   * Returns a valid task id.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is blank, too long or not printable Unicode text
   */
  static String taskId(String taskId) {
    Objects.requireNonNull(taskId, "taskId must not be null");
    if (taskId.isBlank()) {
      throw new IllegalArgumentException("taskId must not be blank");
    }
    for (int i = 0; i < taskId.length(); i++) {
      char c = taskId.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < taskId.length()
          && Character.isLowSurrogate(taskId.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            String.format(
                "taskId has an unpaired surrogate U+%04X at index %d;"
                    + " it must be valid Unicode text",
                (int) c, i));
      } else if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            String.format(
                "taskId has the control character U+%04X at index %d; it must be printable text",
                (int) c, i));
      }
    }
    int bytes = taskId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_TASK_ID_BYTES) {
      throw new IllegalArgumentException(
          "taskId is " + bytes + " bytes in UTF-8; the maximum is " + MAX_TASK_ID_BYTES);
    }
    return taskId;
  }

  /** Step Functions' limit on a {@code cause}, in characters. */
  static final int MAX_CAUSE_LENGTH = 32768;

  /**
   * Returns a valid cancellation reason, which becomes the stopped execution's cause.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is blank or longer than Step Functions' cause
   */
  static String reason(String reason) {
    nonBlank(reason, "reason");
    if (reason.length() > MAX_CAUSE_LENGTH) {
      throw new IllegalArgumentException(
          "reason is "
              + reason.length()
              + " characters; the maximum is "
              + MAX_CAUSE_LENGTH
              + ", Step Functions' limit on a cause");
    }
    return reason;
  }

  /**
   * Returns a non-blank value.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is blank
   */
  static String nonBlank(String value, String name) {
    Objects.requireNonNull(value, () -> name + " must not be null");
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  /**
   * Returns a duration that is zero or more.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is negative
   */
  static Duration notNegative(Duration value, String name) {
    Objects.requireNonNull(value, () -> name + " must not be null");
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }

  /**
   * Returns a duration that is more than zero.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is zero or negative
   */
  static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, () -> name + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }
}
