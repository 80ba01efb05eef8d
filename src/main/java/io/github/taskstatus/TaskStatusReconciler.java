package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SfnStateMachine;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskStateBase;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.constructs.Construct;

/**
 * Endings no Catch sees: a task execution that times out, is aborted, or fails with an error no
 * Catch may handle ({@code States.Runtime}, or a start that could not even record STARTED). Step
 * Functions sends a "Step Functions Execution Status Change" event to EventBridge when a Standard
 * execution ends; a rule for this state machine's FAILED, TIMED_OUT and ABORTED executions starts
 * the reconciler, an Express state machine with DynamoDB tasks and no code, which marks the task's
 * item FAILED with an error that says why, creates the item when there is none, and never touches
 * an item that is already DONE or FAILED.
 *
 * <p>Nothing is lost on the way: the rule's target retries for a day and then sends the event to
 * the reconciler's dead-letter queue, and a reconciliation that fails after its own retries sends
 * the event there too; the queue is alarmed, and replaying a message is starting the reconciler
 * with its body.
 *
 * @param stateMachine the reconciler
 * @param rule the rule that starts it
 * @param deadLetterQueue where events go that could not be reconciled
 */
record TaskStatusReconciler(StateMachine stateMachine, Rule rule, Queue deadLetterQueue) {

  static final String READ_EVENT = "ReadEvent";
  static final String MARK_FAILED = "MarkFailed";
  static final String READ_ITEM = "ReadItem";
  static final String NOT_RECONCILED = "SendToDeadLetterQueue";

  /** The task execution statuses that reach the reconciler. */
  static final List<String> STATUSES = List.of("FAILED", "TIMED_OUT", "ABORTED");

  /** How long the rule keeps trying to start the reconciler for an event. */
  static final Duration MAX_EVENT_AGE = Duration.hours(24);

  static final int RETRY_ATTEMPTS = 185;

  /**
   * The ended execution's error and cause: in the event the Step Functions documentation shows,
   * absent from the one EventBridge's schema registry lists, so both are handled.
   */
  private static final String ERROR = "$.event.detail.error";

  private static final String CAUSE = "$.event.detail.cause";
  private static final String UNREPORTED =
      "The status change event did not say why the"
          + " execution failed: its history does (ExecutionArn)";

  static TaskStatusReconciler create(
      Construct scope,
      StateMachine tasks,
      TaskItems table,
      Settings settings,
      TaskStatusLogs logs,
      IKey key) {
    Queue deadLetterQueue =
        TaskQueues.secureQueue(
                scope,
                "ReconcilerDeadLetterQueue",
                key,
                settings.removalPolicy(),
                QueueSettings.DEAD_LETTER_RETENTION)
            .build();
    Nag.acknowledge(deadLetterQueue, "Serverless-SQSRedrivePolicy", null, Nag.DEAD_LETTER_QUEUE);
    Nag.acknowledge(
        deadLetterQueue,
        "AwsSolutions-SQS3",
        null,
        "This queue is a dead-letter"
            + " queue: that of the EventBridge rule's target and of the reconciler, which cdk-nag"
            + " does not recognise as it does a redrive policy");
    TaskItems items = table.at("$.task", "$.executionArn");
    LogGroup logGroup = logs.stateMachine("ReconcilerLogs", "-reconciler");
    StateMachine reconciler =
        StateMachine.Builder.create(scope, "Reconciler")
            .definitionBody(DefinitionBody.fromChainable(definition(scope, items, deadLetterQueue)))
            .stateMachineType(StateMachineType.EXPRESS)
            .timeout(Duration.minutes(5))
            .comment(
                "Marks FAILED the tasks whose execution timed out, was aborted or failed"
                    + " unseen by any Catch")
            .build();
    TaskStateMachine.grantTableKey(table.table(), reconciler);
    // Its input is the status change event, task and all: encrypted with the key, if there is one.
    StateMachineConfig config =
        StateMachineConfig.apply(scope, "Reconciler", reconciler, logGroup, settings, logs, key);
    // A fixed name, so the key policy can name the rule without depending on it (a cycle).
    String ruleName =
        Names.uniqueResourceName(scope, UniqueResourceNameOptions.builder().maxLength(54).build())
            + "-reconcile";
    Rule rule =
        Rule.Builder.create(scope, "ReconcileRule")
            .ruleName(ruleName)
            .description("Task executions that ended FAILED, TIMED_OUT or ABORTED, to reconcile")
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
    config.startedBy(rule);
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
    return new TaskStatusReconciler(reconciler, rule, deadLetterQueue);
  }

