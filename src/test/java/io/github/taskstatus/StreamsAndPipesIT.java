package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.pipes.CfnPipe;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoAttributeValue;
import software.amazon.awscdk.services.stepfunctions.tasks.DynamoPutItem;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * DynamoDB Streams, EventBridge Pipes and event buses in the local cloud, on a stack of plain CDK
 * constructs: a table whose stream ({@code NEW_AND_OLD_IMAGES}) feeds a pipe that keeps INSERT and
 * MODIFY records, has an Express state machine shape each into {@code {taskId, status}} and puts it
 * on a custom event bus, whose rule sends it to a queue. The pipe's role has exactly the
 * permissions the Pipes guide lists. Beside it: a stopped pipe on the same stream, a pipe whose
 * role may not put events, a pipe that halves failed batches, a state machine that writes to the
 * table, and two roles of an application, one allowed to put events on the bus.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StreamsAndPipesIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String SOURCE = "tasks.local";
  private static final String DETAIL_TYPE = "Task Status Changed";

  /** INSERT and MODIFY records have a NewImage, REMOVE records none (StreamViewType). */
  private static final String NEW_IMAGES_ONLY =
      "{\"dynamodb\":{\"NewImage\":{\"taskId\":{\"S\":[{\"exists\":true}]}}}}";

  private static LocalCloud cloud;

  static Synth stack() {
    return Synth.stack(
        stack -> {
          Table tasks = table(stack, "Tasks");
          Table batches = table(stack, "Batches");
          EventBus bus = EventBus.Builder.create(stack, "StatusBus").build();
          Queue received = Queue.Builder.create(stack, "Received").build();
          Rule.Builder.create(stack, "StatusChanged")
              .eventBus(bus)
              .eventPattern(
                  EventPattern.builder()
                      .source(List.of(SOURCE))
                      .detailType(List.of(DETAIL_TYPE))
                      .build())
              .targets(List.of(new SqsQueue(received)))
              .build();
          StateMachine shape = shape(stack);

          Queue deadLetters = Queue.Builder.create(stack, "PipeDeadLetters").build();
          Role role = pipeRole(stack, "PipeRole", List.of(tasks, batches), shape, bus, deadLetters);
          pipe(stack, "StatusPipe", role, tasks, shape, bus, SOURCE, deadLetters, 2, null)
              .setDesiredState("RUNNING");
          pipe(stack, "StoppedPipe", role, tasks, shape, bus, "tasks.stopped", null, 0, null)
              .setDesiredState("STOPPED");
          CfnPipe halving =
              pipe(stack, "HalvingPipe", role, batches, shape, bus, SOURCE, deadLetters, 0, 2);
          halving.setDesiredState("RUNNING");

          Table orphans = table(stack, "Orphans");
          Queue orphanLetters = Queue.Builder.create(stack, "OrphanLetters").build();
          Role unpublished =
              pipeRole(stack, "UnpublishedRole", List.of(orphans), shape, null, orphanLetters);
          pipe(
              stack,
              "OrphanPipe",
              unpublished,
              orphans,
              shape,
              bus,
              SOURCE,
              orphanLetters,
              2,
              null);

          // A Standard workflow as enrichment: the pipe stops itself, as the Pipes guide says.
          pipe(
                  stack,
                  "StandardEnrichedPipe",
                  role,
                  orphans,
                  writer(stack, tasks),
                  bus,
                  "tasks.standard",
                  null,
                  0,
                  null)
              .setDesiredState("RUNNING");
          bus.grantPutEventsTo(Synth.role(stack, "Publisher"));
          Synth.role(stack, "Outsider");
        });
  }

  private static Table table(Stack stack, String id) {
    return Table.Builder.create(stack, id)
        .partitionKey(Attribute.builder().name("taskId").type(AttributeType.STRING).build())
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .stream(StreamViewType.NEW_AND_OLD_IMAGES)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build();
  }

  /**
   * The enrichment: each record of the batch becomes {@code {taskId, status}} from its NewImage; a
   * record whose status is POISON fails the execution.
   */
  private static StateMachine shape(Stack stack) {
    software.amazon.awscdk.services.stepfunctions.Map each =
        software.amazon.awscdk.services.stepfunctions.Map.Builder.create(stack, "EachRecord")
            .itemsPath(JsonPath.getEntirePayload())
            .itemSelector(
                Map.of(
                    "taskId", JsonPath.stringAt("$$.Map.Item.Value.dynamodb.NewImage.taskId.S"),
                    "status", JsonPath.stringAt("$$.Map.Item.Value.dynamodb.NewImage.Status.S")))
            .build();
    each.itemProcessor(
        Choice.Builder.create(stack, "Poisoned")
            .build()
            .when(
                Condition.stringEquals("$.status", "POISON"),
                Fail.Builder.create(stack, "Refuse").error("Poisoned").build())
            .otherwise(Pass.Builder.create(stack, "Keep").build()));
    return StateMachine.Builder.create(stack, "Shape")
        .stateMachineType(StateMachineType.EXPRESS)
        .definitionBody(DefinitionBody.fromChainable(each))
        .build();
  }

  /**
   * A pipe's role with what the Pipes guide lists: reading the streams, StartSyncExecution on the
   * enrichment, PutEvents on the bus (unless there is none) and SendMessage on its dead-letter
   * queue.
   */
  private static Role pipeRole(
      Stack stack, String id, List<Table> tables, StateMachine shape, EventBus bus, Queue dlq) {
    Role role =
        Role.Builder.create(stack, id)
            .assumedBy(new ServicePrincipal("pipes.amazonaws.com"))
            .build();
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(
                List.of(
                    "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"))
            .resources(tables.stream().map(Table::getTableStreamArn).toList())
            .build());
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("dynamodb:ListStreams"))
            .resources(List.of("*"))
            .build());
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("states:StartSyncExecution"))
            .resources(List.of(shape.getStateMachineArn()))
            .build());
    if (bus != null) {
      role.addToPolicy(
          PolicyStatement.Builder.create()
              .actions(List.of("events:PutEvents"))
              .resources(List.of(bus.getEventBusArn()))
              .build());
    }
    role.addToPolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("sqs:SendMessage"))
            .resources(List.of(dlq.getQueueArn()))
            .build());
    return role;
  }

  private static CfnPipe pipe(
      Stack stack,
      String id,
      Role role,
      Table table,
      StateMachine shape,
      EventBus bus,
      String source,
      Queue dlq,
      int retries,
      Integer halvedBatchesOf) {
    CfnPipe.PipeSourceDynamoDBStreamParametersProperty.Builder stream =
        CfnPipe.PipeSourceDynamoDBStreamParametersProperty.builder()
            .startingPosition("TRIM_HORIZON")
            .maximumRetryAttempts(retries);
    if (dlq != null) {
      stream.deadLetterConfig(
          CfnPipe.DeadLetterConfigProperty.builder().arn(dlq.getQueueArn()).build());
    }
    if (halvedBatchesOf != null) {
      stream
          .batchSize(halvedBatchesOf)
          .maximumBatchingWindowInSeconds(5)
          .onPartialBatchItemFailure("AUTOMATIC_BISECT");
    }
    CfnPipe pipe =
        CfnPipe.Builder.create(stack, id)
            .roleArn(role.getRoleArn())
            .source(table.getTableStreamArn())
            .sourceParameters(
                CfnPipe.PipeSourceParametersProperty.builder()
                    .dynamoDbStreamParameters(stream.build())
                    .filterCriteria(
                        CfnPipe.FilterCriteriaProperty.builder()
                            .filters(
                                List.of(
                                    CfnPipe.FilterProperty.builder()
                                        .pattern(NEW_IMAGES_ONLY)
                                        .build()))
                            .build())
                    .build())
            .enrichment(shape.getStateMachineArn())
            .target(bus.getEventBusArn())
            .targetParameters(
                CfnPipe.PipeTargetParametersProperty.builder()
                    .eventBridgeEventBusParameters(
                        CfnPipe.PipeTargetEventBridgeEventBusParametersProperty.builder()
                            .source(source)
                            .detailType(DETAIL_TYPE)
                            .build())
                    .build())
            .build();
    pipe.getNode().addDependency(role);
    return pipe;
  }

  /** A Standard state machine whose DynamoDB task puts {taskId, Status: FROM_WORKFLOW}. */
  private static StateMachine writer(Stack stack, Table table) {
    DynamoPutItem put =
        DynamoPutItem.Builder.create(stack, "PutFromWorkflow")
            .table(table)
            .item(
                Map.of(
                    "taskId", DynamoAttributeValue.fromString(JsonPath.stringAt("$.taskId")),
                    "Status", DynamoAttributeValue.fromString("FROM_WORKFLOW")))
            .build();
    return StateMachine.Builder.create(stack, "Writer")
        .definitionBody(DefinitionBody.fromChainable(put))
        .build();
  }

  @BeforeAll
  static void start() {
    cloud = LocalCloud.startWithoutStarter(stack(), "--pipe-retry-ms", "50");
  }

  @AfterAll
  static void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  @Test
  void everyWriteThatChangesAnItemWritesOneRecordWithItsImagesAndNoOtherWriteDoes() {
    String table = cloud.tableName("Tasks");
    Map<String, AttributeValue> key = Map.of("taskId", AttributeValue.fromS("record-1"));
    final Instant before = Instant.now().minusSeconds(1);
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("record-1", "STARTED")));
    cloud.dynamodb.updateItem(
        b ->
            b.tableName(table)
                .key(key)
                .updateExpression("SET #s = :s")
                .expressionAttributeNames(Map.of("#s", "Status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("DONE"))));
    // Changes nothing: "DynamoDB Streams does not write a stream record for that operation".
    cloud.dynamodb.updateItem(
        b ->
            b.tableName(table)
                .key(key)
                .updateExpression("SET #s = :s")
                .expressionAttributeNames(Map.of("#s", "Status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("DONE"))));
    try {
      cloud.dynamodb.putItem(
          b ->
              b.tableName(table)
                  .item(item("record-1", "STARTED"))
                  .conditionExpression("attribute_not_exists(taskId)"));
      throw new AssertionError("the conditional put should fail");
    } catch (ConditionalCheckFailedException expected) {
      // The item exists: nothing written, no record.
    }
    cloud.dynamodb.deleteItem(b -> b.tableName(table).key(key));
    cloud.dynamodb.deleteItem(b -> b.tableName(table).key(key));

    List<Record> records = recordsOf(table, "record-1");
    assertThat(records)
        .extracting(Record::eventName)
        .containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
    Record insert = records.get(0);
    Record modify = records.get(1);
    Record remove = records.get(2);
    assertThat(insert.dynamodb().keys()).isEqualTo(key);
    assertThat(insert.dynamodb().newImage()).isEqualTo(item("record-1", "STARTED"));
    assertThat(insert.dynamodb().hasOldImage()).isFalse();
    assertThat(modify.dynamodb().oldImage()).isEqualTo(item("record-1", "STARTED"));
    assertThat(modify.dynamodb().newImage()).isEqualTo(item("record-1", "DONE"));
    assertThat(remove.dynamodb().oldImage()).isEqualTo(item("record-1", "DONE"));
    assertThat(remove.dynamodb().hasNewImage()).isFalse();
    for (Record record : records) {
      assertThat(record.eventSource()).isEqualTo("aws:dynamodb");
      assertThat(record.awsRegion()).isEqualTo(Synth.REGION);
      assertThat(record.eventID()).isNotBlank();
      assertThat(record.eventVersion()).isNotBlank();
      assertThat(record.dynamodb().streamViewTypeAsString()).isEqualTo("NEW_AND_OLD_IMAGES");
      assertThat(record.dynamodb().sizeBytes()).isPositive();
      assertThat(record.dynamodb().sequenceNumber()).hasSizeBetween(21, 40);
      assertThat(record.dynamodb().approximateCreationDateTime())
          .isBetween(before, Instant.now().plusSeconds(1));
    }
    assertThat(records.stream().map(r -> new BigInteger(r.dynamodb().sequenceNumber())))
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(records).extracting(Record::eventID).doesNotHaveDuplicates();
  }

  @Test
  void batchWritesAndAStateMachinesDynamoDbTaskWriteRecordsToo() {
    String table = cloud.tableName("Tasks");
    cloud.dynamodb.batchWriteItem(
        b ->
            b.requestItems(
                Map.of(
                    table,
                    List.of(
                        WriteRequest.builder()
                            .putRequest(
                                PutRequest.builder().item(item("batch-1", "STARTED")).build())
                            .build()))));
    String execution =
        cloud
            .stepFunctions
            .startExecution(
                b ->
                    b.stateMachineArn(cloud.stateMachineArn("Writer"))
                        .input("{\"taskId\": \"workflow-1\"}"))
            .executionArn();
    assertThat(cloud.awaitExecution(execution).status()).isEqualTo(ExecutionStatus.SUCCEEDED);

    // Step Functions' own status change events still go to the default bus.
    assertThat(cloud.inspect("events").findValues("event"))
        .filteredOn(e -> e.get("source").asText().equals("aws.states"))
        .extracting(e -> e.at("/detail/executionArn").asText())
        .contains(execution);
    assertThat(cloud.inspect("events").findValuesAsText("bus")).contains("default");
    assertThat(recordsOf(table, "batch-1"))
        .singleElement()
        .satisfies(r -> assertThat(r.dynamodb().newImage()).isEqualTo(item("batch-1", "STARTED")));
    assertThat(recordsOf(table, "workflow-1"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.eventName()).isEqualTo(OperationType.INSERT);
              assertThat(r.dynamodb().newImage().get("Status").s()).isEqualTo("FROM_WORKFLOW");
            });
  }

  @Test
  void thePipeSendsOneEventPerInsertAndModifyShapedByTheEnrichmentInWriteOrder() {
    String table = cloud.tableName("Tasks");
    for (String status : List.of("STARTED", "RUNNING", "DONE")) {
      cloud.dynamodb.putItem(b -> b.tableName(table).item(item("pipe-1", status)));
    }
    cloud.dynamodb.deleteItem(
        b -> b.tableName(table).key(Map.of("taskId", AttributeValue.fromS("pipe-1"))));
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("pipe-2", "STARTED")));

    String busArn = cloud.eventBusArn("StatusBus");
    List<JsonNode> onBus =
        LocalCloud.poll(
            () -> eventsOnBus(busArn, SOURCE, "pipe-"),
            events -> events.size() >= 4,
            PATIENCE,
            "the pipe's events on the bus");
    // The three writes of pipe-1 in their order, then pipe-2's; the delete (a REMOVE record,
    // without NewImage) did not pass the filter.
    assertThat(onBus)
        .extracting(
            e ->
                e.at("/event/detail/taskId").asText() + " " + e.at("/event/detail/status").asText())
        .containsExactly("pipe-1 STARTED", "pipe-1 RUNNING", "pipe-1 DONE", "pipe-2 STARTED");
    for (JsonNode put : onBus) {
      JsonNode event = put.get("event");
      assertThat(event.get("source").asText()).isEqualTo(SOURCE);
      assertThat(event.get("detail-type").asText()).isEqualTo(DETAIL_TYPE);
      assertThat(event.get("version").asText()).isEqualTo("0");
      assertThat(event.get("account").asText()).isEqualTo(Synth.ACCOUNT);
      assertThat(event.get("region").asText()).isEqualTo(Synth.REGION);
      assertThat(event.get("resources").size()).isZero();
      assertThat(event.get("id").asText()).isNotBlank();
      assertThat(Instant.parse(event.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
      assertThat(event.get("detail").properties()).hasSize(2);
      assertThat(put.get("rules").get(0).asText()).startsWith("StatusChanged");
    }
    // The rule's queue receives them (a standard queue: in no promised order).
    List<JsonNode> received =
        receive("Received", 4, m -> m.at("/detail/taskId").asText().startsWith("pipe-"));
    assertThat(received)
        .extracting(e -> e.at("/detail/taskId").asText() + " " + e.at("/detail/status").asText())
        .containsExactlyInAnyOrder(
            "pipe-1 STARTED", "pipe-1 RUNNING", "pipe-1 DONE", "pipe-2 STARTED");
    assertThat(received)
        .extracting(e -> e.get("id").asText())
        .containsExactlyInAnyOrderElementsOf(
            onBus.stream().map(e -> e.at("/event/id").asText()).toList());
    assertThat(pipeReport("StatusPipe").get("deadLetters").size()).isZero();
  }

  @Test
  void aStoppedPipeReadsNothing() {
    String table = cloud.tableName("Tasks");
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("stopped-1", "STARTED")));
    String busArn = cloud.eventBusArn("StatusBus");
    // The running pipe on the same stream sends its event; the stopped one, none.
    LocalCloud.poll(
        () -> eventsOnBus(busArn, SOURCE, "stopped-"),
        events -> events.size() == 1,
        PATIENCE,
        "the running pipe's event");
    // Nothing happening takes a while to see: a second more for a pipe that would read.
    pause(Duration.ofSeconds(1));
    assertThat(eventsOnBus(busArn, "tasks.stopped", "")).isEmpty();
    JsonNode stopped = pipeReport("StoppedPipe");
    assertThat(stopped.get("state").asText()).isEqualTo("STOPPED");
    assertThat(stopped.get("executions").size()).isZero();
  }

  @Test
  void aPipeWhoseRoleMayNotPutEventsSendsItsBatchToTheDeadLetterQueueAfterItsRetries() {
    String table = cloud.tableName("Orphans");
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("orphan-1", "STARTED")));

    JsonNode letter = receive("OrphanLetters", 1, m -> true).get(0);
    JsonNode record = streamRecords(table).get(0);
    String sequence = record.at("/dynamodb/SequenceNumber").asText();
    assertThat(letter.at("/requestContext/condition").asText()).isEqualTo("RetryAttemptsExhausted");
    // The first attempt and MaximumRetryAttempts (2) retries.
    assertThat(letter.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(3);
    assertThat(letter.at("/DDBStreamBatchInfo/startSequenceNumber").asText()).isEqualTo(sequence);
    assertThat(letter.at("/DDBStreamBatchInfo/endSequenceNumber").asText()).isEqualTo(sequence);
    assertThat(letter.at("/DDBStreamBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(letter.at("/DDBStreamBatchInfo/streamArn").asText())
        .isEqualTo(cloud.inspect("streams").get(table).get("streamArn").asText());

    String busArn = cloud.eventBusArn("StatusBus");
    assertThat(cloud.denials())
        .filteredOn(d -> d.get("action").asText().equals("events:PutEvents"))
        .filteredOn(d -> d.at("/principal/roleArn").asText().contains("UnpublishedRole"))
        .hasSize(3)
        .allSatisfy(d -> assertThat(d.get("resource").asText()).isEqualTo(busArn));
    assertThat(eventsOnBus(busArn, SOURCE, "orphan-")).isEmpty();
  }

  @Test
  void aFailedBatchIsHalvedSoItsGoodRecordStillArrivesAndOnlyThePoisonedOneIsDeadLettered() {
    String table = cloud.tableName("Batches");
    // One batch of two (BatchSize 2, a 5 s window): the enrichment fails on POISON.
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("halved-1", "STARTED")));
    cloud.dynamodb.putItem(b -> b.tableName(table).item(item("halved-2", "POISON")));

    String busArn = cloud.eventBusArn("StatusBus");
    LocalCloud.poll(
        () -> eventsOnBus(busArn, SOURCE, "halved-"),
        events -> !events.isEmpty(),
        PATIENCE,
        "the good record's event");
    JsonNode letter = receive("PipeDeadLetters", 1, m -> true).get(0);
    String poisoned = streamRecords(table).get(1).at("/dynamodb/SequenceNumber").asText();
    assertThat(letter.at("/DDBStreamBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(letter.at("/DDBStreamBatchInfo/startSequenceNumber").asText()).isEqualTo(poisoned);
    assertThat(letter.at("/responseContext/errorCode").asText()).isEqualTo("Poisoned");
    assertThat(eventsOnBus(busArn, SOURCE, "halved-"))
        .extracting(e -> e.at("/event/detail/taskId").asText())
        .containsExactly("halved-1");
    assertThat(pipeReport("HalvingPipe").get("executions").get(0).get("records").size())
        .isEqualTo(2);
  }

  @Test
  void putEventsReachesTheBusForACallerWithTheGrantAndIsDeniedWithout() {
    String busArn = cloud.eventBusArn("StatusBus");
    String request =
        """
        {"Entries": [
          {"EventBusName": "%s", "Source": "%s", "DetailType": "%s",
           "Detail": "{\\"taskId\\": \\"published-1\\", \\"status\\": \\"DONE\\"}"},
          {"EventBusName": "%s", "Source": "%s", "DetailType": "%s", "Detail": "not json"}
        ]}
        """
            .formatted(busArn, SOURCE, DETAIL_TYPE, busArn, SOURCE, DETAIL_TYPE);

    LocalCloud.EventsAnswer published = cloud.putEvents("Publisher", request);
    assertThat(published.status()).isEqualTo(200);
    assertThat(published.body().get("FailedEntryCount").asInt()).isEqualTo(1);
    assertThat(published.body().at("/Entries/0/EventId").asText()).isNotBlank();
    assertThat(published.body().at("/Entries/1/ErrorCode").asText()).isEqualTo("MalformedDetail");
    assertThat(receive("Received", 1, m -> m.at("/detail/taskId").asText().equals("published-1")))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.get("id").asText())
                    .isEqualTo(published.body().at("/Entries/0/EventId").asText()));

    LocalCloud.EventsAnswer refused = cloud.putEvents("Outsider", request);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().get("__type").asText()).endsWith("AccessDeniedException");
    assertThat(refused.body().get("message").asText())
        .contains("is not authorized to perform: events:PutEvents on resource: " + busArn);
  }

  @Test
  void aPipeWithAStandardWorkflowAsEnrichmentStopsItself() {
    JsonNode pipe = pipeReport("StandardEnrichedPipe");
    assertThat(pipe.get("state").asText()).isEqualTo("STOPPED");
    assertThat(pipe.get("stateReason").asText())
        .contains("EventBridge Pipes only supports Express workflows as enrichments");
    assertThat(pipe.get("executions").size()).isZero();
  }

  @Test
  void whatThePipesGuideRulesOutOrTheCloudDoesNotRunIsRefusedAtStartUpNamingIt() throws Exception {
    JsonNode template = stack().json;
    assertThat(
            refusal(
                template,
                p ->
                    ((ObjectNode) p.at("/SourceParameters/FilterCriteria/Filters/0"))
                        .put("Pattern", "{\"eventName\": [\"INSERT\", \"MODIFY\"]}")))
        .contains("pipe StatusPipe")
        .contains("filters on eventName, which the Pipes guide")
        .contains("can't be used in event patterns");
    assertThat(
            refusal(
                template,
                p ->
                    ((ObjectNode) p.get("TargetParameters"))
                        .put("InputTemplate", "{\"id\": <$.eventID>}")))
        .contains("TargetParameters.InputTemplate is not emulated by the local cloud");
    assertThat(
            refusal(
                template,
                p ->
                    ((ObjectNode) p.at("/SourceParameters/DynamoDBStreamParameters"))
                        .put("BatchSize", 20)))
        .contains("BatchSize 20 is more than an event bus target takes (10)");
  }

  /** What cloud.mjs says when it refuses the template with StatusPipe's properties changed. */
  private static String refusal(JsonNode template, java.util.function.Consumer<ObjectNode> change)
      throws Exception {
    ObjectNode changed = template.deepCopy();
    change.accept((ObjectNode) changed.at("/Resources/StatusPipe/Properties"));
    Path file = Files.createTempFile("refused-template", ".json");
    try {
      Synth.JSON.writeValue(file.toFile(), changed);
      Process process =
          new ProcessBuilder(
                  LocalCloud.node().toString(),
                  "cloud.mjs",
                  "--template",
                  file.toString(),
                  "--stack-name",
                  "Test",
                  "--account",
                  Synth.ACCOUNT,
                  "--region",
                  Synth.REGION)
              .directory(LocalCloud.HOME.toFile())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isNotZero();
      return output;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void withPipeDuplicatesEveryBatchIsDeliveredTwiceEachTimeInOrder() {
    try (LocalCloud chaotic =
        LocalCloud.startWithoutStarter(
            stack(), "--pipe-retry-ms", "50", "--chaos", "seed=3,pipeDuplicates=1")) {
      String table = chaotic.tableName("Tasks");
      chaotic.dynamodb.putItem(b -> b.tableName(table).item(item("twice-1", "STARTED")));
      chaotic.dynamodb.putItem(b -> b.tableName(table).item(item("twice-1", "DONE")));
      String busArn = chaotic.eventBusArn("StatusBus");
      List<JsonNode> onBus =
          LocalCloud.poll(
              () ->
                  StreamSupport.stream(chaotic.inspect("events").spliterator(), false)
                      .filter(e -> e.get("busArn").asText().equals(busArn))
                      .filter(e -> e.at("/event/detail/taskId").asText().equals("twice-1"))
                      .toList(),
              events -> events.size() >= 4,
              PATIENCE,
              "every event twice");
      // At least once: each batch again right after it was delivered, before the next batch
      // (the two writes were one batch or two).
      assertThat(onBus.stream().map(e -> e.at("/event/detail/status").asText()).toList())
          .isIn(
              List.of("STARTED", "DONE", "STARTED", "DONE"),
              List.of("STARTED", "STARTED", "DONE", "DONE"));
      assertThat(onBus).extracting(e -> e.at("/event/id").asText()).doesNotHaveDuplicates();
      assertThat(chaotic.inspect("chaos").at("/counts/pipeDuplicates").asInt()).isPositive();
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, AttributeValue> item(String taskId, String status) {
    return Map.of("taskId", AttributeValue.fromS(taskId), "Status", AttributeValue.fromS(status));
  }

  /** The records of one item in a table's stream, read with the DynamoDB Streams API. */
  private static List<Record> recordsOf(String table, String taskId) {
    try (DynamoDbStreamsClient streams = cloud.streams()) {
      String streamArn = streams.listStreams(b -> b.tableName(table)).streams().get(0).streamArn();
      String shard =
          streams
              .describeStream(b -> b.streamArn(streamArn))
              .streamDescription()
              .shards()
              .get(0)
              .shardId();
      String iterator =
          streams
              .getShardIterator(
                  b ->
                      b.streamArn(streamArn)
                          .shardId(shard)
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      List<Record> records = new ArrayList<>();
      for (List<Record> page = null; page == null || !page.isEmpty(); ) {
        String from = iterator;
        var answer = streams.getRecords(b -> b.shardIterator(from));
        page = answer.records();
        records.addAll(page);
        iterator = answer.nextShardIterator();
      }
      return records.stream()
          .filter(r -> r.dynamodb().keys().get("taskId").s().equals(taskId))
          .toList();
    }
  }

  /** A table's stream records, as /_local/streams has them. */
  private static List<JsonNode> streamRecords(String table) {
    return StreamSupport.stream(
            cloud.inspect("streams").get(table).get("records").spliterator(), false)
        .toList();
  }

  /** The events put on a bus with a source, whose detail's taskId starts with a prefix. */
  private static List<JsonNode> eventsOnBus(String busArn, String source, String taskIdPrefix) {
    return StreamSupport.stream(cloud.inspect("events").spliterator(), false)
        .filter(e -> e.get("busArn").asText().equals(busArn))
        .filter(e -> e.at("/event/source").asText().equals(source))
        .filter(e -> e.at("/event/detail/taskId").asText().startsWith(taskIdPrefix))
        .toList();
  }

  private static JsonNode pipeReport(String logicalIdPrefix) {
    for (JsonNode pipe : cloud.inspect("pipes")) {
      if (pipe.get("logicalId").asText().startsWith(logicalIdPrefix)) {
        return pipe;
      }
    }
    throw new AssertionError("no pipe " + logicalIdPrefix);
  }

  /** Receives (and deletes) messages of a queue until {@code count} bodies that match arrived. */
  private static List<JsonNode> receive(
      String queueLogicalIdPrefix, int count, java.util.function.Predicate<JsonNode> wanted) {
    String url = cloud.queueUrl(queueLogicalIdPrefix);
    List<JsonNode> bodies = new ArrayList<>();
    Instant deadline = Instant.now().plus(PATIENCE);
    while (bodies.size() < count) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "only "
                + bodies.size()
                + " of "
                + count
                + " messages arrived in "
                + queueLogicalIdPrefix);
      }
      for (Message message :
          cloud
              .sqs
              .receiveMessage(
                  // Visible again at once: the messages this call does not want are another test's.
                  b ->
                      b.queueUrl(url)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(1)
                          .visibilityTimeout(0))
              .messages()) {
        JsonNode body = Synth.parse(message.body());
        if (wanted.test(body)) {
          bodies.add(body);
          cloud.sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
        }
      }
    }
    return bodies;
  }
}
