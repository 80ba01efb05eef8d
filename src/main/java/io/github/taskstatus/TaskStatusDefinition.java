package io.github.taskstatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Parallel;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoAttributeValue;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoPutItem;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoUpdateItem;
import software.constructs.Construct;

/**
 * Builds the state machine's states: record STARTED, do the work, record DONE; any error in the
 * work or in recording DONE records FAILED and fails the execution.
 *
 * <p>State names are part of the contract: the README's diagrams, operators reading execution
 * histories and the local harness's fault injection refer to them.
 */
final class TaskStatusDefinition {

  static final String RECORD_STARTED = "RecordStarted";
  static final String WORK = "Work";
  static final String WAIT = "Wait";
  static final String RECORD_DONE = "RecordDone";
  static final String RECORD_FAILED = "RecordFailed";
  static final String TASK_FAILED = "TaskFailed";
  static final String ALREADY_RECORDED = "TaskAlreadyRecorded";
  static final String STATUS_CONFLICT = "TaskStatusConflict";

  static final String STARTED = "STARTED";
  static final String DONE = "DONE";
  static final String FAILED = "FAILED";

  static final String CONDITIONAL_CHECK_FAILED = "DynamoDB.ConditionalCheckFailedException";

  /** Throttling and transient service errors, as Step Functions names them. */
  static final List<String> TRANSIENT_DYNAMODB_ERRORS = List.of(
      "DynamoDB.ProvisionedThroughputExceededException",
      "DynamoDB.RequestLimitExceeded",
      "DynamoDB.ThrottlingException",
      "DynamoDB.InternalServerErrorException",
      "DynamoDB.ServiceUnavailableException");

  static final RetryProps TRANSIENT_RETRY = RetryProps.builder()
      .errors(TRANSIENT_DYNAMODB_ERRORS)
      .interval(Duration.seconds(1))
      .backoffRate(2)
      .maxAttempts(6)
      .maxDelay(Duration.seconds(20))
      .jitterStrategy(JitterType.FULL)
      .build();

  private static final String ERROR_PATH = "$.error";
  /** Only a running task may finish: a finished one never moves back. */
  private static final String ONLY_IF_STARTED = "attribute_exists(taskId) AND #Status = :started";

  private TaskStatusDefinition() {}

  /**
   * Creates the states in {@code scope} and returns the chain that starts the state machine.
   *
   * @param work the user's work, or {@code null} for a wait of {@code waitDuration}
   */
  static IChainable create(Construct scope, ITable table, IChainable work, Duration waitDuration) {
    DynamoPutItem recordStarted = DynamoPutItem.Builder.create(scope, RECORD_STARTED)
        .comment("Records the task as STARTED; never overwrites an existing item")
        .table(table)
        .item(ordered(
            "taskId", taskId(),
            "timestamp", timestamp(),
            "Status", DynamoAttributeValue.fromString(STARTED),
            "ExecutionArn", DynamoAttributeValue.fromString(JsonPath.stringAt("$$.Execution.Id")),
            "UpdatedAt", enteredTime()))
        .conditionExpression("attribute_not_exists(taskId)")
        .resultPath(JsonPath.DISCARD)
        .build();
    recordStarted.addRetry(TRANSIENT_RETRY);

    Parallel workStep = Parallel.Builder.create(scope, WORK)
        .comment("Runs the work; any error in it marks the task FAILED")
        .resultPath(JsonPath.DISCARD)
        .build();
    workStep.branch(work != null ? work : Wait.Builder.create(scope, WAIT)
        .comment("The simulated work")
        .time(WaitTime.duration(waitDuration))
        .build());

    DynamoUpdateItem recordDone = finish(scope, RECORD_DONE, table, DONE, ordered(),
        "Records the task as DONE");
    DynamoUpdateItem recordFailed = finish(scope, RECORD_FAILED, table, FAILED,
        ordered(
            "Error", DynamoAttributeValue.fromString(JsonPath.stringAt("$.error.Error")),
            "Cause", DynamoAttributeValue.fromString(JsonPath.stringAt("$.error.Cause"))),
        "Records the task as FAILED with the error and its cause");

    Fail taskFailed = Fail.Builder.create(scope, TASK_FAILED)
        .comment("The task failed and is recorded FAILED; the execution fails with its error")
        .errorPath("$.error.Error")
        .causePath("$.error.Cause")
        .build();
    Fail alreadyRecorded = Fail.Builder.create(scope, ALREADY_RECORDED)
        .comment("An item with this taskId and timestamp exists already; it is left as it is")
        .error("TaskAlreadyRecorded")
        .cause("An item with this taskId and timestamp already exists; it was not changed")
        .build();
    Fail statusConflict = Fail.Builder.create(scope, STATUS_CONFLICT)
        .comment("The item is missing or no longer STARTED; it is left as it is")
        .error("TaskStatusConflict")
        .cause("The task's item is missing or no longer STARTED; it was not changed")
        .build();

    recordStarted.addCatch(alreadyRecorded, catchInto(CONDITIONAL_CHECK_FAILED));
    workStep.addCatch(recordFailed, catchInto(Errors.ALL));
    recordDone.addCatch(statusConflict, catchInto(CONDITIONAL_CHECK_FAILED));
    recordDone.addCatch(recordFailed, catchInto(Errors.ALL));
    recordFailed.addCatch(taskFailed, CatchProps.builder()
        .errors(List.of(Errors.ALL)).resultPath("$.recordFailedError").build());
    recordFailed.next(taskFailed);

    return Chain.start(recordStarted).next(workStep).next(recordDone);
  }

