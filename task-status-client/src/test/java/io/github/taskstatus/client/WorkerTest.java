package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Each test gets a worker (and a client) against fresh fakes, and the worker's log. {@link
 * #offer(String, String, int, int)} hands a task to the worker queue as the workflow does: the item
 * {@code STARTED} by the attempt, the execution running, its task waiting for the token, the
 * message on the queue.
 */
abstract class WorkerTest {
  static final Instant NOW = Instant.parse("2026-11-26T10:00:00.123456Z");
  static final String TIMESTAMP = "1795617300.12345";

  FakeAws aws;
  TaskWorker worker;
  TaskStatusClient client;
  final List<LogRecord> logged = new ArrayList<>();

  private final Logger log = Logger.getLogger(TaskWorker.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  final void startWorker() throws IOException {
    aws = new FakeAws();
    aws.sqs().queue(FakeAws.WORKER_QUEUE_URL, Duration.ofSeconds(60), 3);
    worker = aws.worker().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    client = aws.client().build();
    log.addHandler(capture);
    log.setUseParentHandlers(false);
  }

  @AfterEach
  final void closeWorker() {
    log.removeHandler(capture);
    log.setUseParentHandlers(true);
    worker.close();
    client.close();
    aws.close();
  }

  /** The execution of the item at {@link #TIMESTAMP} of task {@code Breakfast}. */
  static String arn(String executionName) {
    return Items.ARN_PREFIX + executionName;
  }

  /** A message body as the state machine sends it. */
  static String body(
      String taskId,
      String timestamp,
      String executionName,
      int attempt,
      int heartbeat,
      String token) {
    return "{\"taskId\":\""
        + taskId
        + "\",\"timestamp\":"
        + timestamp
        + ",\"executionArn\":\""
        + arn(executionName)
        + "\",\"attempt\":"
        + attempt
        + ",\"heartbeatSeconds\":"
        + heartbeat
        + ",\"taskToken\":\""
        + token
        + "\"}";
  }

  /** A fresh task token: base64 characters, as Step Functions' are. */
  static String token() {
    return "AQCEAAAAKgAAAAMAAAAAAAAAA" + UUID.randomUUID().toString().replace("-", "");
  }

  /** The item of task Breakfast at {@link #TIMESTAMP}, STARTED by the attempt. */
  static ObjectNode started(String executionName, int attempt) {
    return Items.attempt(
        Items.item("Breakfast", TIMESTAMP, "STARTED", "2026-11-26T09:59:59.000Z", executionName),
        attempt);
  }

  /** Hands a task of Breakfast to the worker queue; returns its token. */
  String offer(String executionName, String timestamp, int attempt, int heartbeat) {
    String token = token();
    aws.dynamoDb().put(started(executionName, attempt));
    aws.stepFunctions()
        .execution(arn(executionName), "RUNNING", null)
        .task(token, arn(executionName));
    aws.sqs()
        .send(
            FakeAws.WORKER_QUEUE_URL,
            body("Breakfast", timestamp, executionName, attempt, heartbeat, token));
    return token;
  }

  /** Hands a task to the worker and receives it. */
  TaskWork received(String executionName, int attempt) {
    offer(executionName, TIMESTAMP, attempt, 60);
    return worker.receive(1, Duration.ZERO).get(0);
  }

  /** The operations the worker called, in order (SQS, Step Functions, DynamoDB). */
  List<String> calls() {
    return aws.requests().stream().map(FakeAws.Request::operation).toList();
  }
}