  static IChainable definition(Construct scope, TaskItems items, Queue deadLetterQueue) {
    Fail notReconciled =
        Fail.Builder.create(scope, "NotReconciled")
            .comment("The event is in the reconciler's dead-letter queue")
            .error("TaskNotReconciled")
            .cause(
                "The task's item could not be marked FAILED; the event is in the dead-letter"
                    + " queue")
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

    Pass readEvent =
        Pass.Builder.create(scope, READ_EVENT)
            .comment("The task from the ended execution's input, and how it ended")
            .parameters(
                TaskItems.ordered(
                    "event", JsonPath.objectAt("$"),
                    "task", JsonPath.stringToJson(JsonPath.stringAt("$.detail.input")),
                    "executionArn", JsonPath.stringAt("$.detail.executionArn"),
                    "status", JsonPath.stringAt("$.detail.status"),
                    "move", -1))
            .build();
    Choice hasInput =
        Choice.Builder.create(scope, "HasInput")
            .comment("Step Functions leaves out an input over 248 KiB")
            .build();
    List<Condition> complete =
        new ArrayList<>(
            List.of(
                Condition.isPresent("$.task.taskId"),
                Condition.isString("$.task.taskId"),
                Condition.isPresent("$.task.timestamp"),
                Condition.isNumeric("$.task.timestamp")));
    if (items.retention() != null) {
      complete.add(Condition.isPresent("$.task.expiresAt"));
      complete.add(Condition.isNumeric("$.task.expiresAt"));
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
            "Marks the task FAILED with why its execution ended; creates the item if there is none",
            TaskItems.FAILED,
            TaskItems.NEW_OR_OWN_STARTED,
            "$.failure");
    Succeed reconciled = Succeed.Builder.create(scope, "Reconciled").build();
    TaskStateBase readItem =
        items.readOwner(
            scope, READ_ITEM, "Whose is the item that stopped the update?", "$.existing", null);
    Choice whoseItem = Choice.Builder.create(scope, "WhoseItem").build();
    Succeed alreadyFinal =
        Succeed.Builder.create(scope, "AlreadyFinal")
            .comment("This execution's item is DONE or FAILED already: left as it is")
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
                    "status", JsonPath.stringAt("$.status"),
                    "move", JsonPath.numberAt("$.next.index"),
                    "failure", JsonPath.objectAt("$.failure")))
            .build();

    Choice explain =
        Choice.Builder.create(scope, "Explain")
            .comment("What the item's Error and Cause say")
            .build();
    explain
        .when(
            Condition.and(
                Condition.stringEquals("$.status", "FAILED"),
                reported(ERROR),
                Condition.stringEquals(ERROR, TaskStatusDefinition.STATUS_CONFLICT)),
            conflictLeft)
        .when(
            Condition.stringEquals("$.status", "TIMED_OUT"),
            failure(
                scope,
                "TimedOut",
                "States.Timeout",
                "The execution ran past the state machine's timeout",
                markFailed))
        .when(
            Condition.and(Condition.stringEquals("$.status", "ABORTED"), reported(CAUSE)),
            failure(scope, "AbortedWithCause", "States.Aborted", CAUSE, markFailed))
        .when(
            Condition.stringEquals("$.status", "ABORTED"),
            failure(
                scope,
                "Aborted",
                "States.Aborted",
                "The execution was stopped (StopExecution)",
                markFailed))
        .when(
            Condition.not(reported(ERROR)),
            failure(
                scope,
                "UnnamedFailure",
                TaskStatusDefinition.UNKNOWN_ERROR,
                UNREPORTED,
                markFailed))
        .when(
            Condition.not(reported(CAUSE)),
            failure(scope, "FailureWithoutCause", ERROR, TaskStatusDefinition.NO_CAUSE, markFailed))
        .otherwise(failure(scope, "Failure", ERROR, CAUSE, markFailed));

    hasInput
        .when(Condition.isString("$.detail.input"), readEvent)
        .otherwise(
            Pass.Builder.create(scope, "KeepEvent")
                .parameters(Map.of("event", JsonPath.objectAt("$")))
                .build()
                .next(undeliverable));
    readEvent.next(isTask);
    isTask
        .when(Condition.and(complete.toArray(Condition[]::new)), explain)
        .otherwise(undeliverable);
    markFailed.next(reconciled);
    markFailed.addCatch(
        readItem,
        CatchProps.builder()
            .errors(List.of(TaskItems.CONDITIONAL_CHECK_FAILED))
            .resultPath(JsonPath.DISCARD)
            .build());
    markFailed.addCatch(
        undeliverable,
        CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());
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
    trySecond.next(markFailed);
    return Chain.start(hasInput);
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

  /** Whether the event carries a string at this path. */
  private static Condition reported(String path) {
    return Condition.and(Condition.isPresent(path), Condition.isString(path));
  }

  private static Object literalOrPath(String value) {
    return value.startsWith("$") ? JsonPath.stringAt(value) : value;
  }
}
