package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.failed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@code fromEnvironment} with an environment function. The SDK clients it builds take their
 * endpoint and credentials from the SDK's own settings, given here as system properties, the way an
 * application points them at a local cloud.
 */
class EnvironmentTest {
  private static final Map<String, String> SDK_SETTINGS =
      Map.of(
          "aws.endpointUrl", "",
          "aws.accessKeyId", "AKIDEXAMPLE",
          "aws.secretAccessKey", "secret");

  private final Map<String, String> saved = new HashMap<>();
  private FakeAws aws;

  @BeforeEach
  void start() throws IOException {
    aws = new FakeAws();
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":1795617326.5,"
                    + "\"executionArn\":\""
                    + Items.ARN_PREFIX
                    + "b\",\"duplicate\":false}"));
    SDK_SETTINGS.forEach(
        (name, value) -> {
          saved.put(name, System.getProperty(name));
          System.setProperty(name, value.isEmpty() ? aws.endpoint().toString() : value);
        });
  }

  @AfterEach
  void close() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
    aws.close();
  }

  @Test
  void theConstructsVariablesConfigureADirectClient() {
    aws.dynamoDb().put(failed("Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "x"));
    Map<String, String> environment =
        Map.of(
            "TASK_STATUS_TABLE",
            FakeAws.TABLE,
            "TASK_STATUS_STARTER",
            FakeAws.STARTER,
            "TASK_STATUS_FAILED_INDEX",
            "FailedTasks",
            "AWS_REGION",
            "eu-west-1");

    try (TaskStatusClient client = TaskStatusClient.fromEnvironment(environment::get)) {
      assertThat(client.start("Breakfast").executionArn()).contains(Items.ARN_PREFIX + "b");
      assertThat(client.failedSince(Instant.EPOCH)).hasSize(1);
    }

    assertThat(aws.requests("Invoke"))
        .singleElement()
        .satisfies(
            invoke ->
                assertThat(invoke.header("Authorization"))
                    .contains("/eu-west-1/lambda/aws4_request"));
    assertThat(aws.requests("Query"))
        .singleElement()
        .satisfies(
            query -> {
              assertThat(query.json().get("TableName").asText()).isEqualTo(FakeAws.TABLE);
              assertThat(query.json().get("IndexName").asText()).isEqualTo("FailedTasks");
              assertThat(query.header("Authorization"))
                  .contains("/eu-west-1/dynamodb/aws4_request");
            });
  }

  @Test
  void theOpenTaskIndexVariableConfiguresOpen() {
    aws.dynamoDb()
        .put(
            Items.open(
                "Toast",
                "1795617000",
                "2026-11-25T14:30:00.000Z",
                "toast",
                "2026-11-25T14:45:00.000Z"));
    Map<String, String> environment =
        Map.of(
            "TASK_STATUS_TABLE",
            FakeAws.TABLE,
            "TASK_STATUS_OPEN_INDEX",
            "OpenTasks",
            "AWS_REGION",
            "eu-west-1");

    try (TaskStatusClient client = TaskStatusClient.fromEnvironment(environment::get)) {
      assertThat(client.open()).extracting(TaskRecord::taskId).containsExactly("Toast");
    }

    assertThat(aws.requests("Query"))
        .singleElement()
        .satisfies(
            query -> assertThat(query.json().get("IndexName").asText()).isEqualTo("OpenTasks"));
  }

  @Test
  void redriveBuildsItsStepFunctionsClientInTheRegion() {
    // The client built from the environment has the system clock: a failure of an hour ago.
    Instant ended = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    aws.dynamoDb().put(failed("Breakfast", "1795617300", ended.toString(), "x"));
    aws.stepFunctions().execution(Items.ARN_PREFIX + "x", "FAILED", ended);
    Map<String, String> environment =
        Map.of("TASK_STATUS_TABLE", FakeAws.TABLE, "AWS_REGION", "eu-west-1");

    try (TaskStatusClient client = TaskStatusClient.fromEnvironment(environment::get)) {
      assertThat(client.redrive("Breakfast").redriveCount()).isEqualTo(1);
    }

    assertThat(aws.requests("RedriveExecution"))
        .singleElement()
        .satisfies(
            redrive ->
                assertThat(redrive.header("Authorization"))
                    .contains("/eu-west-1/states/aws4_request"));
  }

  @Test
  void theReconcilerVariableMakesCancelStartTheReconciler() {
    String arn = Items.ARN_PREFIX + "x";
    aws.dynamoDb()
        .put(Items.item("Breakfast", "1795617300", "STARTED", "2026-11-25T14:35:01Z", "x"));
    aws.stepFunctions().execution(arn, "RUNNING", null).stateMachine(FakeAws.RECONCILER);
    Map<String, String> environment =
        Map.of(
            "TASK_STATUS_TABLE", FakeAws.TABLE,
            "TASK_STATUS_RECONCILER", FakeAws.RECONCILER,
            "AWS_REGION", "eu-west-1");

    try (TaskStatusClient client = TaskStatusClient.fromEnvironment(environment::get)) {
      client.cancel("Breakfast", "no eggs");
    }

    assertThat(aws.stepFunctions().stops()).hasSize(1);
    assertThat(aws.stepFunctions().starts())
        .singleElement()
        .satisfies(start -> assertThat(start.stateMachineArn()).isEqualTo(FakeAws.RECONCILER));
    assertThat(aws.requests("StartExecution"))
        .singleElement()
        .satisfies(
            start ->
                assertThat(start.header("Authorization"))
                    .contains("/eu-west-1/states/aws4_request"));
  }

  @Test
  void aReconcilerWithoutTableIsRefused() {
    assertThatThrownBy(
            () ->
                TaskStatusClient.fromEnvironment(
                    Map.of(
                            "TASK_STATUS_STARTER",
                            FakeAws.STARTER,
                            "TASK_STATUS_RECONCILER",
                            FakeAws.RECONCILER)
                        ::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "TASK_STATUS_RECONCILER is set but TASK_STATUS_TABLE is not: cancel reads the task's"
                + " item before it stops its execution");
  }

  @Test
  void aQueueUrlSwitchesStartsToTheQueue() {
    Map<String, String> environment =
        Map.of(
            "TASK_STATUS_TABLE", FakeAws.TABLE,
            "TASK_STATUS_STARTER", FakeAws.STARTER,
            "TASK_STATUS_QUEUE_URL", FakeAws.QUEUE_URL,
            "AWS_REGION", "us-east-1");

    try (TaskStatusClient client = TaskStatusClient.fromEnvironment(environment::get)) {
      assertThat(client.start("Breakfast").messageId()).isPresent();
    }

    assertThat(aws.requests("SendMessage")).hasSize(1);
    assertThat(aws.requests("Invoke")).isEmpty();
  }

  @Test
  void anEnvironmentWithoutTheVariablesIsRefused() {
    assertThatThrownBy(
            () -> TaskStatusClient.fromEnvironment(Map.of("AWS_REGION", "us-east-1")::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "none of TASK_STATUS_TABLE, TASK_STATUS_STARTER and TASK_STATUS_QUEUE_URL is"
                + " set: give the function the environment of the construct's clientEnvironment(),"
                + " and grant it grantStartTask and grantReadStatus");
  }

  @Test
  void aBlankVariableIsRefusedByName() {
    assertThatThrownBy(
            () ->
                TaskStatusClient.fromEnvironment(
                    Map.of("TASK_STATUS_TABLE", FakeAws.TABLE, "TASK_STATUS_STARTER", " ")::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the environment variable TASK_STATUS_STARTER is set but blank; set it to a"
                + " value or leave it out");
  }

  @Test
  void anOpenTaskIndexWithoutTableIsRefused() {
    assertThatThrownBy(
            () ->
                TaskStatusClient.fromEnvironment(
                    Map.of(
                            "TASK_STATUS_STARTER",
                            FakeAws.STARTER,
                            "TASK_STATUS_OPEN_INDEX",
                            "OpenTasks")
                        ::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "TASK_STATUS_OPEN_INDEX is set but TASK_STATUS_TABLE is not: the index"
                + " belongs to the table");
  }

  @Test
  void anIndexWithoutTableIsRefused() {
    assertThatThrownBy(
            () ->
                TaskStatusClient.fromEnvironment(
                    Map.of(
                            "TASK_STATUS_STARTER",
                            FakeAws.STARTER,
                            "TASK_STATUS_FAILED_INDEX",
                            "FailedTasks")
                        ::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "TASK_STATUS_FAILED_INDEX is set but TASK_STATUS_TABLE is not: the index"
                + " belongs to the table");
  }

  @Test
  void closingTheClientLeavesTheSdkClientsItWasGivenOpen() {
    ClosingWatched dynamoDb = new ClosingWatched(aws.dynamoDbClient());
    try (TaskStatusClient client =
        TaskStatusClient.builder().tableName(FakeAws.TABLE).dynamoDb(dynamoDb).build()) {
      assertThat(client.history("Breakfast")).isEmpty();
    }

    assertThat(dynamoDb.closed).isFalse();
  }

  /** The given client, passing queries on and noting whether it is closed. */
  private static final class ClosingWatched implements DynamoDbClient {
    private final DynamoDbClient delegate;
    private boolean closed;

    ClosingWatched(DynamoDbClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public QueryResponse query(QueryRequest request) {
      return delegate.query(request);
    }

    @Override
    public String serviceName() {
      return delegate.serviceName();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
