package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads the items the workflow writes. An item that is not what the workflow writes (a missing
 * attribute, a wrong type, an unknown status) fails with a message naming the item and the
 * attribute, rather than being skipped: silently missing starts would be worse.
 */
final class TaskItems {
  static final String TASK_ID = "taskId";
  static final String TIMESTAMP = "timestamp";
  static final String STATUS = "Status";
  static final String EXECUTION_ARN = "ExecutionArn";
  static final String UPDATED_AT = "UpdatedAt";
  static final String ERROR = "Error";
  static final String CAUSE = "Cause";
  static final String EXPIRES_AT = "ExpiresAt";
  static final String REQUESTED_TIMESTAMP = "RequestedTimestamp";
  static final String FAILED_INDEX_KEY = "FailedIndexKey";
  static final String OPEN_INDEX_KEY = "OpenIndexKey";
  static final String DEADLINE = "Deadline";
  static final String REDRIVE_COUNT = "RedriveCount";
  static final String ATTEMPTS = "Attempts";
  // An Attempts entry's own attributes; its Status and Error are named as the item's are.
  static final String ATTEMPT = "Attempt";
  static final String AT = "At";
  static final String PROGRESS = "Progress";
  static final String PROGRESS_MESSAGE = "ProgressMessage";
  static final String PROGRESS_AT = "ProgressAt";

  /**
   * The one form the workflow writes {@code Deadline} in, that of {@code $$.State.EnteredTime}, and
   * a worker {@code ProgressAt}: UTC with milliseconds. The open-task index sorts deadlines as
   * strings, which is time order only while every deadline has this form, so any other (no
   * milliseconds, an offset) is refused rather than read.
   */
  static final DateTimeFormatter UTC_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(ZoneOffset.UTC)
          .withResolverStyle(ResolverStyle.STRICT);

  private TaskItems() {}

  /**
   * The record an item holds.
   *
   * @throws TaskStatusException if the item is not one the workflow writes
   */
  static TaskRecord toRecord(Map<String, AttributeValue> item) {
    String taskId = requiredString(item, TASK_ID, "?");
    BigDecimal timestamp = requiredNumber(item, TIMESTAMP, taskId);
    String where = describe(taskId, timestamp);
    return new TaskRecord(
        taskId,
        timestamp,
        status(requiredString(item, STATUS, where), where),
        instant(requiredString(item, UPDATED_AT, where), UPDATED_AT, where),
        requiredString(item, EXECUTION_ARN, where),
        optionalString(item, ERROR, where),
        optionalString(item, CAUSE, where),
        optionalNumber(item, EXPIRES_AT, where).map(seconds -> epoch(seconds, EXPIRES_AT, where)),
        optionalNumber(item, REQUESTED_TIMESTAMP, where),
        optionalNumber(item, REDRIVE_COUNT, where)
            .map(count -> redriveCount(count, REDRIVE_COUNT, where))
            .orElse(0),
        optionalString(item, DEADLINE, where).map(deadline -> utcMillis(deadline, DEADLINE, where)),
        attempts(item, where),
        progress(item, where));
  }

  /**
   * The worker's progress: {@code Progress} (N, a whole number from 0 to 100), {@code ProgressAt}
   * (S, required with it, in {@link #UTC_MILLIS}) and {@code ProgressMessage} (S, optional). An
   * item without {@code Progress} has none, whatever else it holds.
   */
  private static Optional<TaskProgress> progress(Map<String, AttributeValue> item, String where) {
    Optional<BigDecimal> percent = optionalNumber(item, PROGRESS, where);
    if (percent.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new TaskProgress(
            percent(percent.get(), where),
            optionalString(item, PROGRESS_MESSAGE, where),
            utcMillis(requiredString(item, PROGRESS_AT, where), PROGRESS_AT, where)));
  }

  private static int percent(BigDecimal percent, String where) {
    if (percent.signum() >= 0
        && percent.compareTo(BigDecimal.valueOf(TaskProgress.MAX_PERCENT)) <= 0
        && percent.stripTrailingZeros().scale() <= 0) {
      return percent.intValueExact();
    }
    throw notA(
        where,
        PROGRESS,
        percent.toPlainString(),
        "a percentage (a whole number from 0 to 100)",
        null);
  }

  /**
   * The {@code Attempts} history, in the order the workflow appended it: a list of maps, each
   * {@code {Attempt (N), Status (S), At (S)}} and, for a failure or a cancellation, {@code Error
   * (S)}. None on items written before the workflow recorded attempts, nor on an item none of whose
   * attempts finished.
   */
  private static List<TaskAttempt> attempts(Map<String, AttributeValue> item, String where) {
    AttributeValue value = item.get(ATTEMPTS);
    if (value == null) {
      return List.of();
    }
    if (!value.hasL()) {
      throw wrongType(ATTEMPTS, "L", value, where);
    }
    List<TaskAttempt> attempts = new ArrayList<>(value.l().size());
    for (int i = 0; i < value.l().size(); i++) {
      attempts.add(attempt(value.l().get(i), ATTEMPTS + "[" + i + "]", where));
    }
    return attempts;
  }

