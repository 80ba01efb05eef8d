package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.pipes.CfnPipe;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * Status change events: the table's stream (new and old images) feeds an EventBridge pipe that
 * keeps the records with a new image, inserts and modifications (not Time to Live's deletions), has
 * an Express state machine with no code shape each change into the event's detail, and puts it on
 * the event bus with source {@link #SOURCE} and detail-type {@link #DETAIL_TYPE}, the task state
 * machine in {@code resources}. Every writer of the table is covered the same way (the task's
 * execution, the reconciler, the sweeper, a worker's progress), and DynamoDB writes no stream
 * record for a write that changed nothing, so an event is a change that happened. Records that fail
 * every retry go to an alarmed dead-letter queue.
 *
 * @param pipe the pipe
 * @param shaper the enrichment state machine
 * @param deadLetterQueue where records go that could not be published
 */
record TaskStatusEvents(CfnPipe pipe, StateMachine shaper, Queue deadLetterQueue) {

  static final String SOURCE = "task-status-workflow";
  static final String DETAIL_TYPE = "Task Status Change";

  /**
   * Only records with a new image of an item (inserts and modifications): Time to Live's deletions
   * (REMOVE) are no status change. On the {@code dynamodb} key, the only one a DynamoDB stream's
   * records can be filtered on (Lambda developer guide, "Using event filtering with a DynamoDB
   * event source"; the Pipes guide's fields that cannot be filtered include {@code eventName}).
   */
  static final String FILTER =
      "{\"dynamodb\":{\"NewImage\":{\"Status\":{\"S\":[{\"exists\":true}]}}}}";

  /** Records per batch: one enrichment per batch. */
  static final int BATCH_SIZE = 10;

  /** What reading a stream takes, on the stream (Pipes user guide, DynamoDB stream source). */
  static final List<String> STREAM_READ_ACTIONS =
      List.of("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator");

  /** Retries of a batch before its records go to the dead-letter queue. */
  static final int RETRY_ATTEMPTS = 10;

  static TaskStatusEvents create(
      Construct scope,
      ITable table,
      StateMachine tasks,
      IEventBus bus,
      Settings settings,
      TaskStatusLogs logs,
      IKey key) {
    final IEventBus target =
        bus != null ? bus : EventBus.fromEventBusName(scope, "DefaultBus", "default");
    LogGroup logGroup = logs.stateMachine("StatusEventLogs", "-status-events");
    StateMachine shaper =
        StateMachine.Builder.create(scope, "StatusEventShaper")
            .definitionBody(DefinitionBody.fromChainable(definition(scope)))
            .stateMachineType(StateMachineType.EXPRESS)
            .timeout(Duration.minutes(1))
            .comment(
                "Shapes each changed task item of a stream batch into a status change event's"
                    + " detail, for the status event pipe")
            .build();
    final StateMachineConfig config =
        StateMachineConfig.apply(scope, "StatusEventShaper", shaper, logGroup, settings, logs, key);

    Queue deadLetterQueue =
        TaskQueues.deadLetterQueue(
            scope, "StatusEventDeadLetterQueue", key, settings.removalPolicy());
    Nag.acknowledge(
        deadLetterQueue,
        "AwsSolutions-SQS3",
        null,
        "This queue is the status event pipe's dead-letter queue, which cdk-nag does not"
            + " recognise as it does a redrive policy");

    Role role =
        Role.Builder.create(scope, "StatusEventPipeRole")
            .assumedBy(new ServicePrincipal("pipes.amazonaws.com"))
            .description("Reads the task table's stream and publishes its status change events")
            .build();
    // What the Pipes user guide lists for a DynamoDB stream source, on the stream; ListStreams has
    // no resource type, so it is on * in a policy of its own, which alone is acknowledged.
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(STREAM_READ_ACTIONS)
            .resources(List.of(table.getTableStreamArn()))
            .build());
    Policy listStreams =
        Policy.Builder.create(scope, "StatusEventPipeListStreamsPolicy")
            .roles(List.of(role))
            .statements(
                List.of(
                    PolicyStatement.Builder.create()
                        .actions(List.of("dynamodb:ListStreams"))
                        .resources(List.of("*"))
                        .build()))
            .build();
    Nag.wildcardsAwsRequires(listStreams, Nag.LIST_STREAMS);
    IKey tableKey = table.getEncryptionKey();
    if (tableKey != null) {
      tableKey.grant(role, "kms:Decrypt");
    }
    shaper.grantStartSyncExecution(role);
    target.grantPutEventsTo(role);
    // SendMessage with the key actions it uses (SQS developer guide, "Key management").
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("sqs:SendMessage"))
            .resources(List.of(deadLetterQueue.getQueueArn()))
            .build());
    if (key != null) {
      // The dead-letter queue's key, which is also the shaper's (StartSyncExecution decrypts its
      // data as the caller): kms:Decrypt once, whichever grant gives it.
      key.grant(
          role,
          key == tableKey
              ? new String[] {"kms:GenerateDataKey"}
              : new String[] {"kms:GenerateDataKey", "kms:Decrypt"});
    }

    CfnPipe pipe =
        CfnPipe.Builder.create(scope, "StatusEventPipe")
            .description("Publishes every change of a task's item as an EventBridge event")
            .roleArn(role.getRoleArn())
            .source(table.getTableStreamArn())
            .sourceParameters(
                CfnPipe.PipeSourceParametersProperty.builder()
                    .dynamoDbStreamParameters(
                        CfnPipe.PipeSourceDynamoDBStreamParametersProperty.builder()
                            .startingPosition("LATEST")
                            .batchSize(BATCH_SIZE)
                            .maximumRetryAttempts(RETRY_ATTEMPTS)
                            .deadLetterConfig(
                                CfnPipe.DeadLetterConfigProperty.builder()
                                    .arn(deadLetterQueue.getQueueArn())
                                    .build())
                            .build())
                    .filterCriteria(
                        CfnPipe.FilterCriteriaProperty.builder()
                            .filters(
                                List.of(CfnPipe.FilterProperty.builder().pattern(FILTER).build()))
                            .build())
                    .build())
            .enrichment(shaper.getStateMachineArn())
            .target(target.getEventBusArn())
            .targetParameters(
                CfnPipe.PipeTargetParametersProperty.builder()
                    .eventBridgeEventBusParameters(
                        CfnPipe.PipeTargetEventBridgeEventBusParametersProperty.builder()
                            .source(SOURCE)
                            .detailType(DETAIL_TYPE)
                            .resources(List.of(tasks.getStateMachineArn()))
                            .build())
                    .build())
            .build();
    // The pipe starts reading as soon as it exists: its role must be able to by then.
    pipe.addResourceDependency(
        (CfnResource) role.getNode().findChild("DefaultPolicy").getNode().getDefaultChild());
    pipe.addResourceDependency((CfnResource) listStreams.getNode().getDefaultChild());
    config.startedBy(pipe);
    return new TaskStatusEvents(pipe, shaper, deadLetterQueue);
  }

  /**
   * For each record of the batch: its new image, with defaults for what an item may lack, shaped
   * into the detail. The numbers stay as DynamoDB keeps them: {@code States.StringToJson} of its
   * number strings.
   */
  static IChainable definition(Construct scope) {
    Map<String, Object> defaults =
        TaskItems.ordered(
            "ExecutionArn", attribute("S", null),
            "UpdatedAt", attribute("S", null),
            "RedriveCount", attribute("N", "0"),
            "Progress", attribute("N", "null"),
            "ProgressMessage", attribute("S", null),
            "Error", attribute("S", null),
            "Cause", attribute("S", null));
    Pass image =
        Pass.Builder.create(scope, "ItemAsWritten")
            .comment("The item after the change, with defaults for the attributes it has not")
            .parameters(
                TaskItems.ordered(
                    "change",
                    JsonPath.stringAt("$.record.eventName"),
                    "image",
                    JsonPath.jsonMerge(
                        JsonPath.objectAt("$.defaults"),
                        JsonPath.objectAt("$.record.dynamodb.NewImage"))))
            .build();
    Pass detail =
        Pass.Builder.create(scope, "Detail")
            .comment("The event's detail")
            .parameters(
                TaskItems.ordered(
                    "taskId", JsonPath.stringAt("$.image.taskId.S"),
                    "timestamp", JsonPath.stringToJson(JsonPath.stringAt("$.image.timestamp.N")),
                    "status", JsonPath.stringAt("$.image.Status.S"),
                    "attempt", JsonPath.stringToJson(JsonPath.stringAt("$.image.RedriveCount.N")),
                    "progress", JsonPath.stringToJson(JsonPath.stringAt("$.image.Progress.N")),
                    "progressMessage", JsonPath.stringAt("$.image.ProgressMessage.S"),
                    "error", JsonPath.stringAt("$.image.Error.S"),
                    "cause", JsonPath.stringAt("$.image.Cause.S"),
                    "executionArn", JsonPath.stringAt("$.image.ExecutionArn.S"),
                    "updatedAt", JsonPath.stringAt("$.image.UpdatedAt.S"),
                    "change", JsonPath.stringAt("$.change")))
            .build();
    image.next(detail);
    software.amazon.awscdk.services.stepfunctions.Map each =
        software.amazon.awscdk.services.stepfunctions.Map.Builder.create(scope, "EachChange")
            .comment("One detail per stream record, in the batch's order")
            .itemsPath("$")
            .itemSelector(
                TaskItems.ordered(
                    "record", JsonPath.objectAt("$$.Map.Item.Value"), "defaults", defaults))
            .build();
    each.itemProcessor(image);
    return each;
  }

  /**
   * A default attribute: a DynamoDB number string, or (null) a string attribute whose S is null.
   */
  private static Map<String, Object> attribute(String type, String value) {
    // A literal null would be dropped from the definition: an intrinsic gives it.
    return value != null
        ? TaskItems.ordered(type, value)
        : TaskItems.ordered(type + ".$", "States.StringToJson('null')");
  }
}
