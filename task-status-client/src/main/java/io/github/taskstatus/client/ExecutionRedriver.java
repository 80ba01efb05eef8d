package io.github.taskstatus.client;

import io.github.taskstatus.client.TaskNotRedrivableException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionNotRedrivableException;

/**
 * Redrives the execution of a task's latest start with {@code RedriveExecution}. What the item
 * already tells (no item, {@code DONE}, {@code CANCELLED}, still {@code STARTED}, an Express
 * execution, an end more than 14 days ago) is refused without a call; Step Functions decides the
 * rest, and its {@code ExecutionNotRedrivable} is refused the same way, with its message.
 */
final class ExecutionRedriver {

  /** How long after its end Step Functions still redrives an execution. */
  static final Duration REDRIVABLE_PERIOD = Duration.ofDays(14);

  private final Supplier<SfnClient> stepFunctions;
  private final Clock clock;

  ExecutionRedriver(Supplier<SfnClient> stepFunctions, Clock clock) {
    this.stepFunctions = Objects.requireNonNull(stepFunctions, "stepFunctions");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Redrives the latest start's execution.
   *
   * @throws TaskNotRedrivableException if it cannot be redriven
   */
  TaskStart redrive(String taskId, Optional<TaskRecord> latest) {
    TaskRecord record =
        latest.orElseThrow(
            () ->
                new TaskNotRedrivableException(
                    "task '"
                        + taskId
                        + "' cannot be redriven: it has no item (never started, or its items"
                        + " expired); use start to start it",
                    taskId,
                    Reason.NO_ITEM,
                    null));
    String start = "its latest start (timestamp " + record.timestamp().toPlainString() + ")";
    if (record.status() == TaskStatus.DONE) {
      throw refused(
          record,
          Reason.DONE,
          start
              + " is DONE; Step Functions redrives only executions that failed, timed out or were"
              + " aborted");
    }
    if (record.status() == TaskStatus.CANCELLED) {
      throw refused(
          record,
          Reason.CANCELLED,
          start
              + " was CANCELLED, and a cancelled start is not redriven; use retry to start the task"
              + " again");
    }
    if (record.status() == TaskStatus.STARTED) {
      throw refused(
          record,
          Reason.RUNNING,
          start + " is still STARTED: its execution is running, as far as the table knows");
    }
    if (isExpress(record.executionArn())) {
      throw refused(
          record,
          Reason.EXPRESS,
          start
              + " ran as the Express execution "
              + record.executionArn()
              + ", and Step Functions redrives Standard executions only; use retry to start the"
              + " task again");
    }
    // UpdatedAt is when the item was finished: at the execution's end, or later when the
    // reconciler or the sweeper recorded it. Step Functions' own check below covers the latter.
    if (Duration.between(record.updatedAt(), clock.instant()).compareTo(REDRIVABLE_PERIOD) > 0) {
      throw refused(
          record,
          Reason.TOO_OLD,
          start
              + " ended at "
              + record.updatedAt()
              + ", more than 14 days ago, and Step Functions redrives an execution only within"
              + " 14 days of its end; use retry to start the task again");
    }
    String clientToken = UUID.randomUUID().toString();
    Instant requestedAt = clock.instant();
    try {
      stepFunctions
          .get()
          .redriveExecution(
              request -> request.executionArn(record.executionArn()).clientToken(clientToken));
    } catch (ExecutionNotRedrivableException e) {
      String why =
          e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
              ? e.awsErrorDetails().errorMessage()
              : e.getMessage();
      throw new TaskNotRedrivableException(
          "task '"
              + taskId
              + "' cannot be redriven: Step Functions refused to redrive the execution "
              + record.executionArn()
              + " of "
              + start
              + ": "
              + why,
          taskId,
          Reason.NOT_REDRIVABLE,
          record,
          e);
    }
    return TaskStart.redrive(record, clientToken, requestedAt);
  }

  /**
   * Whether the execution ARN is an Express execution's: {@code
   * arn:<partition>:states:<region>:<account>:express:<state machine>:<name>:<id>}, where a
   * Standard one has {@code execution}.
   */
  static boolean isExpress(String executionArn) {
    String[] parts = executionArn.split(":", -1);
    return parts.length >= 6 && parts[5].equals("express");
  }

  private static TaskNotRedrivableException refused(
      TaskRecord record, Reason reason, String because) {
    return new TaskNotRedrivableException(
        "task '" + record.taskId() + "' cannot be redriven: " + because,
        record.taskId(),
        reason,
        record);
  }
}