  /** One entry of the history; {@code path} names it in messages, as {@code Attempts[1]}. */
  private static TaskAttempt attempt(AttributeValue value, String path, String where) {
    if (!value.hasM()) {
      throw wrongType(path, "M", value, where);
    }
    Map<String, AttributeValue> entry = value.m();
    String attempt = path + "." + ATTEMPT;
    String status = path + "." + STATUS;
    String at = path + "." + AT;
    return new TaskAttempt(
        redriveCount(requiredNumber(entry, ATTEMPT, attempt, where), attempt, where),
        finalStatus(requiredString(entry, STATUS, status, where), status, where),
        instant(requiredString(entry, AT, at, where), at, where),
        optionalString(entry, ERROR, path + "." + ERROR, where));
  }

  /** How an attempt ended: DONE, FAILED or CANCELLED, never STARTED. */
  private static TaskStatus finalStatus(String value, String name, String where) {
    for (TaskStatus status : TaskStatus.values()) {
      if (status.isFinal() && status.name().equals(value)) {
        return status;
      }
    }
    throw notA(where, name, quoted(value), "how an attempt ends (DONE, FAILED or CANCELLED)", null);
  }

  /** A redrive count: a whole number, 0 or more, as Step Functions counts redrives. */
  private static int redriveCount(BigDecimal count, String name, String where) {
    try {
      if (count.signum() >= 0) {
        return count.intValueExact();
      }
    } catch (ArithmeticException e) {
      // Not a whole number an int holds: reported below.
    }
    throw notA(
        where, name, count.toPlainString(), "a redrive count (a whole number, 0 or more)", null);
  }

  private static Instant utcMillis(String value, String name, String where) {
    try {
      return Instant.from(UTC_MILLIS.parse(value));
    } catch (DateTimeParseException e) {
      throw notA(
          where,
          name,
          quoted(value),
          "a UTC time with milliseconds such as 2026-01-01T12:00:00.123Z",
          e);
    }
  }

  private static String describe(String taskId, BigDecimal timestamp) {
    return "taskId '" + taskId + "', timestamp " + timestamp.toPlainString();
  }

  private static TaskStatus status(String value, String where) {
    try {
      return TaskStatus.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw new TaskStatusException(
          "the item ("
              + where
              + ") has the unknown Status '"
              + value
              + "'; this client knows STARTED, DONE, FAILED and CANCELLED (was the item"
              + " written by a newer workflow, or by hand?)");
    }
  }

  private static Instant instant(String value, String name, String where) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw notA(
          where, name, quoted(value), "an ISO-8601 instant such as 2026-01-01T12:00:00.123Z", e);
    }
  }

  private static Instant epoch(BigDecimal seconds, String name, String where) {
    try {
      return EpochSeconds.toInstant(seconds);
    } catch (ArithmeticException e) {
      throw notA(where, name, seconds.toPlainString(), "a time in Unix seconds", e);
    }
  }

  private static String requiredString(
      Map<String, AttributeValue> item, String name, String where) {
    return requiredString(item, name, name, where);
  }

  /**
   * The string under {@code key} in {@code attributes} (the item or a map within it), which
   * messages call {@code name}.
   */
  private static String requiredString(
      Map<String, AttributeValue> attributes, String key, String name, String where) {
    return optionalString(attributes, key, name, where)
        .orElseThrow(() -> missing(name, "S", where));
  }

  private static BigDecimal requiredNumber(
      Map<String, AttributeValue> item, String name, String where) {
    return requiredNumber(item, name, name, where);
  }

  private static BigDecimal requiredNumber(
      Map<String, AttributeValue> attributes, String key, String name, String where) {
    return optionalNumber(attributes, key, name, where)
        .orElseThrow(() -> missing(name, "N", where));
  }

  private static Optional<String> optionalString(
      Map<String, AttributeValue> item, String name, String where) {
    return optionalString(item, name, name, where);
  }

  private static Optional<String> optionalString(
      Map<String, AttributeValue> attributes, String key, String name, String where) {
    AttributeValue value = attributes.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value.s() == null) {
      throw wrongType(name, "S", value, where);
    }
    return Optional.of(value.s());
  }

  private static Optional<BigDecimal> optionalNumber(
      Map<String, AttributeValue> item, String name, String where) {
    return optionalNumber(item, name, name, where);
  }

  private static Optional<BigDecimal> optionalNumber(
      Map<String, AttributeValue> attributes, String key, String name, String where) {
    AttributeValue value = attributes.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value.n() == null) {
      throw wrongType(name, "N", value, where);
    }
    try {
      return Optional.of(new BigDecimal(value.n()));
    } catch (NumberFormatException e) {
      throw notA(where, name, quoted(value.n()), "a number", e);
    }
  }

  /**
   * The item's attribute {@code name} holds {@code shown} (as the message shows it), which is not
   * {@code what} the workflow writes there.
   */
  private static TaskStatusException notA(
      String where, String name, String shown, String what, Throwable cause) {
    return new TaskStatusException(
        "the item (" + where + ") has " + name + " " + shown + ", which is not " + what, cause);
  }

  private static String quoted(String value) {
    return "'" + value + "'";
  }

  private static TaskStatusException missing(String name, String type, String where) {
    return new TaskStatusException(
        "the item ("
            + where
            + ") has no "
            + name
            + " ("
            + type
            + "); is this the table of a TaskStatusWorkflow?");
  }

  private static TaskStatusException wrongType(
      String name, String type, AttributeValue value, String where) {
    return new TaskStatusException(
        "the item ("
            + where
            + ") has "
            + name
            + " of type "
            + value.type()
            + "; the workflow writes it as "
            + type);
  }
}
