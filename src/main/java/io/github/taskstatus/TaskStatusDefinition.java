package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Token;
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
import software.amazon.awscdk.services.stepfunctions.Succeed;
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
 * (two environments chose the same one), the start moves on to the next free one of the whole
 * seconds the starter listed in the input's {@code moves}, and records the timestamp it asked for.
 * A finished item goes back to STARTED only for a later attempt of its own execution (a redrive
 * that resumes at {@code RecordStarted}); a second run of an Express execution (Express runs at
 * least once) that finds its own item finished ends without touching it. Every write names its
 * attempt ({@link TaskItems#REDRIVE_COUNT}), and {@code RecordDone} and {@code RecordFailed} may
 * finish an item an earlier attempt left FAILED: a redrive resumes at the step that failed, past
 * {@code RecordStarted}. No state adds to a Unix time: {@code States.MathAdd} takes 32-bit
 * integers, which Unix seconds outgrow on 2038-01-19, so the starter computes what needs it.
 * Endings no Catch sees (a timeout, an abort, {@code States.Runtime}) are the reconciler's ({@link
 * TaskStatusReconciler}).
 *
 * <p>State names are part of the contract: the README's diagrams, operators reading execution
 * histories and the local cloud's fault injection refer to them.
 */
final class TaskStatusDefinition {

  static final String RECORD_STARTED = "RecordStarted";
  static final String READ_TAKEN = "ReadTakenItem";
  static final String TAKEN_BY = "WhoseItemIsIt";
  static final String ALREADY_FINISHED = "AlreadyFinished";
  static final String REOPEN = "ReopenForRedrive";
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

  /**
   * How many whole seconds past the requested timestamp a start may move to (the input's moves).
   */
  static final int MAX_MOVES = 10;

  /** What an error without a name or a cause is recorded with. */
  static final String UNKNOWN_ERROR = "States.Unknown";

  static final String NO_CAUSE = "The error gave no cause";

  private static final String ERROR_PATH = "$.error";

