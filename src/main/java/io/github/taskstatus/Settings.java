package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.TimeConversionOptions;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * The props with every default applied, after validation: the one place where defaults and limits
 * live. Validation collects every problem and reports them together, each naming the prop, the
 * value and what is allowed.
 */
record Settings(
    Duration waitDuration,
    StateMachineType type,
    Duration timeout,
    RemovalPolicy removalPolicy,
    LogLevel logLevel,
    RetentionDays logRetention,
    boolean includeExecutionData,
    boolean tracing,
    boolean alarms,
    QueueSettings queue,
    boolean snapStart,
    Duration retention,
    boolean failedTaskIndex,
    boolean dashboard,
    boolean sweeper,
    Duration sweepInterval,
    WorkerSettings worker,
    boolean statusEvents) {

  static final Duration DEFAULT_WAIT = Duration.seconds(30);
  static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.ALL;
  static final RetentionDays DEFAULT_LOG_RETENTION = RetentionDays.THREE_MONTHS;

  /** Room for the DynamoDB steps and their retries after the work. */
  static final long DYNAMODB_STEPS_SECONDS = 300;

  /** The least a timeout must exceed the wait by. */
  static final long MIN_TIMEOUT_MARGIN_SECONDS = 10;

  static final long DEFAULT_WORK_TIMEOUT_SECONDS = 3600;
  static final long STANDARD_MAX_SECONDS = 365L * 24 * 3600;
  static final long EXPRESS_MAX_SECONDS = 300;
  static final long MIN_RETENTION_SECONDS = 3600;

  /** Ten years, leap days included: what {@code Duration.days(3653)} gives. */
  static final long MAX_RETENTION_SECONDS = 3653L * 24 * 3600;

  /** How long after an execution's timeout its item may stay STARTED before a sweep resolves it. */
  static final long SWEEP_GRACE_SECONDS = 300;

  static final Duration DEFAULT_SWEEP_INTERVAL = Duration.minutes(5);
  static final long MIN_SWEEP_INTERVAL_SECONDS = 60;
  static final long MAX_SWEEP_INTERVAL_SECONDS = 24 * 3600;

  private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");

  static Settings of(TaskStatusWorkflowProps props) {
    List<String> problems = new ArrayList<>();
    StateMachineType type =
        props.getStateMachineType() != null
            ? props.getStateMachineType()
            : StateMachineType.STANDARD;
    final long maxSeconds =
        type == StateMachineType.EXPRESS ? EXPRESS_MAX_SECONDS : STANDARD_MAX_SECONDS;

    if (props.getWork() != null && props.getWaitDuration() != null) {
      problems.add(
          "work and waitDuration cannot both be set: waitDuration configures the default"
              + " Wait step that work replaces");
    }
    if (props.getExistingTable() != null
        && (props.getTableName() != null || props.getRemovalPolicy() != null)) {
      problems.add(
          "existingTable cannot be combined with tableName or removalPolicy: they"
              + " configure the table this construct would create");
    }
    String tableName = props.getTableName();
    if (tableName != null
        && !Token.isUnresolved(tableName)
        && !TABLE_NAME.matcher(tableName).matches()) {
      problems.add(
          "tableName must be 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.'; got '"
              + tableName
              + "'");
    }

    final WorkerSettings worker = WorkerSettings.of(props, type, problems);
    Duration wait =
        props.getWork() != null || worker != null
            ? null
            : props.getWaitDuration() != null ? props.getWaitDuration() : DEFAULT_WAIT;
    long maxWait = maxSeconds - MIN_TIMEOUT_MARGIN_SECONDS;
    checkSeconds(
        problems,
        "waitDuration",
        wait,
        1,
        maxWait,
        ": "
            + type
            + " executions last at most "
            + human(maxSeconds)
            + ", less "
            + MIN_TIMEOUT_MARGIN_SECONDS
            + " s for the DynamoDB steps");

    Duration timeout = props.getTimeout();
    if (worker != null && !worker.workTimeout().isUnresolved()) {
      // The worker's time is the wait: the timeout must leave room for the DynamoDB steps.
      checkSeconds(
          problems,
          "timeout",
          timeout,
          (long) seconds(worker.workTimeout()) + MIN_TIMEOUT_MARGIN_SECONDS,
          maxSeconds,
          ": at least "
              + MIN_TIMEOUT_MARGIN_SECONDS
              + " s more than worker.workTimeout, "
              + human(seconds(worker.workTimeout())));
    }
    boolean knownWait = wait != null && !wait.isUnresolved();
    checkSeconds(
        problems,
        "timeout",
        worker != null ? null : timeout,
        knownWait ? (long) Math.ceil(seconds(wait)) + MIN_TIMEOUT_MARGIN_SECONDS : 1,
        maxSeconds,
        knownWait
            ? ": at least "
                + MIN_TIMEOUT_MARGIN_SECONDS
                + " s more than the wait of "
                + human(seconds(wait))
                + ", at most what "
                + type
                + " executions may last"
            : ": at most what " + type + " executions may last");
    boolean alarms = !Boolean.FALSE.equals(props.getAlarms());
    if (props.getAlarmTopic() != null && !alarms) {
      problems.add("alarmTopic needs alarms: alarms is false, so there is nothing to notify it");
    }
    LogLevel logLevel = props.getLogLevel() != null ? props.getLogLevel() : DEFAULT_LOG_LEVEL;
    boolean includeExecutionData = Boolean.TRUE.equals(props.getIncludeExecutionData());
    if (includeExecutionData && logLevel == LogLevel.OFF) {
      problems.add(
          "includeExecutionData needs logging: logLevel is OFF, so no execution data"
              + " would be logged");
    }

    final QueueSettings queue = QueueSettings.of(props, problems);
    boolean snapStartSupported =
        Boolean.TRUE.equals(StarterFunction.RUNTIME.getSupportsSnapStart());
    if (Boolean.TRUE.equals(props.getSnapStart()) && !snapStartSupported) {
      problems.add(
          "snapStart is true, but the starter's runtime "
              + StarterFunction.RUNTIME.getName()
              + " does not support SnapStart");
    }

    checkSeconds(
        problems,
        "retention",
        props.getRetention(),
        MIN_RETENTION_SECONDS,
        MAX_RETENTION_SECONDS,
        ": 1 hour to 10 years, leap days included");

    boolean sweeper =
        props.getSweeper() != null ? props.getSweeper() : props.getExistingTable() == null;
    if (props.getSweepInterval() != null && !sweeper) {
      problems.add("sweepInterval needs the sweeper: sweeper is false");
    }
    checkSeconds(
        problems,
        "sweepInterval",
        props.getSweepInterval(),
        MIN_SWEEP_INTERVAL_SECONDS,
        MAX_SWEEP_INTERVAL_SECONDS,
        ": whole minutes, 1 minute to 1 day");
    Duration sweepInterval =
        props.getSweepInterval() != null ? props.getSweepInterval() : DEFAULT_SWEEP_INTERVAL;
    if (!sweepInterval.isUnresolved() && seconds(sweepInterval) % 60 != 0) {
      problems.add(
          "sweepInterval must be whole minutes: a rate schedule's unit; got "
              + human(seconds(sweepInterval)));
    }

    boolean statusEvents =
        Boolean.TRUE.equals(props.getStatusEvents()) || props.getStatusEventBus() != null;
    if (Boolean.FALSE.equals(props.getStatusEvents()) && props.getStatusEventBus() != null) {
      problems.add("statusEventBus needs status events: statusEvents is false");
    }
    if (statusEvents
        && props.getExistingTable() != null
        && props.getExistingTable().getTableStreamArn() == null) {
      problems.add(
          "statusEvents with existingTable needs the table's stream: import it with"
              + " Table.fromTableAttributes(...).tableStreamArn(...), its stream view type"
              + " NEW_AND_OLD_IMAGES (or NEW_IMAGE)");
    }

    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid TaskStatusWorkflow props:\n - " + String.join("\n - ", problems));
    }

    if (timeout == null) {
      timeout = worker != null ? worker.defaultTimeout() : defaultTimeout(wait, maxSeconds);
    }
    RemovalPolicy removal =
        props.getRemovalPolicy() != null ? props.getRemovalPolicy() : RemovalPolicy.RETAIN;
    return new Settings(
        wait,
        type,
        timeout,
        removal,
        logLevel,
        props.getLogRetention() != null ? props.getLogRetention() : DEFAULT_LOG_RETENTION,
        includeExecutionData,
        !Boolean.FALSE.equals(props.getTracing()),
        alarms,
        queue,
        props.getSnapStart() != null ? props.getSnapStart() : snapStartSupported,
        props.getRetention(),
        Boolean.TRUE.equals(props.getFailedTaskIndex()),
        Boolean.TRUE.equals(props.getDashboard()),
        sweeper,
        sweeper ? sweepInterval : null,
        worker,
        statusEvents);
  }

  /**
   * Adds a problem unless {@code value} is null, a token, or whole seconds in [min, max]. Every
   * duration in the message is given as people write it and in seconds: {@code 1 h (3600 s)}.
   *
   * @param why what the range comes from, appended to it (": ..."), or an empty string
   */
  static void checkSeconds(
      List<String> problems, String prop, Duration value, long min, long max, String why) {
    if (value == null || value.isUnresolved()) {
      return;
    }
    double seconds = seconds(value);
    if (seconds != Math.rint(seconds) || seconds < min || seconds > max) {
      problems.add(
          prop
              + " must be whole seconds from "
              + human(min)
              + " to "
              + human(max)
              + why
              + "; got "
              + human(seconds));
    }
  }

  /**
   * Adds a problem unless {@code value} is null, a token, or a whole number in [min, max].
   *
   * @param why what the range comes from, appended to it (": ..."), or an empty string
   */
  static void checkWhole(
      List<String> problems, String prop, Number value, long min, long max, String why) {
    if (value == null || Token.isUnresolved(value)) {
      return;
    }
    double v = value.doubleValue();
    if (v != Math.rint(v) || v < min || v > max) {
      problems.add(
          prop + " must be a whole number from " + min + " to " + max + why + "; got " + value);
    }
  }

  /** Seconds with any fraction kept, so a fraction can be reported rather than thrown. */
  static double seconds(Duration duration) {
    return duration
            .toMilliseconds(TimeConversionOptions.builder().integral(false).build())
            .doubleValue()
        / 1000;
  }

  /**
   * A number of seconds in days, hours, minutes and seconds, followed by the seconds when that is
   * not already all it says: {@code 0 s}, {@code 1.5 s}, {@code 6 min (360 s)}, {@code 365 days
   * (31536000 s)}, {@code 364 days 23 h 59 min 50 s (31535990 s)}.
   */
  static String human(double seconds) {
    if (seconds != Math.rint(seconds) || seconds < 60) {
      return (seconds == Math.rint(seconds)
              ? String.valueOf((long) seconds)
              : String.valueOf(seconds))
          + " s";
    }
    long total = (long) seconds;
    List<String> parts = new ArrayList<>();
    long days = total / 86_400;
    if (days > 0) {
      parts.add(days + (days == 1 ? " day" : " days"));
    }
    long hours = total % 86_400 / 3600;
    if (hours > 0) {
      parts.add(hours + " h");
    }
    long minutes = total % 3600 / 60;
    if (minutes > 0) {
      parts.add(minutes + " min");
    }
    if (total % 60 > 0) {
      parts.add(total % 60 + " s");
    }
    return String.join(" ", parts) + " (" + total + " s)";
  }

  /**
   * Whether endings no Catch sees are reconciled: Step Functions sends status change events for
   * Standard workflows only.
   */
  boolean reconciles() {
    return type == StateMachineType.STANDARD;
  }

  /**
   * Whether there is a reconciler: for status change events (Standard) or for the sweeper, which
   * hands it the overdue items of either type.
   */
  boolean hasReconciler() {
    return reconciles() || sweeper;
  }

  private static Duration defaultTimeout(Duration wait, long maxSeconds) {
    if (wait == null) {
      return Duration.seconds(Math.min(DEFAULT_WORK_TIMEOUT_SECONDS, maxSeconds));
    }
    if (wait.isUnresolved()) {
      return Duration.seconds(maxSeconds);
    }
    return Duration.seconds(Math.min((long) seconds(wait) + DYNAMODB_STEPS_SECONDS, maxSeconds));
  }
}
