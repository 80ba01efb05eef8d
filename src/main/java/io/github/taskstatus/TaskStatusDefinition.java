package io.github.taskstatus;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.INextable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Parallel;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.State;
import software.amazon.awscdk.services.stepfunctions.TaskStateBase;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.constructs.Construct;

/**
 * The task state machine's states: record STARTED, do the work, record DONE; any error in the work
 * or in recording DONE records FAILED and fails the execution. The default work is a bare {@code
 * Wait} (a Wait cannot fail), so a task costs three state transitions like the reference design;
 * custom work runs in a {@code Parallel} state whose Catch sees every error in it.
 *
 * <p>An item is never overwritten: when the starter's timestamp already names another start's item
 * (two environments chose the same one), the start moves on to the next free second and records the
 * timestamp it asked for. Endings no Catch sees (a timeout, an abort, {@code States.Runtime}) are
 * the reconciler's ({@link TaskStatusReconciler}).
 *
 * <p>State names are part of the contract: the README's diagrams, operators reading execution
 * histories and the local cloud's fault injection refer to them.
 */
final class TaskStatusDefinition {

  static final String RECORD_STARTED = "RecordStarted";
  static final String MOVE_TIMESTAMP = "MoveToNextSecond";
  static final String RECORD_STARTED_MOVED = "RecordStartedMoved";
  static final String NEXT_TIMESTAMP = "TryTheSecondAfter";
  static final String CHECK_MOVES = "MovedTooFar";
  static final String WORK = "Work";
  static final String WAIT = "Wait";
  static final String RECORD_DONE = "RecordDone";
  static final String FAILURE_DEFAULTS = "FailureDefaults";
  static final String DESCRIBE_FAILURE = "DescribeFailure";
  static final String RECORD_FAILED = "RecordFailed";
  static final String TASK_FAILED = "TaskFailed";
  static final String ALREADY_RECORDED = "TaskAlreadyRecorded";
  static final String STATUS_CONFLICT = "TaskStatusConflict";

  /** How many seconds past the requested one a start may move before it gives up. */
  static final int MAX_MOVES = 60;

  /** What an error without a name or a cause is recorded with. */
  static final String UNKNOWN_ERROR = "States.Unknown";

  static final String NO_CAUSE = "The error gave no cause";

  private static final String ERROR_PATH = "$.error";

  /** Only this execution's STARTED item may finish, or its own already finished one again. */
  private static final String OWN_AND_STARTED =
      "ExecutionArn = :self AND (#Status = :started OR #Status = :status)";

  private TaskStatusDefinition() {}