  /** Where {@link #READ_TAKEN} puts whose the item is. */
  private static final String TAKEN = "$.taken";

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
            "Records the task as STARTED; never overwrites another start's item or a finished one",
            false);
    TaskStateBase recordStartedMoved =
        items.putStarted(
            scope,
            RECORD_STARTED_MOVED,
            "Records the task as STARTED in a later second, as another start took this one",
            true);
    TaskStateBase readTaken =
        items.readOwner(
            scope,
            READ_TAKEN,
            "The timestamp is taken: by another start, or by this execution's finished item",
            TAKEN,
            "$$.Execution.Id");
    Choice takenBy =
        Choice.Builder.create(scope, TAKEN_BY)
            .comment("This execution's own item, or another start's?")
            .build();
    Succeed alreadyFinished =
        Succeed.Builder.create(scope, ALREADY_FINISHED)
            .comment(
                "A second run of this execution (Express runs at least once) found its item"
                    + " finished, this attempt's or a later one's: left as it is")
            .build();
    TaskStateBase reopen =
        items.reopen(
            scope,
            REOPEN,
            "A redriven attempt found its item finished by an earlier attempt: STARTED again");
    TaskStateBase recordDone =
        items.finish(
            scope,
            RECORD_DONE,
            "Records the task as DONE",
            TaskItems.DONE,
            TaskItems.OWN_OPEN_TO_ATTEMPT,
            null);
    TaskStateBase recordFailed =
        items.finish(
            scope,
            RECORD_FAILED,
            "Records the task as FAILED with the error and its cause",
            TaskItems.FAILED,
            TaskItems.OWN_OPEN_TO_ATTEMPT,
            ERROR_PATH);
    Fail taskFailed =
        Fail.Builder.create(scope, TASK_FAILED)
            .comment("The task failed and is recorded FAILED; the execution fails with its error")
            .errorPath("$.error.Error")
            .causePath("$.error.Cause")
            .build();
    Fail alreadyRecorded =
        Fail.Builder.create(scope, ALREADY_RECORDED)
            .comment("The requested second and every one of the moves are taken")
            .error("TaskAlreadyRecorded")
            .cause(
                "Other starts of this task hold the requested timestamp and the "
                    + MAX_MOVES
                    + " whole seconds after it")
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
    Map<String, Object> failureFields = task(items, "$.timestamp");
    failureFields.put(
        "error",
        JsonPath.jsonMerge(JsonPath.objectAt("$.failureDefaults"), JsonPath.objectAt("$.error")));
    Pass describeFailure =
        Pass.Builder.create(scope, DESCRIBE_FAILURE)
            .comment("The caught error with the defaults for what it lacks")
            .parameters(failureFields)
            .build();

    // Moves use the seconds the starter listed: an index is a small number, a Unix time is not.
    Map<String, Object> firstMove = task(items, "$.timestamp");
    firstMove.put("moves", JsonPath.listAt("$.moves"));
    firstMove.put("requestedTimestamp", JsonPath.numberAt("$.timestamp"));
    firstMove.put("move", -1);
    firstMove.put(
        "lastMove",
        JsonPath.mathAdd(Token.asNumber(JsonPath.arrayLength(JsonPath.listAt("$.moves"))), -1));
    Pass moveToNextSecond =
        Pass.Builder.create(scope, MOVE_TIMESTAMP)
            .comment("Another start holds this timestamp: move on through the input's moves")
            .parameters(firstMove)
            .build();
    Map<String, Object> nextMove =
        task(
            items,
            JsonPath.arrayGetItem(
                JsonPath.listAt("$.moves"),
                Token.asNumber(JsonPath.mathAdd(JsonPath.numberAt("$.move"), 1))));
    nextMove.put("moves", JsonPath.listAt("$.moves"));
    nextMove.put("requestedTimestamp", JsonPath.numberAt("$.requestedTimestamp"));
    nextMove.put("move", JsonPath.mathAdd(JsonPath.numberAt("$.move"), 1));
    nextMove.put("lastMove", JsonPath.numberAt("$.lastMove"));
    Pass trySecondAfter =
        Pass.Builder.create(scope, NEXT_TIMESTAMP)
            .comment("Tries the next of the seconds the starter listed")
            .parameters(nextMove)
            .build();
    Choice movedTooFar =
        Choice.Builder.create(scope, CHECK_MOVES)
            .comment("Gives up when every listed second is taken")
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
    recordStarted.addCatch(readTaken, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    recordStartedMoved.next(doWork);
    recordStartedMoved.addCatch(
        readTaken, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    readTaken.next(takenBy);
    String owner = TAKEN + ".found.Item.ExecutionArn.S";
    Condition own =
        Condition.and(
            Condition.isPresent(owner), Condition.stringEqualsJsonPath(owner, TAKEN + ".self"));
    takenBy
        .when(
            Condition.and(
                own, Condition.stringEquals(TAKEN + ".found.Item.Status.S", TaskItems.STARTED)),
            doWork)
        .when(own, reopen)
        .when(Condition.isPresent("$.move"), movedTooFar)
        .otherwise(moveToNextSecond);
    reopen.next(doWork);
    reopen.addCatch(alreadyFinished, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    moveToNextSecond.next(movedTooFar);
    movedTooFar
        .when(Condition.numberGreaterThanEqualsJsonPath("$.move", "$.lastMove"), alreadyRecorded)
        .otherwise(trySecondAfter);
    trySecondAfter.next(recordStartedMoved);

    ((INextable) doWork).next(recordDone);
    recordDone.addCatch(statusConflict, catchInto(TaskItems.CONDITIONAL_CHECK_FAILED, ERROR_PATH));
    recordDone.addCatch(failureDefaults, catchInto(Errors.ALL, ERROR_PATH));
    failureDefaults.next(describeFailure);
    describeFailure.next(recordFailed);
    recordFailed.addCatch(taskFailed, catchInto(Errors.ALL, "$.recordFailedError"));
    recordFailed.next(taskFailed);
    return Chain.start(recordStarted);
  }

  /**
   * The fields every later state reads about the task: its id, the timestamp given (a path or an
   * intrinsic), its expiry when items expire and its deadline for the sweeper.
   */
  private static Map<String, Object> task(TaskItems items, String timestamp) {
    Map<String, Object> fields =
        TaskItems.ordered(
            "taskId",
            JsonPath.stringAt("$.taskId"),
            "timestamp",
            timestamp.startsWith("$") ? JsonPath.numberAt(timestamp) : timestamp);
    if (items.retention() != null) {
      fields.put("expiresAt", JsonPath.numberAt("$.expiresAt"));
    }
    if (items.openIndex()) {
      fields.put("deadline", JsonPath.stringAt("$.deadline"));
    }
    return fields;
  }

  private static CatchProps catchInto(String error, String resultPath) {
    return CatchProps.builder().errors(List.of(error)).resultPath(resultPath).build();
  }
}
