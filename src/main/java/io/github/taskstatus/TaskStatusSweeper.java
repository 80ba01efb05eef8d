package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.SfnStateMachine;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.constructs.Construct;

/**
 * The sweeper, for what no status change event reports: EventBridge delivers those events on a
 * best-effort basis, and Express executions send none. Each item is in the sparse {@code OpenTasks}
 * index while it is STARTED, sorted by its deadline (its start, plus the state machine's timeout,
 * plus {@link Settings#SWEEP_GRACE_SECONDS}); on a schedule, an Express state machine with SDK
 * tasks and no code queries the index for the items past their deadline (a {@code Query}, never a
 * {@code Scan}) and hands each to the reconciler, which resolves it from its execution's real
 * status: an execution still running is left alone, one that ended has its item marked as it ended,
 * an Express one is {@code FAILED} with {@code States.Timeout}. So every item ends, however many
 * events are lost.
 *
 * <p>A sweep reads up to {@value #PAGES} pages of {@value #PAGE_SIZE} items; what is left waits for
 * the next sweep. The reconciler runs asynchronously (its own dead-letter queue keeps what it
 * cannot reconcile); a sweep that cannot query or start it fails, and is alarmed.
 *
 * @param stateMachine the sweep
 * @param schedule the rule that starts it every interval
 */
record TaskStatusSweeper(StateMachine stateMachine, Rule schedule) {

  static final String FIND_OVERDUE = "FindOverdueItems";
  static final String NEXT_PAGE = "FindMoreOverdueItems";
  static final String RECONCILE_EACH = "ReconcileEach";
  static final String RECONCILE = "StartReconciler";

  /** Items a page holds. */
  static final int PAGE_SIZE = 100;

  /** Pages a sweep reads at most. */
  static final int PAGES = 10;

  /**
   * What a query retries: throttling and server errors as an AWS SDK integration names them, {@code
   * DynamoDb.} plus the error's name with the {@code Exception} suffix Step Functions adds where
   * the service's own name lacks it (developer guide, "AWS SDK service integrations"): the Query
   * errors of DynamoDB's API reference that a retry can fix, and {@code DynamoDb.DynamoDbException}
   * for an error the SDK models no exception for. Never a validation or access error.
   */
  static final List<String> QUERY_TRANSIENT_ERRORS =
      List.of(
          "DynamoDb.DynamoDbException",
          "DynamoDb.ProvisionedThroughputExceededException",
          "DynamoDb.RequestLimitExceededException",
          "DynamoDb.ThrottlingException",
          "DynamoDb.InternalServerErrorException");

  static TaskStatusSweeper create(
      Construct scope,
      ITable table,
      TaskStatusReconciler reconciler,
      Settings settings,
      TaskStatusLogs logs,
      IKey key) {
    LogGroup logGroup = logs.stateMachine("SweeperLogs", "-sweeper");
    StateMachine sweeper =
        StateMachine.Builder.create(scope, "Sweeper")
            .definitionBody(
                DefinitionBody.fromChainable(definition(scope, table, reconciler.stateMachine())))
            .stateMachineType(StateMachineType.EXPRESS)
            .timeout(Duration.minutes(5))
            .comment(
                "Hands the items still STARTED past their deadline to the reconciler, which"
                    + " resolves each from its execution's real status")
            .build();
    TaskStateMachine.grantTableKey(table, sweeper);
    StateMachineConfig config =
        StateMachineConfig.apply(scope, "Sweeper", sweeper, logGroup, settings, logs, key);
    Rule schedule =
        Rule.Builder.create(scope, "SweepSchedule")
            .description("Sweeps the task items still STARTED past their deadline")
            .schedule(Schedule.rate(settings.sweepInterval()))
            .targets(List.of(SfnStateMachine.Builder.create(sweeper).retryAttempts(2).build()))
            .build();
    config.startedBy(schedule);
    // The reconciler must be able to describe what it is handed.
    schedule.getNode().addDependency(reconciler.readsExecutions());
    Nag.acknowledge(schedule, "Serverless-EventBusDLQ", null, Nag.SCHEDULE_WITHOUT_DEAD_LETTERS);
    return new TaskStatusSweeper(sweeper, schedule);
  }

