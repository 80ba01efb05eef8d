package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code await(TaskStart)}: the start's own item, found in the window of timestamps it can have
 * (never by paging the task's history), then read by its key.
 */
class AwaitStartTest extends ClientTest {
  private static final String MINE = "Breakfast-mine";
  private static final String ARN = Items.ARN_PREFIX + MINE;

  /** 2026-11-25T14:35:26.123Z: when the client asks for the start. */
  private static final Instant SENT = Instant.parse("2026-11-25T14:35:26.123Z");

  /** {@link #SENT} less the clock-skew allowance of five minutes, in Unix seconds. */
  private static final String EARLIEST = "1795617026.123";

  private static final String WINDOW = "taskId = :taskId AND #timestamp BETWEEN :from AND :to";
  private static final String SINCE = "taskId = :taskId AND #timestamp >= :from";
  private static final String AT = "taskId = :taskId AND #timestamp = :at";

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.clock(Clock.fixed(SENT, ZoneOffset.UTC));
  }

  private void starterAnswers(String timestamp, boolean duplicate) {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":"
                    + timestamp
                    + ",\"executionArn\":\""
                    + ARN
                    + "\",\"duplicate\":"
                    + duplicate
                    + "}"));
  }

  private TaskStatusClient queued(Instant now) {
    return aws.client().queueUrl(FakeAws.QUEUE_URL).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
  }

  private List<JsonNode> queries() {
    return aws.requests("Query").stream().map(FakeAws.Request::json).toList();
  }

  private static String value(JsonNode query, String placeholder) {
    return query.get("ExpressionAttributeValues").get(placeholder).get("N").asText();
  }

  private List<BigDecimal> servedTimestamps() {
    return aws.dynamoDb().pages().stream()
        .flatMap(List::stream)
        .map(i -> new BigDecimal(i.get("timestamp").get("N").asText()))
        .toList();
  }

  /** Starts of the task long before the window: what a history-paging search would read. */
  private void history(int count) {
    for (int i = 0; i < count; i++) {
      aws.dynamoDb()
          .put(
              item(
                  "Breakfast",
                  "17956" + (10_000 + i),
                  "DONE",
                  "2026-11-25T12:00:00.000Z",
                  "h" + i));
    }
  }

  @Test
  void aDirectStartsItemIsFoundInItsWindowEvenWhenACollisionMovedIt() {
    starterAnswers("1795617326.12340", false);
    aws.dynamoDb()
        // Another start took the timestamp first; the workflow moved this one to the next second.
        .put(item("Breakfast", "1795617326.1234", "DONE", "2026-11-25T14:35:27.000Z", "other"))
        .put(
            Items.n(
                item("Breakfast", "1795617327", "STARTED", "2026-11-25T14:35:27.100Z", MINE),
                "RequestedTimestamp",
                "1795617326.1234"))
        .put(item("Breakfast", "1795617337", "DONE", "2026-11-25T14:35:38.000Z", "later"))
        .putOnQuery(
            2,
            Items.n(
                item("Breakfast", "1795617327", "DONE", "2026-11-25T14:35:29.000Z", MINE),
                "RequestedTimestamp",
                "1795617326.1234"));
    TaskStart start = client.start("Breakfast");

    TaskRecord done = client.await(start, Duration.ofSeconds(5));

    assertThat(done.executionArn()).isEqualTo(ARN);
    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(done.requestedTimestamp().orElseThrow())
        .isEqualByComparingTo(start.timestamp().orElseThrow());
    JsonNode query = queries().get(0);
    assertThat(query.get("KeyConditionExpression").asText()).isEqualTo(WINDOW);
    assertThat(query.get("ExpressionAttributeNames").toString())
        .isEqualTo("{\"#timestamp\":\"timestamp\"}");
    // From the timestamp exactly as answered to the last of the next ten whole seconds.
    assertThat(value(query, ":from")).isEqualTo("1795617326.12340");
    assertThat(value(query, ":to")).isEqualTo("1795617336");
    assertThat(query.get("ScanIndexForward").asBoolean()).isTrue();
    assertThat(query.get("ConsistentRead").asBoolean()).isTrue();
    assertThat(query.get("Limit").asInt()).isEqualTo(TaskTable.PROBE_PAGE_SIZE);
  }

  @Test
  void onceFoundTheItemIsReadByItsKeyAlone() {
    starterAnswers("1795617326.12345", false);
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", MINE))
        .putOnQuery(
            4, item("Breakfast", "1795617326.12345", "DONE", "2026-11-25T14:35:28.000Z", MINE));
    TaskStart start = client.start("Breakfast");

    assertThat(client.await(start, Duration.ofSeconds(5)).status()).isEqualTo(TaskStatus.DONE);

    List<JsonNode> queries = queries();
    assertThat(queries).hasSize(4);
    assertThat(queries.get(0).get("KeyConditionExpression").asText()).isEqualTo(WINDOW);
    assertThat(queries.subList(1, 4))
        .allSatisfy(
            q -> {
              assertThat(q.get("KeyConditionExpression").asText()).isEqualTo(AT);
              assertThat(value(q, ":at")).isEqualTo("1795617326.12345");
              assertThat(q.get("ConsistentRead").asBoolean()).isTrue();
            });
  }

  @Test
  void aStartThatWasCancelledIsFinal() {
    starterAnswers("1795617326.12345", false);
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", MINE))
        .putOnQuery(
            2,
            Items.cancelled(
                "Breakfast", "1795617326.12345", "2026-11-25T14:35:28.000Z", MINE, "no eggs"));
    TaskStart start = client.start("Breakfast");

    TaskRecord cancelled = client.await(start, Duration.ofSeconds(5));

    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.cause()).contains("no eggs");
    assertThat(queries()).hasSize(2);
  }

  @Test
  void aDirectStartsItemNotWrittenYetIsLookedForInItsWindowAndNeverInTheHistory() {
    starterAnswers("1795617326.12345", false);
    history(60);
    aws.dynamoDb()
        .maxPageItems(2)
        // Other starts of the task in the window, and after it.
        .put(item("Breakfast", "1795617326.2", "STARTED", "2026-11-25T14:35:26.300Z", "o1"))
        .put(item("Breakfast", "1795617330", "STARTED", "2026-11-25T14:35:30.000Z", "o2"))
        .put(item("Breakfast", "1795617336.99999", "STARTED", "2026-11-25T14:35:37.000Z", "o3"))
        .put(item("Breakfast", "1795617337", "DONE", "2026-11-25T14:35:38.000Z", "o4"))
        .put(item("Breakfast", "1795617400", "DONE", "2026-11-25T14:36:41.000Z", "o5"));
    TaskStart start = client.start("Breakfast");

    assertThatThrownBy(() -> client.await(start, Duration.ofMillis(400)))
        .isInstanceOf(TaskAwaitTimeoutException.class);

    List<JsonNode> queries = queries();
    assertThat(queries).filteredOn(q -> !q.has("ExclusiveStartKey")).hasSizeGreaterThan(1);
    assertThat(queries)
        .allSatisfy(
            q -> {
              assertThat(q.get("KeyConditionExpression").asText()).isEqualTo(WINDOW);
              assertThat(value(q, ":from")).isEqualTo("1795617326.12345");
              assertThat(value(q, ":to")).isEqualTo("1795617336");
            });
    assertThat(servedTimestamps())
        .isNotEmpty()
        .allSatisfy(
            t ->
                assertThat(t)
                    .isBetween(new BigDecimal("1795617326.12345"), new BigDecimal("1795617336")));
  }

  @Test
  void aDuplicateIsLookedForAmongTheItemsStartedSinceTheRequestLessTheClockSkewAllowance() {
    starterAnswers("null", true);
    history(60);
    aws.dynamoDb()
        .maxPageItems(2)
        .put(item("Breakfast", "1795617326.5", "DONE", "2026-11-25T14:35:27.000Z", MINE))
        .put(item("Breakfast", "1795617330", "STARTED", "2026-11-25T14:35:31.000Z", "later"))
        .put(item("Breakfast", "1795617331", "STARTED", "2026-11-25T14:35:32.000Z", "later2"));
    TaskStart start = client.start("Breakfast");

    TaskRecord done = client.await(start, Duration.ZERO);

    assertThat(done.executionArn()).isEqualTo(ARN);
    assertThat(queries())
        .allSatisfy(
            q -> {
              assertThat(q.get("KeyConditionExpression").asText()).isEqualTo(SINCE);
              assertThat(value(q, ":from")).isEqualTo(EARLIEST);
              assertThat(q.get("ScanIndexForward").asBoolean()).isFalse();
            });
    assertThat(servedTimestamps())
        .allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(new BigDecimal(EARLIEST)));
  }

  @Test
  void aQueuedStartFollowsItsOwnExecutionWhenTwoSendsOfTheTaskRace() {
    try (TaskStatusClient queued = queued(SENT)) {
      TaskStart first = queued.start("Breakfast");
      TaskStart second = queued.start("Breakfast");
      String firstName = ExecutionNames.of("Breakfast", first.idempotencyKey());
      String secondName = ExecutionNames.of("Breakfast", second.idempotencyKey());
      // The second message was started first and is already done; the first is still running.
      aws.dynamoDb()
          .put(item("Breakfast", "1795617326.2", "DONE", "2026-11-25T14:35:27.000Z", secondName))
          .put(item("Breakfast", "1795617326.3", "STARTED", "2026-11-25T14:35:26.400Z", firstName))
          .putOnQuery(
              3,
              item("Breakfast", "1795617326.3", "FAILED", "2026-11-25T14:35:29.000Z", firstName));

      TaskRecord firstEnd = queued.await(first, Duration.ofSeconds(5));
      TaskRecord secondEnd = queued.await(second, Duration.ZERO);

      assertThat(firstEnd.executionArn()).isEqualTo(Items.ARN_PREFIX + firstName);
      assertThat(firstEnd.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(secondEnd.executionArn()).isEqualTo(Items.ARN_PREFIX + secondName);
      assertThat(secondEnd.status()).isEqualTo(TaskStatus.DONE);
      JsonNode query = queries().get(0);
      assertThat(query.get("KeyConditionExpression").asText()).isEqualTo(SINCE);
      assertThat(value(query, ":from")).isEqualTo(EARLIEST);
      assertThat(query.get("ScanIndexForward").asBoolean()).isFalse();
    }
  }

  @Test
  void aQueuedStartIsFoundWhenTheClientsClockIsAheadOfLambdas() {
    // The client's clock is two minutes ahead: the starter's timestamp is before requestedAt.
    try (TaskStatusClient queued = queued(SENT.plus(Duration.ofMinutes(2)))) {
      TaskStart start = queued.start("Breakfast");
      String name = ExecutionNames.of("Breakfast", start.idempotencyKey());
      aws.dynamoDb()
          .put(item("Breakfast", "1795617326.12312", "DONE", "2026-11-25T14:35:27.000Z", name))
          .put(item("Breakfast", "1795617400", "STARTED", "2026-11-25T14:36:41.000Z", "newer"));

      TaskRecord done = queued.await(start, Duration.ZERO);

      assertThat(done.executionArn()).isEqualTo(Items.ARN_PREFIX + name);
      assertThat(value(queries().get(0), ":from")).isEqualTo("1795617146.123");
    }
  }

  @Test
  void aQueuedStartsItemNotWrittenYetIsLookedForOnlySinceTheSendLessTheAllowance() {
    history(60);
    aws.dynamoDb()
        .maxPageItems(3)
        .put(item("Breakfast", "1795617100", "DONE", "2026-11-25T14:31:41.000Z", "recent"))
        .put(item("Breakfast", "1795617330", "STARTED", "2026-11-25T14:35:31.000Z", "other"));
    try (TaskStatusClient queued = queued(SENT)) {
      TaskStart start = queued.start("Breakfast");

      assertThatThrownBy(() -> queued.await(start, Duration.ofMillis(400)))
          .isInstanceOf(TaskAwaitTimeoutException.class);
    }

    assertThat(queries()).filteredOn(q -> !q.has("ExclusiveStartKey")).hasSizeGreaterThan(1);
    assertThat(queries())
        .allSatisfy(
            q -> {
              assertThat(q.get("KeyConditionExpression").asText()).isEqualTo(SINCE);
              assertThat(value(q, ":from")).isEqualTo(EARLIEST);
            });
    assertThat(servedTimestamps())
        .isNotEmpty()
        .allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(new BigDecimal(EARLIEST)));
  }

  @Test
  void aDirectStartTimesOutNamingItsExecution() {
    starterAnswers("1795617326.12345", false);
    aws.dynamoDb()
        .put(item("Breakfast", "1795617340", "DONE", "2026-11-25T14:35:41.000Z", "later"));
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
  void aStartStillRunningTimesOutNamingItsItemAndStatus() {
    starterAnswers("1795617326.12345", false);
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", MINE));
    TaskStart start = client.start("Breakfast");

    assertThatThrownBy(() -> client.await(start, Duration.ofMillis(30)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class,
            e -> assertThat(e.lastRecord()).map(TaskRecord::executionArn).contains(ARN))
        .hasMessage(
            "task 'Breakfast' (execution "
                + ARN
                + ") did not finish within PT0.03S: its item (timestamp 1795617326.12345) is"
                + " still STARTED");
  }

  @Test
  void aQueuedStartTimesOutNamingItsMessageAndExecution() {
    try (TaskStatusClient queued = queued(SENT)) {
      TaskStart start = queued.start("Breakfast");

      assertThatThrownBy(() -> queued.await(start, Duration.ofMillis(30)))
          .isInstanceOf(TaskAwaitTimeoutException.class)
          .hasMessage(
              "task 'Breakfast' (message "
                  + start.messageId().orElseThrow()
                  + ", execution "
                  + ExecutionNames.of("Breakfast", start.idempotencyKey())
                  + ") did not finish within PT0.03S: its item has not been written yet (has the"
                  + " starter received the message?)");
    }
  }

  @Test
  void anExecutionIsRecognisedByItsNameInStandardAndExpressArns() {
    String prefix = "arn:aws:states:us-east-1:123456789012:";

    assertThat(StartItemSearch.hasName(prefix + "execution:Tasks:Lunch-1", "Lunch-1")).isTrue();
    assertThat(StartItemSearch.hasName(prefix + "express:Tasks:Lunch-1:5f1c-77", "Lunch-1"))
        .isTrue();
    assertThat(StartItemSearch.hasName(prefix + "execution:Tasks:xLunch-1", "Lunch-1")).isFalse();
    assertThat(StartItemSearch.hasName(prefix + "execution:Lunch-1:other", "Lunch-1")).isFalse();
    assertThat(StartItemSearch.hasName("Lunch-1", "Lunch-1")).isFalse();
  }
}
