package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SfnStateMachine;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.CustomState;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskStateBase;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.constructs.Construct;

/**
 * Endings no Catch sees, and starts that ended without saying how: a task execution that times out,
 * is aborted, fails with an error no Catch may handle ({@code States.Runtime}, or a start that
 * could not even record STARTED), or is redriven; and, from the sweeper, an item still STARTED past
 * its deadline. Step Functions sends a "Step Functions Execution Status Change" event to
 * EventBridge when a Standard execution ends (best effort, which is why there is a sweeper) and
 * when a redrive is requested; a rule for this state machine's FAILED, TIMED_OUT, ABORTED and
 * PENDING_REDRIVE events starts the reconciler, an Express state machine with SDK tasks and no
 * code.
 *
 * <p>It never trusts the event for what is true now: it asks {@code DescribeExecution} how the
 * execution stands, with its input, error, cause and redrive count. An execution that is running
 * (again) is left alone, except that a requested redrive reopens its item (STARTED, for the new
 * attempt); a succeeded one is left alone; one that ended otherwise has its item marked FAILED with
 * an error that says why, for the attempt that ended, never over a later attempt's write, and the
 * item is created when there is none. An Express execution, which has no {@code DescribeExecution}
 * and cannot outlive 5 minutes, is marked FAILED with {@code States.Timeout} when the sweeper finds
 * its item overdue. So late and out-of-order events are harmless.
 *
 * <p>Nothing is lost on the way: the rule's target retries for a day and then sends the event to
 * the reconciler's dead-letter queue, and a reconciliation that fails after its own retries sends
 * its input there too; the queue is alarmed, and replaying a message is starting the reconciler
 * with its body.
 *
 * @param stateMachine the reconciler
 * @param rule the rule that starts it, or {@code null} for an Express workflow (no events)
 * @param deadLetterQueue where events go that could not be reconciled
 * @param readsExecutions the policy that lets it describe the task state machine's executions,
 *     which whatever starts it waits for
 */
