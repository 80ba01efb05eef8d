package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.failed;
import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryTest extends ClientTest {
  private static final String ANSWER =
      "{\"taskId\":\"Breakfast\",\"timestamp\":1795617400.5,"
          + "\"executionArn\":\""
          + Items.ARN_PREFIX
          + "Breakfast-retry\",\"duplicate\":false}";

  @Override
  void prepare(FakeAws fakes) {
    fakes.starter(payload -> FakeAws.started(ANSWER));
  }

  @Test
  void aTaskWhoseLatestStartFailedIsStartedAgainWithItsOwnKey() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617000", "DONE", "2026-11-25T14:30:01.000Z", "first"))
        .put(failed("Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "second"));

    TaskStart retry = client.retry("Breakfast");

    assertThat(retry.executionArn()).contains(Items.ARN_PREFIX + "Breakfast-retry");
    assertThat(aws.requests("Invoke"))
        .singleElement()
        .satisfies(
            invoke -> {
              assertThat(invoke.json().get("taskId").asText()).isEqualTo("Breakfast");
              assertThat(invoke.json().get("idempotencyKey").asText())
                  .isEqualTo(retry.idempotencyKey());
            });
  }

  @Test
  void aTaskWhoseLatestStartWasCancelledIsStartedAgain() {
    aws.dynamoDb()
        .put(
            Items.cancelled(
                "Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "second", "no eggs"));

    TaskStart retry = client.retry("Breakfast");

    assertThat(retry.executionArn()).contains(Items.ARN_PREFIX + "Breakfast-retry");
    assertThat(aws.requests("Invoke")).hasSize(1);
  }

  @Test
  void aTaskWhoseLatestStartIsDoneIsNotRetried() {
    aws.dynamoDb()
        .put(failed("Breakfast", "1795617000", "2026-11-25T14:30:01.000Z", "first"))
        .put(item("Breakfast", "1795617300.25", "DONE", "2026-11-25T14:35:01.000Z", "second"));

    assertThatThrownBy(() -> client.retry("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRetryableException.class,
            e -> {
              assertThat(e.taskId()).isEqualTo("Breakfast");
              assertThat(e.latestStatus()).contains(TaskStatus.DONE);
            })
        .hasMessage(
            "task 'Breakfast' cannot be retried: its latest start (timestamp"
                + " 1795617300.25) is DONE, not FAILED or CANCELLED");
    assertThat(aws.requests("Invoke")).isEmpty();
  }

  @Test
  void aTaskStillRunningIsNotRetried() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617300", "STARTED", "2026-11-25T14:35:01.000Z", "running"));

    assertThatThrownBy(() -> client.retry("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRetryableException.class,
            e -> assertThat(e.latestStatus()).contains(TaskStatus.STARTED))
        .hasMessageContaining("is STARTED, not FAILED or CANCELLED");
    assertThat(aws.requests("Invoke")).isEmpty();
  }

  @Test
  void aTaskWithoutItemsIsNotRetried() {
    assertThatThrownBy(() -> client.retry("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRetryableException.class, e -> assertThat(e.latestStatus()).isEmpty())
        .hasMessage(
            "task 'Breakfast' cannot be retried: it has no item (never started, or its"
                + " items expired); use start to start it");
    assertThat(aws.requests("Invoke")).isEmpty();
  }

  @Test
  void retryInQueueModeSendsTheTaskAgain() {
    aws.dynamoDb().put(failed("Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "failed"));
    try (TaskStatusClient queued = aws.client().queueUrl(FakeAws.QUEUE_URL).build()) {
      TaskStart retry = queued.retry("Breakfast");

      assertThat(retry.messageId()).isPresent();
      assertThat(aws.requests("SendMessage")).hasSize(1);
    }
  }

  @Test
  void retryWithoutAStarterIsRefusedBeforeReading() {
    try (TaskStatusClient readOnly =
        TaskStatusClient.builder()
            .tableName(FakeAws.TABLE)
            .dynamoDb(aws.dynamoDbClient())
            .build()) {
      assertThatThrownBy(() -> readOnly.retry("Breakfast"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "this client cannot start tasks: set starterFunction(...) or queueUrl(...)"
                  + " on the builder, or TASK_STATUS_STARTER or TASK_STATUS_QUEUE_URL in the"
                  + " environment");
    }
    assertThat(aws.requests()).isEmpty();
  }
}
