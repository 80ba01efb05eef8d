package io.github.taskstatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoAttributeValue;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoGetItem;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoProjectionExpression;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoPutItem;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoUpdateItem;
import software.constructs.Construct;

/**
 * The DynamoDB task states that write a task's item, for the task state machine and the reconciler
 * alike: the item's key, the STARTED put, the reopening of a redriven start's item, the final
 * update (DONE or FAILED, with the expiry and the index attributes when configured), and the
 * retries they share.
 *
 * <p>Every write is idempotent for its own execution: its condition also accepts the item this
 * execution's attempt already wrote ({@code ExecutionArn = :self}), so a retry after a write that
 * committed and then answered 500 succeeds instead of failing its condition.
 *
 * <p>Every write records the attempt that made it in {@code RedriveCount} (the execution's redrive
 * count, {@code $$.Execution.RedriveCount}, 0 until it is redriven), and a write never overwrites a
 * later attempt's: a redriven execution (the same ARN, running again from its failed step) may
 * finish the item an earlier attempt left FAILED, while a late status event of the earlier attempt
 * cannot touch what the redriven one wrote.
 *
 * @param table the table
 * @param input where the task's {@code taskId} and {@code timestamp} are in the state input, such
 *     as {@code $} or {@code $.task}
 * @param execution the path of the execution ARN that owns the item
 * @param attempt the path of the writing attempt's redrive count (a number)
 * @param retention how long finished items are kept, or {@code null} for ever
 * @param redriveExtensionSeconds how much later a redriven attempt may end than the one before: the
 *     redrive window plus the execution timeout; {@code null} where executions cannot be redriven
 * @param failedIndex whether FAILED items carry the failed-task index key
 * @param openIndex whether STARTED items carry the open-task index key (the sweeper's)
 */