record TaskStatusReconciler(
    StateMachine stateMachine, Rule rule, Queue deadLetterQueue, Policy readsExecutions) {

  static final String READ_EVENT = "ReadEvent";
  static final String DESCRIBE = "DescribeExecution";
  static final String MARK_FAILED = "MarkFailed";
  static final String MARK_CANCELLED = "MarkCancelled";
  static final String REOPEN = "ReopenRedrivenItem";
  static final String READ_ITEM = "ReadItem";
  static final String NOT_RECONCILED = "SendToDeadLetterQueue";

  /** The task execution statuses that reach the reconciler. */
  static final List<String> STATUSES = List.of("FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE");

  /** What the sweeper puts in the reconciler's input as {@code source}. */
  static final String SWEEPER_SOURCE = "task-status-workflow.sweeper";

  /** How long the rule keeps trying to start the reconciler for an event. */
  static final Duration MAX_EVENT_AGE = Duration.hours(24);

  static final int RETRY_ATTEMPTS = 185;

  /** The ended execution's error and cause, as DescribeExecution gives them (when it does). */
  private static final String ERROR = "$.execution.Error";

  private static final String CAUSE = "$.execution.Cause";
  private static final String UNREPORTED =
      "The execution did not say why it failed: its history does (ExecutionArn)";

  static TaskStatusReconciler create(
      Construct scope,
      StateMachine tasks,
      TaskItems table,
      Settings settings,
      TaskStatusLogs logs,
      IKey key,
      IKey tasksKey) {
    Queue deadLetterQueue =
        TaskQueues.deadLetterQueue(
            scope, "ReconcilerDeadLetterQueue", key, settings.removalPolicy());
    Nag.acknowledge(
        deadLetterQueue,
        "AwsSolutions-SQS3",
        null,
        "This queue is a dead-letter"
            + " queue: that of the EventBridge rule's target and of the reconciler, which cdk-nag"
            + " does not recognise as it does a redrive policy");
    TaskItems items = table.at("$.task", "$.executionArn", "$.attempt");
    LogGroup logGroup = logs.stateMachine("ReconcilerLogs", "-reconciler");
    StateMachine reconciler =
        StateMachine.Builder.create(scope, "Reconciler")
            .definitionBody(
                DefinitionBody.fromChainable(definition(scope, items, tasks, deadLetterQueue)))
            .stateMachineType(StateMachineType.EXPRESS)
            .timeout(Duration.minutes(5))
            .comment(
                "Marks the task's item as its execution stands: FAILED when it timed out, was"
                    + " aborted or failed unseen by any Catch, STARTED again when it is redriven")
            .build();
    TaskStateMachine.grantTableKey(table.table(), reconciler);
    // DescribeExecution on any execution of the task state machine, in a policy of its own: the
    // wildcard after its name is acknowledged there, never on the DefaultPolicy.
    Policy readsExecutions =
        Policy.Builder.create(scope, "ReconcilerReadsExecutionsPolicy")
            .roles(List.of(reconciler.getRole()))
            .statements(
                List.of(
                    PolicyStatement.Builder.create()
                        .actions(List.of("states:DescribeExecution"))
                        .resources(List.of(executionsOf(tasks)))
                        .build()))
            .build();
    Nag.acknowledge(
        readsExecutions,
        "AwsSolutions-IAM5",
        Nag.executionsFinding((CfnResource) tasks.getNode().getDefaultChild()),
        Nag.EXECUTIONS_OF_TASK_MACHINE);
    // DescribeExecution (granted by its task) needs the key of the task state machine's data.
    if (tasksKey != null) {
      reconciler.addToRolePolicy(StateMachineConfig.readsDataOf(tasks, tasksKey));
    }
    // Its input is the status change event, task and all: encrypted with the key, if there is one.
    StateMachineConfig config =
        StateMachineConfig.apply(scope, "Reconciler", reconciler, logGroup, settings, logs, key);
    Rule rule = settings.reconciles() ? rule(scope, tasks, reconciler, deadLetterQueue, key) : null;
    if (rule != null) {
      config.startedBy(rule);
      rule.getNode().addDependency(readsExecutions);
    }
    return new TaskStatusReconciler(reconciler, rule, deadLetterQueue, readsExecutions);
  }

  /** The rule that starts the reconciler for the task state machine's events, and its key grant. */
  private static Rule rule(
      Construct scope,
      StateMachine tasks,
      StateMachine reconciler,
      Queue deadLetterQueue,
      IKey key) {
    // A fixed name, so the key policy can name the rule without depending on it (a cycle).
    String ruleName =
        Names.uniqueResourceName(scope, UniqueResourceNameOptions.builder().maxLength(54).build())
            + "-reconcile";
    Rule rule =
        Rule.Builder.create(scope, "ReconcileRule")
            .ruleName(ruleName)
            .description(
                "Task executions that ended FAILED, TIMED_OUT or ABORTED, or are to be redriven,"
                    + " to reconcile")
            .eventPattern(
                EventPattern.builder()
                    .source(List.of("aws.states"))
                    .detailType(List.of("Step Functions Execution Status Change"))
                    .detail(
                        Map.of(
                            "stateMachineArn",
                            List.of(tasks.getStateMachineArn()),
                            "status",
                            STATUSES))
                    .build())
            .targets(
                List.of(
                    SfnStateMachine.Builder.create(reconciler)
                        .deadLetterQueue(deadLetterQueue)
                        .retryAttempts(RETRY_ATTEMPTS)
                        .maxEventAge(MAX_EVENT_AGE)
                        .build()))
            .build();
    if (key != null) {
      key.addToResourcePolicy(
          PolicyStatement.Builder.create()
              .sid("AllowTaskStatusReconcilerDeadLetters")
              .principals(List.of(new ServicePrincipal("events.amazonaws.com")))
              .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
              .resources(List.of("*"))
              .conditions(
                  Map.of(
                      "ArnEquals",
                      Map.of(
                          "aws:SourceArn",
                          Stack.of(scope)
                              .formatArn(
                                  ArnComponents.builder()
                                      .service("events")
                                      .resource("rule")
                                      .resourceName(ruleName)
                                      .build()))))
              .build());
    }
    return rule;
  }

  static IChainable definition(
      Construct scope, TaskItems items, StateMachine tasks, Queue deadLetterQueue) {
    Fail notReconciled =
        Fail.Builder.create(scope, "NotReconciled")
            .comment("The input is in the reconciler's dead-letter queue")
            .error("TaskNotReconciled")
            .cause(
                "The task's item could not be marked as its execution stands; the input is in"
                    + " the dead-letter queue")
            .build();
    CallAwsService undeliverable = keepForReplay(scope, deadLetterQueue);
    undeliverable.addRetry(
        RetryProps.builder()
            .errors(List.of(Errors.ALL))
            .interval(Duration.seconds(1))
            .backoffRate(2)
            .maxAttempts(5)
            .jitterStrategy(JitterType.FULL)
            .build());
    undeliverable.next(notReconciled);
    Pass keepInput =
        Pass.Builder.create(scope, "KeepInput")
            .comment("What the reconciler was given, for a replay")
            .parameters(Map.of("event", JsonPath.objectAt("$.input")))
            .build();
    keepInput.next(undeliverable);
    Pass received =
        Pass.Builder.create(scope, "Received")
            .comment("The event, or the sweeper's overdue item; a redrive count of 0 by default")
            .parameters(
                TaskItems.ordered(
                    "input", JsonPath.objectAt("$"), "defaults", Map.of("RedriveCount", 0)))
            .build();

    // How the execution stands now: the event only says which one.
    // A custom state, not CallAwsService, whose grant would land in the role's DefaultPolicy: the
    // grant (every execution of the task state machine) is in a policy of its own, see create().
    CustomState describe =
        CustomState.Builder.create(scope, DESCRIBE)
            .stateJson(
                TaskItems.ordered(
                    "Type",
                    "Task",
                    "Comment",
                    "How the execution stands now, whatever the event said; with its input",
                    "Resource",
                    "arn:"
                        + Stack.of(scope).getPartition()
                        + ":states:::aws-sdk:sfn:describeExecution",
                    "Parameters",
                    Map.of("ExecutionArn.$", "$.input.detail.executionArn"),
                    "ResultPath",
                    "$.described"))
            .build();
    // Throttling and server errors (no exception of their own: Sfn.SfnException); never a missing
    // execution, which no retry brings back.
    describe.addRetry(
        RetryProps.builder()
            .errors(List.of("Sfn.SfnException"))
            .interval(Duration.seconds(1))
            .backoffRate(2)
            .maxAttempts(6)
            .maxDelay(Duration.seconds(20))
            .jitterStrategy(JitterType.FULL)
            .build());
    describe.addCatch(
        keepInput, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());
    Pass withDefaults =
        Pass.Builder.create(scope, "AsItStands")
            .comment("The execution as described, with a redrive count of 0 if none is given")
            .parameters(
                TaskItems.ordered(
                    "input",
                    JsonPath.objectAt("$.input"),
                    "execution",
                    JsonPath.jsonMerge(
                        JsonPath.objectAt("$.defaults"), JsonPath.objectAt("$.described"))))
            .build();
    Pass expressOverdue =
        Pass.Builder.create(scope, "ExpressOverdue")
            .comment(
                "An Express execution has no DescribeExecution and lasts at most 5 minutes: an item"
                    + " still STARTED past its deadline timed out without saying so")
            .parameters(
                TaskItems.ordered(
                    "input",
                    JsonPath.objectAt("$.input"),
                    "execution",
                    TaskItems.ordered(
                        "Status",
                        "TIMED_OUT",
                        "RedriveCount",
                        0,
                        "Error",
                        "States.Timeout",
                        "Cause",
                        "The Express execution did not record how it ended before its item's"
                            + " deadline (Express executions last at most 5 minutes)")))
            .build();

    // The task, from the execution's input, or, from the sweeper, the item it found.
    Pass fromInput =
        Pass.Builder.create(scope, READ_EVENT)
            .comment("The task from the execution's input, and how it stands")
            .parameters(
                state(
                    JsonPath.stringToJson(JsonPath.stringAt("$.execution.Input")),
                    "$.input.detail.executionArn"))
            .build();
    // The item as DynamoDB gives it: its numbers stay the strings DynamoDB keeps, exactly.
    Map<String, Object> swept =
        TaskItems.ordered(
            "taskId",
            JsonPath.stringAt("$.input.item.taskId.S"),
            "timestamp",
            JsonPath.stringAt("$.input.item.timestamp.N"));
    if (items.retention() != null) {
      swept.put("expiresAt", JsonPath.stringAt("$.input.item.ExpiresAt.N"));
    }
    Pass fromItem =
        Pass.Builder.create(scope, "ReadSweptItem")
            .comment("The overdue item the sweeper found, and how its execution stands")
            .parameters(state(swept, "$.input.detail.executionArn"))
            .build();

    Choice origin =
        Choice.Builder.create(scope, "WhichExecution")
            .comment("An Express execution's item from the sweeper, or a Standard execution")
            .build();
    Choice howItStands =
        Choice.Builder.create(scope, "HowItStands")
            .comment("Running (again), succeeded, or ended otherwise")
            .build();
    Choice fromWhere =
        Choice.Builder.create(scope, "SweptOrEvent")
            .comment("The sweeper names the item; an event names the execution, whose input does")
            .build();
    Succeed stillRunning =
        Succeed.Builder.create(scope, "StillRunning")
            .comment("The execution runs (again): it records its own ending")
            .build();
    Succeed succeeded =
        Succeed.Builder.create(scope, "Succeeded")
            .comment("The execution succeeded: it recorded its ending itself")
            .build();
    Pass reopenAttempt =
        Pass.Builder.create(scope, "RedriveAttempt")
            .comment("A requested redrive: the attempt to reopen the item for")
            .parameters(
                TaskItems.ordered(
                    "count", JsonPath.mathAdd(JsonPath.numberAt("$.execution.RedriveCount"), 1)))
            .resultPath("$.redrive")
            .build();
    Pass reopenRunning =
        Pass.Builder.create(scope, "RedrivenAttempt")
            .comment("A redrive that runs already: its attempt")
            .parameters(TaskItems.ordered("count", JsonPath.numberAt("$.execution.RedriveCount")))
            .resultPath("$.redrive")
            .build();
    Pass reopenFromInput =
        Pass.Builder.create(scope, "ReadRedrivenTask")
            .comment("The task from the execution's input, to reopen")
            .parameters(reopenState(JsonPath.stringToJson(JsonPath.stringAt("$.execution.Input"))))
            .build();

    // Numbers from the execution's input, or DynamoDB's number strings from a swept item.
    List<Condition> complete =
        new ArrayList<>(
            List.of(
                Condition.isPresent("$.task.taskId"),
                Condition.isString("$.task.taskId"),
                Condition.isPresent("$.task.timestamp"),
                numberOrNumberString("$.task.timestamp")));
    if (items.retention() != null) {
      complete.add(Condition.isPresent("$.task.expiresAt"));
      complete.add(numberOrNumberString("$.task.expiresAt"));
    }
    Choice isTask =
        Choice.Builder.create(scope, "IsTask")
            .comment(
                "The starter's input: a task id, a timestamp"
                    + (items.retention() != null ? " and an expiry" : "")
                    + "; anything else is kept in the dead-letter queue")
            .build();

    TaskStateBase markFailed =
        items.finish(
            scope,
            MARK_FAILED,
            "Marks the task FAILED with why its execution ended, for the attempt that ended;"
                + " creates the item if there is none",
            TaskItems.FAILED,
            TaskItems.NEW_OR_OWN_OPEN_TO_LATER_ATTEMPT,
            "$.failure");
    TaskStateBase markCancelled =
        items.finish(
            scope,
            MARK_CANCELLED,
            "Marks the task CANCELLED with the reason it was stopped for, for the attempt that"
                + " ended; creates the item if there is none",
            TaskItems.CANCELLED,
            TaskItems.NEW_OR_OWN_OPEN_TO_LATER_ATTEMPT,
            "$.failure");
    TaskStateBase reopen =
        items.reopen(
            scope,
            REOPEN,
            "A redrive was requested: the item is STARTED again, for the redriven attempt");
    Choice write =
        Choice.Builder.create(scope, "MarkOrReopen")
            .comment("Marks the item FAILED, or reopens it for a redrive")
            .build();
    Succeed reconciled = Succeed.Builder.create(scope, "Reconciled").build();
    TaskStateBase readItem =
        items.readOwner(
            scope, READ_ITEM, "Whose is the item that stopped the update?", "$.existing", null);
    Choice whoseItem = Choice.Builder.create(scope, "WhoseItem").build();
    Succeed alreadyFinal =
        Succeed.Builder.create(scope, "AlreadyFinal")
            .comment(
                "This execution's item is final for this attempt, or a later attempt wrote it:"
                    + " left as it is")
            .build();
    Succeed conflictLeft =
        Succeed.Builder.create(scope, "ConflictLeftAsItIs")
            .comment(
                "RecordDone found the item missing, another execution's or finished elsewhere,"
                    + " and left it as it is: so does the reconciler")
            .build();
    Pass nextSecond =
        Pass.Builder.create(scope, "NextSecond")
            .comment(
                "Another start's item: this execution moved on, as the task state machine does")
            .parameters(
                TaskItems.ordered(
                    "index", JsonPath.mathAdd(JsonPath.numberAt("$.move"), 1),
                    "count", JsonPath.arrayLength(JsonPath.listAt("$.task.moves"))))
            .resultPath("$.next")
            .build();
    Choice tooFar =
        Choice.Builder.create(scope, "TooFar")
            .comment("Every second the starter listed for moves was tried")
            .build();
    Map<String, Object> movedTask =
        TaskItems.ordered(
            "taskId",
            JsonPath.stringAt("$.task.taskId"),
            "timestamp",
            JsonPath.arrayGetItem(
                JsonPath.listAt("$.task.moves"), JsonPath.numberAt("$.next.index")),
            "moves",
            JsonPath.listAt("$.task.moves"));
    if (items.retention() != null) {
      movedTask.put("expiresAt", JsonPath.numberAt("$.task.expiresAt"));
    }
    Pass trySecond =
        Pass.Builder.create(scope, "TryThatSecond")
            .comment("The item of a moved start is at the next of the starter's listed seconds")
            .parameters(
                TaskItems.ordered(
                    "event", JsonPath.objectAt("$.event"),
                    "task", movedTask,
                    "executionArn", JsonPath.stringAt("$.executionArn"),
                    "execution", JsonPath.objectAt("$.execution"),
                    "attempt", JsonPath.numberAt("$.attempt"),
                    "action", JsonPath.stringAt("$.action"),
                    "move", JsonPath.numberAt("$.next.index"),
                    "failure", JsonPath.objectAt("$.failure")))
            .build();

    Pass noFailure =
        Pass.Builder.create(scope, "NoFailure")
            .comment("A reopened item records no failure")
            .result(Result.fromObject(TaskItems.ordered("Error", "", "Cause", "")))
            .resultPath("$.failure")
            .build();
    Choice explain =
        Choice.Builder.create(scope, "Explain")
            .comment("What the item's Error and Cause say")
            .build();
    explain
        .when(
            Condition.and(
                Condition.stringEquals("$.execution.Status", "FAILED"),
                reported(ERROR),
                Condition.stringEquals(ERROR, TaskStatusDefinition.STATUS_CONFLICT)),
            conflictLeft)
        .when(
            Condition.and(
                Condition.stringEquals("$.execution.Status", "TIMED_OUT"),
                Condition.stringMatches("$.executionArn", "*:express:*")),
            failure(scope, "ExpressTimedOut", "States.Timeout", CAUSE, write))
        .when(
            Condition.stringEquals("$.execution.Status", "TIMED_OUT"),
            failure(
                scope,
                "TimedOut",
                "States.Timeout",
                "The execution ran past the state machine's timeout",
                write))
        .when(
            Condition.and(
                Condition.stringEquals("$.execution.Status", "ABORTED"),
                reported(ERROR),
                Condition.stringEquals(ERROR, TaskItems.CANCELLED_ERROR),
                reported(CAUSE)),
            cancelled(scope, "CancelledWithReason", CAUSE, write))
        .when(
            Condition.and(
                Condition.stringEquals("$.execution.Status", "ABORTED"),
                reported(ERROR),
                Condition.stringEquals(ERROR, TaskItems.CANCELLED_ERROR)),
            cancelled(scope, "Cancelled", "Cancelled without a reason", write))
        .when(
            Condition.and(Condition.stringEquals("$.execution.Status", "ABORTED"), reported(CAUSE)),
            failure(scope, "AbortedWithCause", "States.Aborted", CAUSE, write))
        .when(
            Condition.stringEquals("$.execution.Status", "ABORTED"),
            failure(
                scope,
                "Aborted",
                "States.Aborted",
                "The execution was stopped (StopExecution)",
                write))
        .when(
            Condition.not(reported(ERROR)),
            failure(scope, "UnnamedFailure", TaskStatusDefinition.UNKNOWN_ERROR, UNREPORTED, write))
        .when(
            Condition.not(reported(CAUSE)),
            failure(scope, "FailureWithoutCause", ERROR, TaskStatusDefinition.NO_CAUSE, write))
        .otherwise(failure(scope, "Failure", ERROR, CAUSE, write));

    received.next(origin);
    origin
        .when(
            Condition.and(
                Condition.isPresent("$.input.detail.executionArn"),
                Condition.isString("$.input.detail.executionArn"),
                Condition.stringMatches("$.input.detail.executionArn", "*:express:*"),
                Condition.isPresent("$.input.item")),
            expressOverdue)
        .when(
            Condition.and(
                Condition.isPresent("$.input.detail.executionArn"),
                Condition.isString("$.input.detail.executionArn")),
            describe)
        .otherwise(keepInput);
    describe.next(withDefaults);
    withDefaults.next(howItStands);
    expressOverdue.next(fromWhere);
    Condition running =
        Condition.or(
            Condition.stringEquals("$.execution.Status", "RUNNING"),
            Condition.stringEquals("$.execution.Status", "PENDING_REDRIVE"));
    Condition redriveRequested =
        Condition.and(
            Condition.isPresent("$.input.detail.status"),
            Condition.stringEquals("$.input.detail.status", "PENDING_REDRIVE"));
    howItStands
        .when(
            Condition.and(
                redriveRequested, Condition.stringEquals("$.execution.Status", "PENDING_REDRIVE")),
            reopenAttempt)
        .when(Condition.and(redriveRequested, running), reopenRunning)
        .when(running, stillRunning)
        .when(Condition.stringEquals("$.execution.Status", "SUCCEEDED"), succeeded)
        .otherwise(fromWhere);
    reopenAttempt.next(reopenFromInput);
    reopenRunning.next(reopenFromInput);
    reopenFromInput.next(isTask);
    fromWhere.when(Condition.isPresent("$.input.item"), fromItem).otherwise(fromInput);
    fromInput.next(isTask);
    fromItem.next(isTask);
    isTask
        .when(
            Condition.and(
                Condition.and(complete.toArray(Condition[]::new)),
                Condition.stringEquals("$.action", "reopen")),
            noFailure)
        .when(Condition.and(complete.toArray(Condition[]::new)), explain)
        .otherwise(undeliverable);
    noFailure.next(write);
    write
        .when(Condition.stringEquals("$.action", "reopen"), reopen)
        .when(Condition.isPresent("$.failure.Cancelled"), markCancelled)
        .otherwise(markFailed);
    for (TaskStateBase writing : List.of(markFailed, markCancelled, reopen)) {
      writing.next(reconciled);
      writing.addCatch(
          readItem,
          CatchProps.builder()
              .errors(List.of(TaskItems.CONDITIONAL_CHECK_FAILED))
              .resultPath(JsonPath.DISCARD)
              .build());
      writing.addCatch(
          undeliverable,
          CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());
    }
    readItem.next(whoseItem);
    readItem.addCatch(
        undeliverable,
        CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());
    String owner = "$.existing.found.Item.ExecutionArn.S";
    whoseItem
        .when(
            Condition.and(
                Condition.isPresent(owner),
                Condition.stringEqualsJsonPath(owner, "$.executionArn")),
            alreadyFinal)
        .when(Condition.isPresent("$.task.moves"), nextSecond)
        .otherwise(undeliverable);
    nextSecond.next(tooFar);
    tooFar
        .when(
            Condition.numberGreaterThanEqualsJsonPath("$.next.index", "$.next.count"),
            undeliverable)
        .otherwise(trySecond);
    trySecond.next(write);
    return Chain.start(received);
  }

  /**
   * The reconciling state: the task, whose item it is, how the execution stands, to mark FAILED.
   */
  private static Map<String, Object> state(Object task, String executionArn) {
    return TaskItems.ordered(
        "event", JsonPath.objectAt("$.input"),
        "task", task,
        "executionArn", JsonPath.stringAt(executionArn),
        "execution", JsonPath.objectAt("$.execution"),
        "attempt", JsonPath.numberAt("$.execution.RedriveCount"),
        "action", "fail",
        "move", -1);
  }

  /** The reconciling state for a requested redrive: the attempt to reopen the item for. */
  private static Map<String, Object> reopenState(Object task) {
    return TaskItems.ordered(
        "event", JsonPath.objectAt("$.input"),
        "task", task,
        "executionArn", JsonPath.stringAt("$.input.detail.executionArn"),
        "execution", JsonPath.objectAt("$.execution"),
        "attempt", JsonPath.numberAt("$.redrive.count"),
        "action", "reopen",
        "move", -1);
  }

  /** Every execution of the task state machine: what DescribeExecution is allowed on. */
  static String executionsOf(StateMachine tasks) {
    return Stack.of(tasks)
        .formatArn(
            ArnComponents.builder()
                .service("states")
                .resource("execution")
                .resourceName(tasks.getStateMachineName() + ":*")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
  }

  /**
   * Sends the event to the dead-letter queue with the SDK integration and exactly what SendMessage
   * needs (SQS developer guide, "Key management": kms:GenerateDataKey and kms:Decrypt on an
   * encrypted queue's key), rather than SqsSendMessage, whose grant adds kms:Encrypt,
   * kms:ReEncrypt* and the kms:GenerateDataKey* family.
   */
  private static CallAwsService keepForReplay(Construct scope, Queue deadLetterQueue) {
    List<PolicyStatement> key = new ArrayList<>();
    if (deadLetterQueue.getEncryptionMasterKey() != null) {
      key.add(
          PolicyStatement.Builder.create()
              .actions(List.of("kms:GenerateDataKey", "kms:Decrypt"))
              .resources(List.of(deadLetterQueue.getEncryptionMasterKey().getKeyArn()))
              .build());
    }
    return CallAwsService.Builder.create(scope, NOT_RECONCILED)
        .comment("Keeps the event for a replay: start the reconciler with the message body")
        .service("sqs")
        .action("sendMessage")
        .parameters(
            TaskItems.ordered(
                "QueueUrl",
                deadLetterQueue.getQueueUrl(),
                "MessageBody",
                JsonPath.jsonToString(JsonPath.objectAt("$.event"))))
        .iamAction("sqs:SendMessage")
        .iamResources(List.of(deadLetterQueue.getQueueArn()))
        .additionalIamStatements(key)
        .resultPath(JsonPath.DISCARD)
        .build();
  }

  /**
   * A Pass that sets {@code $.failure} to {@code {Error, Cause}}: each a literal, or a path when it
   * starts with {@code $}.
   */
  private static Pass failure(
      Construct scope, String id, String error, String cause, IChainable next) {
    Pass pass =
        Pass.Builder.create(scope, id)
            .parameters(
                TaskItems.ordered("Error", literalOrPath(error), "Cause", literalOrPath(cause)))
            .resultPath("$.failure")
            .build();
    pass.next(next);
    return pass;
  }

  /**
   * A Pass that sets {@code $.failure} for a cancellation (stopped with the error {@code
   * TaskStatus.Cancelled}): that error, the reason as cause (a literal, or a path when it starts
   * with {@code $}), and the mark that routes the write to {@code MarkCancelled}.
   */
  private static Pass cancelled(Construct scope, String id, String reason, IChainable next) {
    Pass pass =
        Pass.Builder.create(scope, id)
            .comment("Stopped by TaskStatusClient.cancel: CANCELLED, not FAILED")
            .parameters(
                TaskItems.ordered(
                    "Error",
                    TaskItems.CANCELLED_ERROR,
                    "Cause",
                    literalOrPath(reason),
                    "Cancelled",
                    true))
            .resultPath("$.failure")
            .build();
    pass.next(next);
    return pass;
  }

  /** A number, or a string (a DynamoDB number, which DynamoDB itself checks). */
  private static Condition numberOrNumberString(String path) {
    return Condition.or(Condition.isNumeric(path), Condition.isString(path));
  }

  /** Whether the event carries a string at this path. */
  private static Condition reported(String path) {
    return Condition.and(Condition.isPresent(path), Condition.isString(path));
  }

  private static Object literalOrPath(String value) {
    return value.startsWith("$") ? JsonPath.stringAt(value) : value;
  }
}