  /**
   * An update of a STARTED item to {@code status}, setting {@code UpdatedAt} and each of
   * {@code extra}'s attributes too.
   */
  private static DynamoUpdateItem finish(Construct scope, String id, ITable table, String status,
      Map<String, DynamoAttributeValue> extra, String comment) {
    Map<String, String> names = ordered("#Status", "Status");
    Map<String, DynamoAttributeValue> values = ordered(
        ":status", DynamoAttributeValue.fromString(status),
        ":started", DynamoAttributeValue.fromString(STARTED),
        ":updatedAt", enteredTime());
    StringBuilder set = new StringBuilder("SET #Status = :status, UpdatedAt = :updatedAt");
    extra.forEach((attribute, value) -> {
      names.put("#" + attribute, attribute);
      values.put(":" + attribute, value);
      set.append(", #").append(attribute).append(" = :").append(attribute);
    });
    DynamoUpdateItem update = DynamoUpdateItem.Builder.create(scope, id)
        .comment(comment)
        .table(table)
        .key(ordered("taskId", taskId(), "timestamp", timestamp()))
        .updateExpression(set.toString())
        .conditionExpression(ONLY_IF_STARTED)
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .resultPath(JsonPath.DISCARD)
        .build();
    update.addRetry(TRANSIENT_RETRY);
    return update;
  }

  /**
   * A mutable map that keeps insertion order: {@code Map.of} iterates in an order that changes
   * from JVM to JVM, which would change the synthesized definition (and redeploy it) every time.
   */
  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> ordered(Object... keysAndValues) {
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
    }
    return map;
  }

  private static CatchProps catchInto(String error) {
    return CatchProps.builder().errors(List.of(error)).resultPath(ERROR_PATH).build();
  }

  private static DynamoAttributeValue taskId() {
    return DynamoAttributeValue.fromString(JsonPath.stringAt("$.taskId"));
  }

  /** The number must reach DynamoDB as a string ({@code {"N": "123"}}): aws-cdk#12456. */
  private static DynamoAttributeValue timestamp() {
    return DynamoAttributeValue.numberFromString(
        JsonPath.format("{}", JsonPath.stringAt("$.timestamp")));
  }

  /** ISO-8601 time the state was entered: ASL has no intrinsic that yields Unix seconds. */
  private static DynamoAttributeValue enteredTime() {
    return DynamoAttributeValue.fromString(JsonPath.stringAt("$$.State.EnteredTime"));
  }
}
