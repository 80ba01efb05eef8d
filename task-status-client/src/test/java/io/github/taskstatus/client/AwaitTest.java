package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AwaitTest extends ClientTest {
  private static final String ARN = Items.ARN_PREFIX + "Breakfast-mine";

  /** 2026-11-25T14:35:26.123Z, when a queue-mode start is sent. */
  private static final Instant SENT = Instant.parse("2026-11-25T14:35:26.123Z");

  @Test
  void awaitReturnsTheLatestStartOnceItIsFinal() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"))
        .onQuery(
            count -> {
              if (count == 3) {
                aws.dynamoDb()
                    .put(
                        item(
                            "Breakfast",
                            "1795617326.12345",
                            "DONE",
                            "2026-11-25T14:35:28.000Z",
                            "x"));
              }
            });

    TaskRecord done = client.await("Breakfast", Duration.ofSeconds(5));

    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(aws.requests("Query")).hasSize(3);
  }

  @Test
  void awaitAlsoEndsOnFailed() {
    aws.dynamoDb().put(Items.failed("Breakfast", "1795617326", "2026-11-25T14:35:28.000Z", "x"));

    assertThat(client.await("Breakfast", Duration.ZERO).error()).contains("States.TaskFailed");
  }

  @Test
  void awaitTimesOutNamingTheTaskAndItsLastStatus() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"));
    long before = System.nanoTime();

    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(150)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class,
            e -> {
              assertThat(e.taskId()).isEqualTo("Breakfast");
              assertThat(e.timeout()).isEqualTo(Duration.ofMillis(150));
              assertThat(e.lastRecord()).map(TaskRecord::status).contains(TaskStatus.STARTED);
            })
        .hasMessage(
            "task 'Breakfast' did not finish within PT0.15S: its latest start"
                + " (timestamp 1795617326.12345, execution "
                + Items.ARN_PREFIX
                + "x) is still"
                + " STARTED");
    Duration waited = Duration.ofNanos(System.nanoTime() - before);
    assertThat(waited).isBetween(Duration.ofMillis(150), Duration.ofSeconds(2));
  }

  @Test
  void awaitTimesOutWhenTheTaskHasNoItem() {
    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(50)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class, e -> assertThat(e.lastRecord()).isEmpty())
        .hasMessage(
            "task 'Breakfast' did not finish within PT0.05S: it has no item (not"
                + " started yet, or its items expired)");
  }

  @Test
  void aZeroTimeoutReadsOnce() {
    assertThatThrownBy(() -> client.await("Breakfast", Duration.ZERO))
        .isInstanceOf(TaskAwaitTimeoutException.class);
    assertThat(aws.requests("Query")).hasSize(1);
  }

  @Test
  void pausesBetweenReadsDoubleUpToTheMaximum() {
    try (TaskStatusClient slow =
        aws.client()
            .pollInterval(Duration.ofMillis(50))
            .maxPollInterval(Duration.ofSeconds(1))
            .build()) {
      // Reads at 0, 50, 150 and 350 ms, then the last one at the deadline, 400 ms.
      assertThatThrownBy(() -> slow.await("Breakfast", Duration.ofMillis(400)))
          .isInstanceOf(TaskAwaitTimeoutException.class);
    }
    assertThat(aws.requests("Query")).hasSizeBetween(4, 6);
  }

  @Test
  void awaitOfAStartWaitsForTheItemItsExecutionOwnsEvenWhenACollisionMovedIt() {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":"
                    + "1795617326.12340,\"executionArn\":\""
                    + ARN
                    + "\",\"duplicate\":false}"));
    aws.dynamoDb()
        // Another start took the timestamp first; the workflow moved this start's item on.
        .put(item("Breakfast", "1795617326.1234", "DONE", "2026-11-25T14:35:27.000Z", "other"))
        .put(
            Items.n(
                item(
                    "Breakfast",
                    "1795617326.12341",
                    "STARTED",
                    "2026-11-25T14:35:26.500Z",
                    "Breakfast-mine"),
                "RequestedTimestamp",
                "1795617326.1234"))
        .put(item("Breakfast", "1795617330", "DONE", "2026-11-25T14:35:31.000Z", "later"))
        .onQuery(
            count -> {
              if (count == 2) {
                aws.dynamoDb()
                    .put(
                        Items.n(
                            item(
                                "Breakfast",
                                "1795617326.12341",
                                "DONE",
                                "2026-11-25T14:35:29.000Z",
                                "Breakfast-mine"),
                            "RequestedTimestamp",
                            "1795617326.1234"));
              }
            });
    TaskStart start = client.start("Breakfast");

    TaskRecord done = client.await(start, Duration.ofSeconds(5));

    assertThat(done.executionArn()).isEqualTo(ARN);
    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    // DynamoDB keeps a number's value, not its text: 1795617326.12340 comes back without the 0.
    assertThat(done.requestedTimestamp().orElseThrow())
        .isEqualByComparingTo(start.timestamp().orElseThrow());
    JsonNode query = aws.requests("Query").get(0).json();
    assertThat(query.get("KeyConditionExpression").asText())
        .isEqualTo("taskId = :taskId AND #timestamp >= :from");
    assertThat(query.get("ExpressionAttributeNames").toString())
        .isEqualTo("{\"#timestamp\":\"timestamp\"}");
    assertThat(query.get("ExpressionAttributeValues").get(":from").toString())
        .isEqualTo("{\"N\":\"1795617326.12340\"}");
    assertThat(query.get("ScanIndexForward").asBoolean()).isTrue();
    assertThat(query.get("ConsistentRead").asBoolean()).isTrue();
    assertThat(query.get("Limit").asInt()).isEqualTo(TaskTable.PROBE_PAGE_SIZE);
  }

  @Test
  void awaitOfADuplicateWithoutTimestampFindsItsExecutionAmongAllItems() {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":null,"
                    + "\"executionArn\":\""
                    + ARN
                    + "\",\"duplicate\":true}"));
    aws.dynamoDb()
        .put(item("Breakfast", "1795617320", "FAILED", "2026-11-25T14:35:21.000Z", "earlier"))
        .put(
            item(
                "Breakfast",
                "1795617326.12345",
                "DONE",
                "2026-11-25T14:35:27.000Z",
                "Breakfast-mine"))
        .put(item("Breakfast", "1795617330", "STARTED", "2026-11-25T14:35:31.000Z", "later"));
    TaskStart start = client.start("Breakfast");

    TaskRecord done = client.await(start, Duration.ZERO);

    assertThat(done.executionArn()).isEqualTo(ARN);
    JsonNode query = aws.requests("Query").get(0).json();
    assertThat(query.get("KeyConditionExpression").asText()).isEqualTo("taskId = :taskId");
    assertThat(query.get("ScanIndexForward").asBoolean()).isFalse();
  }

  @Test
  void awaitOfAStartTimesOutNamingItsExecution() {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":"
                    + "1795617326.12345,\"executionArn\":\""
                    + ARN
                    + "\",\"duplicate\":false}"));
    aws.dynamoDb()
        .put(item("Breakfast", "1795617330", "DONE", "2026-11-25T14:35:31.000Z", "later"));
    TaskStart start = client.start("Breakfast");

    assertThatThrownBy(() -> client.await(start, Duration.ofMillis(60)))
        .isInstanceOf(TaskAwaitTimeoutException.class)
        .hasMessage(
            "task 'Breakfast' (execution "
                + ARN
                + ") did not finish within PT0.06S:"
                + " its item has not been written yet");
  }

  @Test
  void awaitOfAQueuedStartWaitsForAnItemStartedAfterTheSend() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617300", "DONE", "2026-11-25T14:35:01.000Z", "before"))
        .onQuery(
            count -> {
              if (count == 2) {
                aws.dynamoDb()
                    .put(
                        item(
                            "Breakfast",
                            "1795617326.12312",
                            "STARTED",
                            "2026-11-25T14:35:26.200Z",
                            "queued"));
              } else if (count == 4) {
                aws.dynamoDb()
                    .put(
                        item(
                            "Breakfast",
                            "1795617326.12312",
                            "DONE",
                            "2026-11-25T14:35:27.000Z",
                            "queued"));
              }
            });
    try (TaskStatusClient queued =
        aws.client()
            .queueUrl(FakeAws.QUEUE_URL)
            .clock(Clock.fixed(SENT.plusNanos(456_789), ZoneOffset.UTC))
            .build()) {
      TaskStart start = queued.start("Breakfast");

      TaskRecord done = queued.await(start, Duration.ofSeconds(5));

      assertThat(done.executionArn()).isEqualTo(Items.ARN_PREFIX + "queued");
      assertThat(done.status()).isEqualTo(TaskStatus.DONE);
      JsonNode query = aws.requests("Query").get(0).json();
      assertThat(query.get("KeyConditionExpression").asText())
          .isEqualTo("taskId = :taskId AND #timestamp >= :from");
      assertThat(query.get("ExpressionAttributeValues").get(":from").toString())
          .isEqualTo("{\"N\":\"1795617326.123\"}");
      assertThat(query.get("ScanIndexForward").asBoolean()).isFalse();
    }
  }

  @Test
  void awaitOfAQueuedStartTimesOutSayingNoItemWasStartedSinceTheSend() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617300", "DONE", "2026-11-25T14:35:01.000Z", "before"));
    try (TaskStatusClient queued =
        aws.client().queueUrl(FakeAws.QUEUE_URL).clock(Clock.fixed(SENT, ZoneOffset.UTC)).build()) {
      TaskStart start = queued.start("Breakfast");

      assertThatThrownBy(() -> queued.await(start, Duration.ofMillis(30)))
          .isInstanceOf(TaskAwaitTimeoutException.class)
          .hasMessage(
              "task 'Breakfast' (message "
                  + start.messageId().orElseThrow()
                  + ") did not finish within PT0.03S: no item started at or after"
                  + " 2026-11-25T14:35:26.123Z yet (has the starter received the message?)");
    }
  }

  @Test
  void anAwaitInterruptedWhilePausingStopsAndKeepsTheInterrupt() throws InterruptedException {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    try (TaskStatusClient patient =
        aws.client()
            .pollInterval(Duration.ofSeconds(10))
            .maxPollInterval(Duration.ofSeconds(10))
            .build()) {
      Thread waiter =
          new Thread(
              () -> {
                try {
                  patient.await("Breakfast", Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                  thrown.set(e);
                  stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
              });
      waiter.start();
      while (aws.requests("Query").isEmpty()) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      waiter.interrupt();
      waiter.join(5_000);
    }

    assertThat(thrown.get())
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage("interrupted while waiting for task 'Breakfast'");
    assertThat(stillInterrupted).isTrue();
  }
}