record TaskItems(
    ITable table,
    String input,
    String execution,
    String attempt,
    Duration retention,
    Long redriveExtensionSeconds,
    boolean failedIndex,
    boolean openIndex) {

  /**
   * How long after an execution stopped it may still be redriven (the {@code RedriveExecution} API
   * reference: executions that did not complete successfully "in the last 14 days").
   */
  static final long REDRIVE_WINDOW_SECONDS = 14L * 24 * 3600;

  /** The items of the task state machine: its input is the task, its execution owns them. */
  static TaskItems ofTasks(ITable table, Settings settings) {
    return new TaskItems(
        table,
        "$",
        "$$.Execution.Id",
        "$$.Execution.RedriveCount",
        settings.retention(),
        settings.reconciles()
            ? REDRIVE_WINDOW_SECONDS + settings.timeout().toSeconds().longValue()
            : null,
        settings.failedTaskIndex(),
        settings.sweeper());
  }

  /**
   * The same items, read from another state input: the task, its owner and attempt at these paths.
   */
  TaskItems at(String taskPath, String executionPath, String attemptPath) {
    return new TaskItems(
        table,
        taskPath,
        executionPath,
        attemptPath,
        retention,
        redriveExtensionSeconds,
        failedIndex,
        openIndex);
  }

  static final String STARTED = "STARTED";
  static final String DONE = "DONE";
  static final String FAILED = "FAILED";

  /**
   * A task stopped on purpose ({@code TaskStatusClient.cancel}): final, with the reason as Cause.
   */
  static final String CANCELLED = "CANCELLED";

  /** The error a cancellation stops the execution with, and the cancelled item records. */
  static final String CANCELLED_ERROR = "TaskStatus.Cancelled";

  /** The attribute DynamoDB's Time to Live reads: Unix seconds after which an item may go. */
  static final String EXPIRES_AT = "ExpiresAt";

  /** The failed-task index's partition key; only FAILED items have it, so the index is sparse. */
  static final String FAILED_INDEX_KEY = "FailedIndexKey";

  /** The failed-task index's sort key: when the item became FAILED. */
  static final String UPDATED_AT = "UpdatedAt";

  /** The open-task index's partition key; only STARTED items have it, so the index is sparse. */
  static final String OPEN_INDEX_KEY = "OpenIndexKey";

  /**
   * The open-task index's sort key: when a STARTED item is overdue, an ISO-8601 UTC time with
   * milliseconds (the starter computes it; ASL has no intrinsic that gives Unix seconds).
   */
  static final String DEADLINE = "Deadline";

  /** Which attempt of its execution last wrote the item: its redrive count. */
  static final String REDRIVE_COUNT = "RedriveCount";

  /**
   * The item's history: one {@code {Attempt, Status, At}} entry per finished attempt, with {@code
   * Error} for a failure (its Cause is the item's own only for the last failure, so an item stays
   * far below DynamoDB's 400 KB however often it is redriven).
   */
  static final String ATTEMPTS = "Attempts";

  /** A worker's progress (TaskStatusClient's TaskWorker writes them; see the README). */
  static final String PROGRESS = "Progress";

  static final String PROGRESS_MESSAGE = "ProgressMessage";
  static final String PROGRESS_AT = "ProgressAt";

  static final String CONDITIONAL_CHECK_FAILED = "DynamoDB.ConditionalCheckFailedException";

  /**
   * What a DynamoDB step retries: throttling and server errors in every spelling Step Functions may
   * use. The optimized DynamoDB integration names an error {@code DynamoDB.} plus the exception of
   * the AWS SDK it calls, and {@code DynamoDB.AmazonDynamoDBException} when the service's error has
   * no exception of its own (AWS's samples retry that name; ThrottlingException is such an error);
   * the wire codes are listed as well, since other tools and services name errors by them. Never
   * {@code DynamoDB.ConditionalCheckFailedException}: a failed condition is an answer, not a fault.
   */
  static final List<String> TRANSIENT_ERRORS =
      List.of(
          "DynamoDB.AmazonDynamoDBException",
          "DynamoDB.ProvisionedThroughputExceededException",
          "DynamoDB.RequestLimitExceeded",
          "DynamoDB.RequestLimitExceededException",
          "DynamoDB.ThrottlingException",
          "DynamoDB.InternalServerError",
          "DynamoDB.InternalServerErrorException",
          "DynamoDB.ServiceUnavailable",
          "DynamoDB.ServiceUnavailableException",
          "DynamoDB.TransactionConflictException");

  /** 6 retries (7 attempts), 1 s doubling to at most 20 s apart, full jitter: about a minute. */
  static final RetryProps TRANSIENT_RETRY =
      RetryProps.builder()
          .errors(TRANSIENT_ERRORS)
          .interval(Duration.seconds(1))
          .backoffRate(2)
          .maxAttempts(6)
          .maxDelay(Duration.seconds(20))
          .jitterStrategy(JitterType.FULL)
          .build();

  /**
   * A new item, or this execution's own while it is still STARTED (a retry after a write that
   * committed): never another start's, and never a finished one, which a second run of an Express
   * execution (at least once) would otherwise put back to STARTED.
   */
  static final String NEW_OR_OWN_STARTED =
      "attribute_not_exists(taskId) OR (ExecutionArn = :self AND #Status = :started)";

  /**
   * This execution's item, open to the writing attempt: STARTED by this attempt or an earlier one,
   * or finished by an earlier attempt (a redrive finishes what the attempt before left), or already
   * given this status by this very attempt (a retry after a write that committed). Never a later
   * attempt's. Items written before attempts were recorded have no RedriveCount: open while
   * STARTED.
   */
  static final String OWN_OPEN_TO_ATTEMPT =
      "ExecutionArn = :self AND ((#Status = :started AND (attribute_not_exists(RedriveCount)"
          + " OR RedriveCount <= :attempt)) OR RedriveCount < :attempt"
          + " OR (#Status = :status AND RedriveCount = :attempt))";

  /**
   * No item at all (the reconciler creates a missing one), or this execution's item STARTED by this
   * attempt or an earlier one, or finished by an earlier attempt. Not an item this very attempt
   * finished: the reconciler leaves that as it is (a retry of its own write that committed then
   * reads the item and finds it its own).
   */
  static final String NEW_OR_OWN_OPEN_TO_LATER_ATTEMPT =
      "attribute_not_exists(taskId) OR (ExecutionArn = :self AND ((#Status = :started AND"
          + " (attribute_not_exists(RedriveCount) OR RedriveCount <= :attempt))"
          + " OR RedriveCount < :attempt))";

  /**
   * This execution's item, finished by an earlier attempt: a redriven attempt reopens it, as
   * STARTED again, never another start's or a later attempt's.
   */
  static final String OWN_FINISHED_BY_EARLIER_ATTEMPT =
      "ExecutionArn = :self AND #Status <> :started AND RedriveCount < :attempt";

  /**
   * Records the task as STARTED under its key, with the attempt, the expiry and, for the sweeper,
   * the open-task index key and the deadline from the input; with {@code requested}, also the
   * timestamp the starter asked for, when a collision moved the item on.
   */
  DynamoPutItem putStarted(Construct scope, String id, String comment, boolean requested) {
    Map<String, DynamoAttributeValue> item =
        ordered(
            TaskStatusWorkflow.PARTITION_KEY,
            taskId(),
            TaskStatusWorkflow.SORT_KEY,
            timestamp(),
            "Status",
            DynamoAttributeValue.fromString(STARTED),
            "ExecutionArn",
            executionArn(),
            UPDATED_AT,
            enteredTime(),
            REDRIVE_COUNT,
            number(attempt));
    if (requested) {
      item.put("RequestedTimestamp", number(input + ".requestedTimestamp"));
    }
    if (retention != null) {
      // On the open item already: a sweep may finish it without the execution's input.
      item.put(EXPIRES_AT, number(input + ".expiresAt"));
    }
    if (openIndex) {
      item.put(OPEN_INDEX_KEY, DynamoAttributeValue.fromString(STARTED));
      item.put(DEADLINE, DynamoAttributeValue.fromString(JsonPath.stringAt(input + ".deadline")));
    }
    DynamoPutItem put =
        DynamoPutItem.Builder.create(scope, id)
            .comment(comment)
            .table(table)
            .item(item)
            .conditionExpression(NEW_OR_OWN_STARTED)
            .expressionAttributeNames(ordered("#Status", "Status"))
            .expressionAttributeValues(
                ordered(
                    ":self", executionArn(), ":started", DynamoAttributeValue.fromString(STARTED)))
            .resultPath(JsonPath.DISCARD)
            .build();
    put.addRetry(TRANSIENT_RETRY);
    return put;
  }

  /**
   * Reopens the item of this execution that an earlier attempt finished: STARTED again, for this
   * attempt, back in the open-task index.
   */
  DynamoUpdateItem reopen(Construct scope, String id, String comment) {
    StringBuilder set =
        new StringBuilder(
            "SET #Status = :started, "
                + UPDATED_AT
                + " = :updatedAt, "
                + REDRIVE_COUNT
                + " = :attempt");
    Map<String, DynamoAttributeValue> values =
        ordered(
            ":started", DynamoAttributeValue.fromString(STARTED),
            ":self", executionArn(),
            ":attempt", number(attempt),
            ":updatedAt", enteredTime());
    if (openIndex) {
      set.append(", " + OPEN_INDEX_KEY + " = :started");
    }
    if (retention != null && redriveExtensionSeconds != null) {
      // The redriven attempt may end up to the redrive window plus a timeout after the attempt
      // before could: the expiry moves on by that much, so the item is still kept for retention
      // after its last end. DynamoDB adds numbers of any size, unlike States.MathAdd.
      values.put(":expiresAt", number(input + ".expiresAt"));
      values.put(
          ":redriveExtension",
          DynamoAttributeValue.numberFromString(Long.toString(redriveExtensionSeconds)));
      set.append(
          ", "
              + EXPIRES_AT
              + " = if_not_exists("
              + EXPIRES_AT
              + ", :expiresAt) + :redriveExtension");
    }
    // A worker of the new attempt reports from 0 again: an earlier attempt's progress goes.
    set.append(" REMOVE " + PROGRESS + ", " + PROGRESS_MESSAGE + ", " + PROGRESS_AT);
    return update(
        scope,
        id,
        comment,
        set.toString(),
        OWN_FINISHED_BY_EARLIER_ATTEMPT,
        ordered("#Status", "Status"),
        values);
  }

  /**
   * Sets the final status, for this attempt. {@code condition} decides which items it may change
   * ({@link #OWN_OPEN_TO_ATTEMPT} or {@link #NEW_OR_OWN_OPEN_TO_LATER_ATTEMPT}); {@code error} is
   * the path of an {@code {Error, Cause}} object to store, or {@code null}: a DONE item keeps the
   * error and cause of the failure a redrive recovered from.
   */
  DynamoUpdateItem finish(
      Construct scope, String id, String comment, String status, String condition, String error) {
    Map<String, String> names = ordered("#Status", "Status");
    Map<String, DynamoAttributeValue> values =
        ordered(
            ":status", DynamoAttributeValue.fromString(status),
            ":started", DynamoAttributeValue.fromString(STARTED),
            ":self", executionArn(),
            ":attempt", number(attempt),
            ":updatedAt", enteredTime());
    StringBuilder set =
        new StringBuilder(
            "SET #Status = :status, "
                + UPDATED_AT
                + " = :updatedAt, "
                + REDRIVE_COUNT
                + " = :attempt");
    if (error != null) {
      names.put("#Error", "Error");
      names.put("#Cause", "Cause");
      values.put(":error", DynamoAttributeValue.fromString(JsonPath.stringAt(error + ".Error")));
      values.put(":cause", DynamoAttributeValue.fromString(JsonPath.stringAt(error + ".Cause")));
      set.append(", #Error = :error, #Cause = :cause");
    }
    Map<String, DynamoAttributeValue> entry =
        ordered(
            "Attempt", number(attempt),
            "Status", DynamoAttributeValue.fromString(status),
            "At", enteredTime());
    if (error != null) {
      entry.put("Error", DynamoAttributeValue.fromString(JsonPath.stringAt(error + ".Error")));
    }
    values.put(
        ":attempts", DynamoAttributeValue.fromList(List.of(DynamoAttributeValue.fromMap(entry))));
    values.put(":noAttempts", DynamoAttributeValue.fromList(List.of()));
    // Once per attempt: the condition lets no attempt finish an item twice.
    set.append(
        ", "
            + ATTEMPTS
            + " = list_append(if_not_exists("
            + ATTEMPTS
            + ", :noAttempts), :attempts)");
    if (retention != null) {
      // The starter computed it: States.MathAdd takes 32-bit integers, Unix times outgrow them.
      // A reopened item's is later (see reopen): kept, never moved back.
      values.put(":expiresAt", number(input + ".expiresAt"));
      set.append(", " + EXPIRES_AT + " = if_not_exists(" + EXPIRES_AT + ", :expiresAt)");
    }
    if (failedIndex && FAILED.equals(status)) {
      values.put(":failedKey", DynamoAttributeValue.fromString(FAILED));
      set.append(", " + FAILED_INDEX_KEY + " = :failedKey");
    }
    // The same value on this execution's own item; on an item the reconciler creates, the owner.
    set.append(", ExecutionArn = :self");
    if (openIndex) {
      // Out of the open-task index: a finished item is no sweep's business.
      set.append(" REMOVE " + OPEN_INDEX_KEY);
    }
    return update(scope, id, comment, set.toString(), condition, names, values);
  }

  /** An update of the item under the key, when the condition holds, retried as every write is. */
  private DynamoUpdateItem update(
      Construct scope,
      String id,
      String comment,
      String expression,
      String condition,
      Map<String, String> names,
      Map<String, DynamoAttributeValue> values) {
    DynamoUpdateItem update =
        DynamoUpdateItem.Builder.create(scope, id)
            .comment(comment)
            .table(table)
            .key(key())
            .updateExpression(expression)
            .conditionExpression(condition)
            .expressionAttributeNames(names)
            .expressionAttributeValues(values)
            .resultPath(JsonPath.DISCARD)
            .build();
    update.addRetry(TRANSIENT_RETRY);
    return update;
  }

  /**
   * Reads whose the item under the key is: its {@code ExecutionArn} and {@code Status} only (an
   * item's Cause alone may be 32 KB), as {@code {"found": {"Item": ...}}} at {@code resultPath},
   * {@code {"found": {}}} when there is none. With {@code selfAt}, the reading execution's own ARN
   * goes next to it, as {@code "self"}, for a Choice to compare.
   */
  DynamoGetItem readOwner(
      Construct scope, String id, String comment, String resultPath, String selfAt) {
    Map<String, Object> selector = ordered("found", JsonPath.objectAt("$"));
    if (selfAt != null) {
      selector.put("self", JsonPath.stringAt(selfAt));
    }
    DynamoGetItem get =
        DynamoGetItem.Builder.create(scope, id)
            .comment(comment)
            .table(table)
            .key(key())
            .consistentRead(true)
            .projectionExpression(
                List.of(
                    new DynamoProjectionExpression().withAttribute("ExecutionArn"),
                    new DynamoProjectionExpression().withAttribute("#Status")))
            .expressionAttributeNames(ordered("#Status", "Status"))
            .resultSelector(selector)
            .resultPath(resultPath)
            .build();
    get.addRetry(TRANSIENT_RETRY);
    return get;
  }

  Map<String, DynamoAttributeValue> key() {
    return ordered(
        TaskStatusWorkflow.PARTITION_KEY, taskId(), TaskStatusWorkflow.SORT_KEY, timestamp());
  }

  private DynamoAttributeValue taskId() {
    return DynamoAttributeValue.fromString(JsonPath.stringAt(input + ".taskId"));
  }

  /** The number must reach DynamoDB as a string ({@code {"N": "123"}}): aws-cdk#12456. */
  private DynamoAttributeValue timestamp() {
    return number(input + ".timestamp");
  }

  private static DynamoAttributeValue number(String path) {
    return DynamoAttributeValue.numberFromString(JsonPath.format("{}", JsonPath.stringAt(path)));
  }

  private DynamoAttributeValue executionArn() {
    return DynamoAttributeValue.fromString(JsonPath.stringAt(execution));
  }

  /** ISO-8601 time the state was entered: ASL has no intrinsic that yields Unix seconds. */
  private static DynamoAttributeValue enteredTime() {
    return DynamoAttributeValue.fromString(JsonPath.stringAt("$$.State.EnteredTime"));
  }

  /**
   * A mutable map that keeps insertion order: {@code Map.of} iterates in an order that changes from
   * JVM to JVM, which would change the synthesized definition (and redeploy it) every time.
   */
  @SuppressWarnings("unchecked")
  static <V> Map<String, V> ordered(Object... keysAndValues) {
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
    }
    return map;
  }
}