  /**
   * Creates the states in {@code scope} and returns the chain that starts the state machine.
   *
   * @param work the user's work, or {@code null} for a wait of {@code waitDuration}
   */
  static IChainable create(
      Construct scope, TaskItems items, IChainable work, Duration waitDuration) {
    TaskStateBase recordStarted =
        items.putStarted(
            scope,
            RECORD_STARTED,
            "Records the task as STARTED; never overwrites another start's item",
            false);
    TaskStateBase recordStartedMoved =
        items.putStarted(
            scope,
            RECORD_STARTED_MOVED,
            "Records the task as STARTED in the second after one another start took",
            true);
    TaskStateBase recordDone =
        items.finish(
            scope, RECORD_DONE, "Records the task as DONE", TaskItems.DONE, OWN_AND_STARTED, null);
    TaskStateBase recordFailed =
        items.finish(
            scope,
            RECORD_FAILED,
            "Records the task as FAILED with the error and its cause",
            TaskItems.FAILED,
            OWN_AND_STARTED,
            ERROR_PATH);
    Fail taskFailed =
        Fail.Builder.create(scope, TASK_FAILED)
            .comment("The task failed and is recorded FAILED; the execution fails with its error")
            .errorPath("$.error.Error")
            .causePath("$.error.Cause")
            .build();
    Fail alreadyRecorded =
        Fail.Builder.create(scope, ALREADY_RECORDED)
            .comment("Every second up to " + MAX_MOVES + " s after the requested one is taken")
            .error("TaskAlreadyRecorded")
            .cause(
                "Other starts of this task hold every timestamp up to "
                    + MAX_MOVES
                    + " s after the requested one")
            .build();
    Fail statusConflict =
        Fail.Builder.create(scope, STATUS_CONFLICT)
            .comment("The item is missing or finished elsewhere; it is left as it is")
            .error("TaskStatusConflict")
            .cause(
                "The task's item is missing, another execution's, or finished elsewhere; it was"
                    + " not changed")
            .build();

    // The ASL spec lets an error come without a Cause: defaults make RecordFailed unfailing.
    Pass failureDefaults =
        Pass.Builder.create(scope, FAILURE_DEFAULTS)
            .comment("What the failure is recorded with if it has no error name or cause")
            .result(Result.fromObject(TaskItems.ordered("Error", UNKNOWN_ERROR, "Cause", NO_CAUSE)))
            .resultPath("$.failureDefaults")
            .build();
    Pass describeFailure =
        Pass.Builder.create(scope, DESCRIBE_FAILURE)
            .comment("The caught error with the defaults for what it lacks")
            .parameters(
                TaskItems.ordered(
                    "taskId", JsonPath.stringAt("$.taskId"),
                    "timestamp", JsonPath.numberAt("$.timestamp"),
                    "error",
                        JsonPath.jsonMerge(
                            JsonPath.objectAt("$.failureDefaults"), JsonPath.objectAt("$.error"))))
            .build();

    Pass moveToNextSecond =
        Pass.Builder.create(scope, MOVE_TIMESTAMP)
            .comment("Another start holds this timestamp: try the next whole second")
            .parameters(
                TaskItems.ordered(
                    "taskId", JsonPath.stringAt("$.taskId"),
                    "timestamp", JsonPath.mathAdd(JsonPath.numberAt("$.timestamp"), 1),
                    "requestedTimestamp", JsonPath.numberAt("$.timestamp"),
                    "lastTimestamp", JsonPath.mathAdd(JsonPath.numberAt("$.timestamp"), MAX_MOVES)))
            .build();
    Pass trySecondAfter =
        Pass.Builder.create(scope, NEXT_TIMESTAMP)
            .comment("That second is taken too: try the one after")
            .parameters(
                TaskItems.ordered(
                    "taskId", JsonPath.stringAt("$.taskId"),
                    "timestamp", JsonPath.mathAdd(JsonPath.numberAt("$.timestamp"), 1),
                    "requestedTimestamp", JsonPath.numberAt("$.requestedTimestamp"),
                    "lastTimestamp", JsonPath.numberAt("$.lastTimestamp")))
            .build();
    Choice movedTooFar =
        Choice.Builder.create(scope, CHECK_MOVES)
            .comment("Gives up after " + MAX_MOVES + " taken seconds")
            .build();

    State doWork =
        work == null
            ? Wait.Builder.create(scope, WAIT)
                .comment("The simulated work")
                .time(WaitTime.duration(waitDuration))
                .build()
            : Parallel.Builder.create(scope, WORK)
                .comment("Runs the work; any error in it marks the task FAILED")
                .resultPath(JsonPath.DISCARD)
                .build()
                .branch(work)
                .addCatch(failureDefaults, catchInto(Errors.ALL, ERROR_PATH));

    recordStarted.next(doWork);
    recordStarted.addCatch(
        moveToNextSecond, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    moveToNextSecond.next(recordStartedMoved);
    recordStartedMoved.next(doWork);
    recordStartedMoved.addCatch(
        trySecondAfter, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    trySecondAfter.next(movedTooFar);
    movedTooFar
        .when(
            Condition.numberGreaterThanJsonPath("$.timestamp", "$.lastTimestamp"), alreadyRecorded)
        .otherwise(recordStartedMoved);

    ((INextable) doWork).next(recordDone);
    recordDone.addCatch(statusConflict, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    recordDone.addCatch(failureDefaults, catchInto(Errors.ALL, ERROR_PATH));
    failureDefaults.next(describeFailure);
    describeFailure.next(recordFailed);
    recordFailed.addCatch(taskFailed, catchInto(Errors.ALL, "$.recordFailedError"));
    recordFailed.next(taskFailed);
    return Chain.start(recordStarted);
  }

  private static CatchProps catchInto(String error, String resultPath) {
    return CatchProps.builder().errors(List.of(error)).resultPath(resultPath).build();
  }
}