  static IChainable definition(Construct scope, ITable table, StateMachine reconciler) {
    Pass now =
        Pass.Builder.create(scope, "Now")
            .comment("Overdue means a deadline before now; a deadline is a time in this form")
            .parameters(
                TaskItems.ordered("now", JsonPath.stringAt("$$.State.EnteredTime"), "pages", 1))
            .build();
    CallAwsService first = query(scope, FIND_OVERDUE, table, false);
    final CallAwsService more = query(scope, NEXT_PAGE, table, true);
    software.amazon.awscdk.services.stepfunctions.Map reconcileEach =
        software.amazon.awscdk.services.stepfunctions.Map.Builder.create(scope, RECONCILE_EACH)
            .comment("Each overdue item, to the reconciler, which reads how its execution stands")
            .itemsPath("$.page.Items")
            .maxConcurrency(10)
            .itemSelector(
                TaskItems.ordered(
                    "source",
                    TaskStatusReconciler.SWEEPER_SOURCE,
                    "detail",
                    Map.of("executionArn", JsonPath.stringAt("$$.Map.Item.Value.ExecutionArn.S")),
                    "item",
                    JsonPath.objectAt("$$.Map.Item.Value")))
            .resultPath(JsonPath.DISCARD)
            .build();
    CallAwsService start =
        CallAwsService.Builder.create(scope, RECONCILE)
            .comment("Asynchronously: the reconciler keeps what it cannot reconcile")
            .service("sfn")
            .action("startExecution")
            .parameters(
                TaskItems.ordered(
                    "StateMachineArn",
                    reconciler.getStateMachineArn(),
                    "Input",
                    JsonPath.jsonToString(JsonPath.objectAt("$"))))
            .iamAction("states:StartExecution")
            .iamResources(List.of(reconciler.getStateMachineArn()))
            .resultPath(JsonPath.DISCARD)
            .build();
    start.addRetry(
        RetryProps.builder()
            .errors(List.of("Sfn.SfnException"))
            .interval(Duration.seconds(1))
            .backoffRate(2)
            .maxAttempts(5)
            .jitterStrategy(JitterType.FULL)
            .build());
    reconcileEach.itemProcessor(start);
    Choice morePages =
        Choice.Builder.create(scope, "MorePages")
            .comment("Another page, up to " + PAGES + " a sweep; the rest waits for the next one")
            .build();
    final Pass countPage =
        Pass.Builder.create(scope, "CountPage")
            .parameters(
                TaskItems.ordered(
                    "now", JsonPath.stringAt("$.now"),
                    "pages", JsonPath.mathAdd(JsonPath.numberAt("$.pages"), 1),
                    "page", JsonPath.objectAt("$.page")))
            .build();
    final Succeed swept = Succeed.Builder.create(scope, "Swept").build();

    now.next(first);
    first.next(reconcileEach);
    reconcileEach.next(morePages);
    morePages
        .when(
            Condition.and(
                Condition.isPresent("$.page.LastEvaluatedKey"),
                Condition.numberLessThan("$.pages", PAGES)),
            countPage)
        .otherwise(swept);
    countPage.next(more);
    more.next(reconcileEach);
    return now;
  }

  /** One page of the open-task index's items whose deadline is before {@code $.now}. */
  private static CallAwsService query(Construct scope, String id, ITable table, boolean next) {
    Map<String, Object> parameters =
        TaskItems.ordered(
            "TableName",
            table.getTableName(),
            "IndexName",
            TaskTable.OPEN_INDEX,
            "KeyConditionExpression",
            TaskItems.OPEN_INDEX_KEY + " = :open AND " + TaskItems.DEADLINE + " < :now",
            "ExpressionAttributeValues",
            Map.of(
                ":open", Map.of("S", TaskItems.STARTED),
                ":now", Map.of("S", JsonPath.stringAt("$.now"))),
            "Limit",
            PAGE_SIZE);
    if (next) {
      parameters.put("ExclusiveStartKey", JsonPath.objectAt("$.page.LastEvaluatedKey"));
    }
    CallAwsService query =
        CallAwsService.Builder.create(scope, id)
            .comment("The open items past their deadline, oldest first")
            .service("dynamodb")
            .action("query")
            .parameters(parameters)
            .iamAction("dynamodb:Query")
            .iamResources(List.of(table.getTableArn() + "/index/" + TaskTable.OPEN_INDEX))
            .resultPath("$.page")
            .build();
    query.addRetry(
        RetryProps.builder()
            .errors(QUERY_TRANSIENT_ERRORS)
            .interval(Duration.seconds(1))
            .backoffRate(2)
            .maxAttempts(5)
            .jitterStrategy(JitterType.FULL)
            .build());
    return query;
  }
}
