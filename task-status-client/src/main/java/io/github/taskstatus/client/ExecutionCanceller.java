package io.github.taskstatus.client;

import io.github.taskstatus.client.TaskNotCancellableException.Reason;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Cancels a start: stops its execution with {@code StopExecution} (error {@value
 * TaskStatusClient#CANCELLED_ERROR}, the reason as cause), then, when the client knows the
 * library's reconciler, starts it with a cancellation event so that the item is recorded {@code
 * CANCELLED} at once, even if Step Functions' status change event is lost. What the item already
 * tells (no item, final, an Express execution) is refused without a call.
 */
final class ExecutionCanceller {

  /** The {@code source} of the event the reconciler is started with. */
  static final String EVENT_SOURCE = "task-status-workflow.cancel";

  /** The execution status the event reports: what {@code StopExecution} leaves. */
  static final String STOPPED_STATUS = "ABORTED";

  private final Supplier<SfnClient> stepFunctions;
  private final String reconciler;

  /** A canceller that starts the reconciler with this ARN after each stop; none if null. */
  ExecutionCanceller(Supplier<SfnClient> stepFunctions, String reconciler) {
    this.stepFunctions = Objects.requireNonNull(stepFunctions, "stepFunctions");
    this.reconciler = reconciler;
  }

  /** Cancels the task's latest start, if it is open. */
  void cancelLatest(String taskId, Optional<TaskRecord> latest, String reason) {
    TaskRecord record =
        latest.orElseThrow(
            () ->
                new TaskNotCancellableException(
                    "task '"
                        + taskId
                        + "' cannot be cancelled: it has no item (never started, or its items"
                        + " expired)",
                    taskId,
                    Reason.NO_ITEM,
                    null));
    cancel(
        record,
        0,
        "its latest start (timestamp " + record.timestamp().toPlainString() + ")",
        reason);
  }

  /**
   * Cancels this start, if its item is open for the start's attempt: for a redrive, an item still
   * final from an earlier attempt is the redriven attempt's, running though not recorded yet.
   */
  void cancelStart(TaskStart start, Optional<TaskRecord> item, String reason) {
    String execution =
        start
            .executionArn()
            .map(arn -> "execution " + arn)
            .orElseGet(
                () ->
                    "message "
                        + start.messageId().orElse("?")
                        + ", execution "
                        + ExecutionNames.of(start.taskId(), start.idempotencyKey()));
    TaskRecord record =
        item.orElseThrow(
            () ->
                new TaskNotCancellableException(
                    "task '"
                        + start.taskId()
                        + "' cannot be cancelled: the item of its start ("
                        + execution
                        + ") has not been written yet, or has expired; cancel it once it is"
                        + " STARTED",
                    start.taskId(),
                    Reason.NO_ITEM,
                    null));
    cancel(
        record,
        start.redriveCount(),
        "its start (timestamp " + record.timestamp().toPlainString() + ", " + execution + ")",
        reason);
  }

  private void cancel(TaskRecord record, int attempt, String start, String reason) {
    if (record.status().isFinal() && record.redriveCount() >= attempt) {
      throw refused(record, Reason.FINISHED, start + " is already " + record.status());
    }
    if (ExecutionRedriver.isExpress(record.executionArn())) {
      throw refused(
          record,
          Reason.EXPRESS,
          start
              + " runs as the Express execution "
              + record.executionArn()
              + ", and Step Functions stops Standard executions only");
    }
    SfnClient client = stepFunctions.get();
    client.stopExecution(
        request ->
            request
                .executionArn(record.executionArn())
                .error(TaskStatusClient.CANCELLED_ERROR)
                .cause(reason));
    if (reconciler != null) {
      String event =
          Json.writeString(
              new Json.CancelEvent(
                  EVENT_SOURCE, new Json.CancelDetail(record.executionArn(), STOPPED_STATUS)));
      client.startExecution(request -> request.stateMachineArn(reconciler).input(event));
    }
  }

  private static TaskNotCancellableException refused(
      TaskRecord record, Reason reason, String because) {
    return new TaskNotCancellableException(
        "task '" + record.taskId() + "' cannot be cancelled: " + because,
        record.taskId(),
        reason,
        record);
  }
}
