package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * {@code TaskWorker.fromEnvironment} and the builder: the worker queue and the table, both
 * required; SDK clients it builds take the SDK's own settings (here system properties pointing at
 * the fakes), clients it is given stay open.
 */
class WorkerEnvironmentTest {
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
  void theWorkerVariablesConfigureAWorkerInTheRegion() {
    String token = WorkerTest.token();
    String arn = WorkerTest.arn("Breakfast-3c33");
    aws.dynamoDb().put(WorkerTest.started("Breakfast-3c33", 0));
    aws.stepFunctions().execution(arn, "RUNNING", null).task(token, arn);
    aws.sqs()
        .send(
            FakeAws.WORKER_QUEUE_URL,
            WorkerTest.body("Breakfast", WorkerTest.TIMESTAMP, "Breakfast-3c33", 0, 60, token));
    Map<String, String> environment =
        Map.of(
            "TASK_STATUS_WORKER_QUEUE_URL", FakeAws.WORKER_QUEUE_URL,
            "TASK_STATUS_TABLE", FakeAws.TABLE,
            "AWS_REGION", "eu-west-1");

    try (TaskWorker worker = TaskWorker.fromEnvironment(environment::get)) {
      TaskWork work = worker.receive(1, Duration.ZERO).get(0);
      assertThat(worker.progress(work, 50, null)).isTrue();
      worker.succeed(work);
    }

    assertThat(aws.requests())
        .extracting(FakeAws.Request::operation)
        .containsExactly(
            "ReceiveMessage",
            "SendTaskHeartbeat",
            "ChangeMessageVisibility",
            "UpdateItem",
            "SendTaskSuccess",
            "DeleteMessage");
    assertThat(aws.requests())
        .allSatisfy(request -> assertThat(request.header("Authorization")).contains("/eu-west-1/"));
    assertThat(aws.requests("UpdateItem").get(0).json().get("TableName").asText())
        .isEqualTo(FakeAws.TABLE);
  }

  @Test
  void eachMissingVariableIsNamed() {
    String needs =
        " is not set: a worker needs TASK_STATUS_WORKER_QUEUE_URL (the worker queue's URL) and"
            + " TASK_STATUS_TABLE (the table its progress goes to)";
    assertThatThrownBy(
            () -> TaskWorker.fromEnvironment(Map.of("TASK_STATUS_TABLE", FakeAws.TABLE)::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TASK_STATUS_WORKER_QUEUE_URL" + needs);
    assertThatThrownBy(
            () ->
                TaskWorker.fromEnvironment(
                    Map.of("TASK_STATUS_WORKER_QUEUE_URL", FakeAws.WORKER_QUEUE_URL)::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TASK_STATUS_TABLE" + needs);
    assertThatThrownBy(
            () ->
                TaskWorker.fromEnvironment(
                    Map.of("TASK_STATUS_WORKER_QUEUE_URL", " ", "TASK_STATUS_TABLE", FakeAws.TABLE)
                        ::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the environment variable TASK_STATUS_WORKER_QUEUE_URL is set but blank; set it to a"
                + " value or leave it out");
  }

  @Test
  void theBuilderNeedsTheQueueAndTheTable() {
    assertThatThrownBy(() -> TaskWorker.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "set queueUrl (the worker queue's URL) and tableName (the table progress goes to): a"
                + " worker receives its tasks from the one and records progress in the other");
    assertThatThrownBy(() -> TaskWorker.builder().queueUrl(FakeAws.WORKER_QUEUE_URL).build())
        .hasMessageStartingWith("set tableName (the table progress goes to): ");
    assertThatThrownBy(() -> TaskWorker.builder().tableName(FakeAws.TABLE).build())
        .hasMessageStartingWith("set queueUrl (the worker queue's URL): ");
    assertThatThrownBy(() -> TaskWorker.builder().queueUrl(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueUrl must not be blank");
  }

  @Test
  void closingTheWorkerLeavesTheSdkClientsItWasGivenOpen() {
    ClosingWatched sqs = new ClosingWatched(aws.sqsClient());
    try (TaskWorker worker = aws.worker().sqs(sqs).build()) {
      assertThat(worker.receive(1, Duration.ZERO)).isEmpty();
    }

    assertThat(sqs.closed).isFalse();
  }

  /** The given client, passing receives on and noting whether it is closed. */
  private static final class ClosingWatched implements SqsClient {
    private final SqsClient delegate;
    private boolean closed;

    ClosingWatched(SqsClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
      return delegate.receiveMessage(request);
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
