package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReadTest extends ClientTest {
  /** 2026-11-25T10:35:26Z. */
  private static final Instant NOW = Instant.ofEpochSecond(1_795_602_926L);

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void latestQueriesTheTaskNewestFirstWithAConsistentRead() {
    client.latest("Breakfast");

    JsonNode query = aws.requests("Query").get(0).json();
    assertThat(query.get("TableName").asText()).isEqualTo(FakeAws.TABLE);
    assertThat(query.get("KeyConditionExpression").asText()).isEqualTo("taskId = :taskId");
    assertThat(query.get("ExpressionAttributeValues").toString())
        .isEqualTo("{\":taskId\":{\"S\":\"Breakfast\"}}");
    assertThat(query.get("ScanIndexForward").asBoolean()).isFalse();
    assertThat(query.get("ConsistentRead").asBoolean()).isTrue();
    assertThat(query.has("IndexName")).isFalse();
    assertThat(query.has("FilterExpression")).isFalse();
  }

  @Test
  void latestIsTheItemWithTheHighestTimestamp() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795600000.5", "DONE", "2026-11-25T09:46:41.000Z", "a"))
        .put(item("Breakfast", "1795600100.00001", "STARTED", "2026-11-25T10:01:40.000Z", "b"))
        .put(item("Breakfast", "1795600099.99999", "FAILED", "2026-11-25T10:01:41.000Z", "c"))
        .put(item("Lunch", "1795600200", "DONE", "2026-11-25T10:03:20.000Z", "d"));

    Optional<TaskRecord> latest = client.latest("Breakfast");

    assertThat(latest).map(TaskRecord::executionArn).contains(Items.ARN_PREFIX + "b");
    assertThat(latest).map(TaskRecord::status).contains(TaskStatus.STARTED);
  }

  @Test
  void latestOfATaskWithoutItemsIsEmpty() {
    aws.dynamoDb().put(item("Lunch", "1795600200", "DONE", "2026-11-25T10:03:20.000Z", "d"));

    assertThat(client.latest("Breakfast")).isEmpty();
  }

  @Test
  void latestSkipsExpiredItemsEvenOnLaterPages() {
    aws.dynamoDb().maxPageItems(2);
    for (int i = 0; i < 5; i++) {
      aws.dynamoDb()
          .put(
              Items.n(
                  item("Breakfast", "179560000" + i, "DONE", "2026-11-25T10:00:00.000Z", "e" + i),
                  "ExpiresAt",
                  "1795602926"));
    }
    aws.dynamoDb()
        .put(
            Items.n(
                item("Breakfast", "1795500000", "DONE", "2026-11-24T06:00:00.000Z", "live"),
                "ExpiresAt",
                "1795602926.001"));

    assertThat(client.latest("Breakfast"))
        .map(TaskRecord::executionArn)
        .contains(Items.ARN_PREFIX + "live");
    assertThat(aws.requests("Query")).hasSize(3);
  }

  @Test
  void anItemIsReadWithEveryAttribute() {
    ObjectNode stored =
        Items.n(
            Items.n(
                Items.failed(
                    "Breakfast", "1795617326.12345", "2026-11-25T14:35:30.007Z", "Breakfast-3c33"),
                "ExpiresAt",
                "1798209326.12345"),
            "RequestedTimestamp",
            "1795617326.12344");
    aws.dynamoDb().put(stored);

    TaskRecord record = client.latest("Breakfast").orElseThrow();

    assertThat(record.taskId()).isEqualTo("Breakfast");
    assertThat(record.timestamp()).isEqualTo(new BigDecimal("1795617326.12345"));
    assertThat(record.startedAt()).isEqualTo(Instant.parse("2026-11-25T14:35:26.123450Z"));
    assertThat(record.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(record.updatedAt()).isEqualTo(Instant.parse("2026-11-25T14:35:30.007Z"));
    assertThat(record.executionArn()).isEqualTo(Items.ARN_PREFIX + "Breakfast-3c33");
    assertThat(record.error()).contains("States.TaskFailed");
    assertThat(record.cause()).contains("the oven is cold");
    assertThat(record.expiresAt()).contains(Instant.parse("2026-12-25T14:35:26.123450Z"));
    assertThat(record.requestedTimestamp()).contains(new BigDecimal("1795617326.12344"));
  }

  @Test
  void anOlderItemWithAWholeSecondTimestampAndNoOptionalAttributesIsRead() {
    aws.dynamoDb().put(item("Breakfast", "1795617326", "DONE", "2026-11-25T14:35:27Z", "old"));

    TaskRecord record = client.latest("Breakfast").orElseThrow();

    assertThat(record.timestamp()).isEqualTo(new BigDecimal("1795617326"));
    assertThat(record.startedAt()).isEqualTo(Instant.parse("2026-11-25T14:35:26Z"));
    assertThat(record.error()).isEmpty();
    assertThat(record.cause()).isEmpty();
    assertThat(record.expiresAt()).isEmpty();
    assertThat(record.requestedTimestamp()).isEmpty();
    assertThat(record.redriveCount()).isZero();
    assertThat(record.deadline()).isEmpty();
    assertThat(record.attempts()).isEmpty();
    assertThat(record.progress()).isEmpty();
  }

  @Test
  void aRedrivenItemIsReadWithItsRedriveCountAndDeadline() {
    // A redrive finished the item DONE and kept the error it recovered from.
    ObjectNode stored =
        Items.attempt(
            item("Breakfast", "1795617326.12345", "DONE", "2026-11-26T09:00:00.250Z", "b-1"), 2);
    Items.s(stored, "Error", "States.Timeout");
    Items.s(stored, "Cause", "The execution timed out");
    Items.s(stored, "Deadline", "2026-11-25T14:50:26.000Z");
    aws.dynamoDb().put(stored);

    TaskRecord record = client.latest("Breakfast").orElseThrow();

    assertThat(record.status()).isEqualTo(TaskStatus.DONE);
    assertThat(record.redriveCount()).isEqualTo(2);
    assertThat(record.deadline()).contains(Instant.parse("2026-11-25T14:50:26Z"));
    assertThat(record.error()).contains("States.Timeout");
    assertThat(record.cause()).contains("The execution timed out");
  }

  @Test
  void aCancelledItemIsReadWithItsErrorAndReason() {
    aws.dynamoDb()
        .put(
            Items.attempts(
                Items.cancelled(
                    "Breakfast", "1795617326", "2026-11-25T14:36:00.007Z", "x", "no eggs"),
                Items.entry(0, "CANCELLED", "2026-11-25T14:36:00.007Z", "TaskStatus.Cancelled")));

    TaskRecord record = client.latest("Breakfast").orElseThrow();

    assertThat(record.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(record.status().isFinal()).isTrue();
    assertThat(record.error()).contains("TaskStatus.Cancelled");
    assertThat(record.cause()).contains("no eggs");
    assertThat(record.attempts())
        .containsExactly(
            new TaskAttempt(
                0,
                TaskStatus.CANCELLED,
                Instant.parse("2026-11-25T14:36:00.007Z"),
                Optional.of("TaskStatus.Cancelled")));
  }

  @Test
  void aRedrivenItemIsReadWithItsAttemptsInTheOrderTheyFinished() {
    ObjectNode stored =
        Items.attempt(
            item("Breakfast", "1795617326.12345", "DONE", "2026-11-26T09:00:00.250Z", "b-1"), 1);
    Items.s(stored, "Error", "States.Aborted");
    Items.s(stored, "Cause", "stopped by hand");
    Items.attempts(
        stored,
        Items.entry(0, "FAILED", "2026-11-25T14:36:00.007Z", "States.Aborted"),
        Items.entry(1, "DONE", "2026-11-26T09:00:00.250Z", null));
    aws.dynamoDb().put(stored);

    TaskRecord record = client.latest("Breakfast").orElseThrow();

    assertThat(record.attempts())
        .containsExactly(
            new TaskAttempt(
                0,
                TaskStatus.FAILED,
                Instant.parse("2026-11-25T14:36:00.007Z"),
                Optional.of("States.Aborted")),
            new TaskAttempt(
                1, TaskStatus.DONE, Instant.parse("2026-11-26T09:00:00.250Z"), Optional.empty()));
  }

  @Test
  void anAttemptOfTheHighestRedriveCountIsRead() {
    aws.dynamoDb()
        .put(attemptsItem(Items.entry(2147483647, "DONE", "2026-11-25T14:35:27.000Z", null)));

    assertThat(client.latest("Breakfast").orElseThrow().attempts())
        .extracting(TaskAttempt::attempt)
        .containsExactly(Integer.MAX_VALUE);
  }

  @Test
  void anAttemptsEntryWithAttributesOfANewerWorkflowIsRead() {
    ObjectNode entry = Items.entry(0, "FAILED", "2026-11-25T14:35:27.000Z", "Boom");
    Items.s(entry, "Cause", "a newer workflow may record more");
    aws.dynamoDb().put(attemptsItem(entry));

    assertThat(client.latest("Breakfast").orElseThrow().attempts())
        .containsExactly(
            new TaskAttempt(
                0, TaskStatus.FAILED, Instant.parse("2026-11-25T14:35:27Z"), Optional.of("Boom")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"S | {\"S\":\"0 FAILED\"}", "M | {\"M\":{}}", "SS | {\"SS\":[\"0\"]}"})
  void anAttemptsAttributeThatIsNoListIsAClearError(String type, String value) throws Exception {
    ObjectNode stored = item("Breakfast", "1795617326", "FAILED", "2026-11-25T14:35:27.000Z", "x");
    stored.set("Attempts", FakeAws.JSON.readTree(value));
    aws.dynamoDb().put(stored);

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts of type "
                + type
                + "; the workflow writes it as L");
  }

  @Test
  void anAttemptsEntryThatIsNoMapIsAClearError() {
    ObjectNode stored =
        Items.attempts(
            item("Breakfast", "1795617326", "FAILED", "2026-11-25T14:35:27.000Z", "x"),
            Items.entry(0, "FAILED", "2026-11-25T14:35:27.000Z", "Boom"));
    ((ArrayNode) stored.at("/Attempts/L")).addObject().put("S", "1 DONE");
    aws.dynamoDb().put(stored);

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts[1] of type S;"
                + " the workflow writes it as M");
  }

  @ParameterizedTest
  @CsvSource({"Attempt, N", "Status, S", "At, S"})
  void anAttemptsEntryWithoutARequiredAttributeIsAClearError(String name, String type) {
    ObjectNode entry = Items.entry(0, "FAILED", "2026-11-25T14:35:27.000Z", "Boom");
    entry.remove(name);
    aws.dynamoDb().put(attemptsItem(entry));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has no Attempts[0]."
                + name
                + " ("
                + type
                + "); is this the table of a TaskStatusWorkflow?");
  }

  @ParameterizedTest
  @CsvSource({"Attempt, S, N", "Status, N, S", "At, N, S", "Error, N, S"})
  void anAttemptsEntryAttributeOfTheWrongTypeIsAClearError(
      String name, String stored, String written) {
    ObjectNode entry = Items.entry(0, "FAILED", "2026-11-25T14:35:27.000Z", "Boom");
    entry.putObject(name).put(stored, "0");
    aws.dynamoDb().put(attemptsItem(entry));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts[0]."
                + name
                + " of type "
                + stored
                + "; the workflow writes it as "
                + written);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "-1", "2147483648"})
  void anAttemptThatIsNoWholeNumberOfRedrivesIsAClearError(String attempt) {
    ObjectNode entry = Items.entry(0, "FAILED", "2026-11-25T14:35:27.000Z", "Boom");
    Items.n(entry, "Attempt", attempt);
    aws.dynamoDb().put(attemptsItem(entry));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts[0].Attempt "
                + attempt
                + ", which is not a redrive count (a whole number, 0 or more)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"STARTED", "PAUSED", "done", ""})
  void anAttemptStatusThatIsNoEndIsAClearError(String status) {
    aws.dynamoDb().put(attemptsItem(Items.entry(0, status, "2026-11-25T14:35:27.000Z", null)));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts[0].Status '"
                + status
                + "', which is not how an attempt ends (DONE, FAILED or CANCELLED)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2026-11-25 14:35:27.000Z", "2026-11-25T14:35:27.000"})
  void anAttemptTimeThatIsNoInstantIsAClearError(String at) {
    aws.dynamoDb().put(attemptsItem(Items.entry(0, "DONE", at, null)));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Attempts[0].At '"
                + at
                + "', which is not an ISO-8601 instant such as 2026-01-01T12:00:00.123Z");
  }

  /** The item of a first attempt, its history {@code entry} alone. */
  private static ObjectNode attemptsItem(ObjectNode entry) {
    ObjectNode stored =
        Items.attempts(
            item("Breakfast", "1795617326", "FAILED", "2026-11-25T14:35:27.000Z", "x"), entry);
    return Items.attempt(stored, 0);
  }

  /** A STARTED item of a first attempt, as a worker's progress leaves it. */
  private static ObjectNode inProgress(String percent, String message, String at) {
    return Items.progress(
        Items.attempt(
            item("Breakfast", "1795617326", "STARTED", "2026-11-25T14:35:26.200Z", "x"), 0),
        percent,
        message,
        at);
  }

  @Test
  void aWorkersProgressIsReadWithItsMessageAndTime() {
    aws.dynamoDb().put(inProgress("40", "whisking the eggs", "2026-11-25T14:35:40.250Z"));

    assertThat(client.latest("Breakfast").orElseThrow().progress())
        .contains(
            new TaskProgress(
                40, Optional.of("whisking the eggs"), Instant.parse("2026-11-25T14:35:40.250Z")));
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "100, 100", "50.0, 50", "1E+2, 100"})
  void aProgressOfAnyWholeNumberFromZeroToHundredIsRead(String stored, int percent) {
    aws.dynamoDb().put(inProgress(stored, null, "2026-11-25T14:35:40.250Z"));

    TaskProgress progress = client.latest("Breakfast").orElseThrow().progress().orElseThrow();

    assertThat(progress.percent()).isEqualTo(percent);
    assertThat(progress.message()).isEmpty();
  }

  @Test
  void anItemWithoutProgressHasNoneWhateverElseItHolds() {
    ObjectNode stored = item("Breakfast", "1795617326", "STARTED", "2026-11-25T14:35:26.200Z", "x");
    Items.s(stored, "ProgressMessage", "left over");
    aws.dynamoDb().put(stored);

    assertThat(client.latest("Breakfast").orElseThrow().progress()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"101", "-1", "50.5", "1000000000000"})
  void aProgressThatIsNoPercentageIsAClearError(String percent) {
    aws.dynamoDb().put(inProgress(percent, null, "2026-11-25T14:35:40.250Z"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Progress "
                + percent
                + ", which is not a percentage (a whole number from 0 to 100)");
  }

  @Test
  void aProgressOfTheWrongTypeIsAClearError() {
    aws.dynamoDb()
        .put(Items.s(inProgress("40", null, "2026-11-25T14:35:40.250Z"), "Progress", "40"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Progress of type S;"
                + " the workflow writes it as N");
  }

  @Test
  void aProgressWithoutItsTimeIsAClearError() {
    ObjectNode stored = inProgress("40", "whisking", "2026-11-25T14:35:40.250Z");
    stored.remove("ProgressAt");
    aws.dynamoDb().put(stored);

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has no ProgressAt (S); is this"
                + " the table of a TaskStatusWorkflow?");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-25T14:35:40Z",
        "2026-11-25T14:35:40.25Z",
        "2026-11-25T14:35:40.250+01:00",
        "2026-11-25T14:35:40.250",
        "soon"
      })
  void aProgressTimeNotInTheWorkersFormIsAClearError(String at) {
    aws.dynamoDb().put(inProgress("40", null, at));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has ProgressAt '"
                + at
                + "', which is not a UTC time with milliseconds such as"
                + " 2026-01-01T12:00:00.123Z");
  }

  @Test
  void aProgressTimeOrMessageOfTheWrongTypeIsAClearError() {
    ObjectNode wrongTime = inProgress("40", null, "2026-11-25T14:35:40.250Z");
    Items.n(wrongTime, "ProgressAt", "1795617340");
    aws.dynamoDb().put(wrongTime);

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has ProgressAt of type N;"
                + " the workflow writes it as S");

    ObjectNode wrongMessage = inProgress("40", null, "2026-11-25T14:35:40.250Z");
    Items.n(wrongMessage, "ProgressMessage", "40");
    aws.dynamoDb().put(wrongMessage);

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has ProgressMessage of type N;"
                + " the workflow writes it as S");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "-1", "2147483648"})
  void aRedriveCountThatIsNoWholeNumberOfRedrivesIsAClearError(String count) {
    aws.dynamoDb()
        .put(
            Items.n(
                item("Breakfast", "1795617326", "FAILED", "2026-11-25T14:35:27.000Z", "x"),
                "RedriveCount",
                count));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has RedriveCount "
                + count
                + ", which is not a redrive count (a whole number, 0 or more)");
  }

  @Test
  void aRedriveCountOfTheWrongTypeIsAClearError() {
    aws.dynamoDb()
        .put(
            Items.s(
                item("Breakfast", "1795617326", "FAILED", "2026-11-25T14:35:27.000Z", "x"),
                "RedriveCount",
                "1"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has RedriveCount of type"
                + " S; the workflow writes it as N");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-25T14:50:26Z",
        "2026-11-25T14:50:26.5Z",
        "2026-11-25T14:50:26.000+01:00",
        "2026-11-31T14:50:26.000Z",
        "tomorrow"
      })
  void aDeadlineNotInTheWorkflowsFormIsAClearError(String deadline) {
    aws.dynamoDb()
        .put(Items.open("Breakfast", "1795617326", "2026-11-25T14:35:27.000Z", "x", deadline));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Deadline '"
                + deadline
                + "', which is not a UTC time with milliseconds such as"
                + " 2026-01-01T12:00:00.123Z");
  }

  @Test
  void aDeadlineOfTheWrongTypeIsAClearError() {
    aws.dynamoDb()
        .put(
            Items.n(
                item("Breakfast", "1795617326", "STARTED", "2026-11-25T14:35:27.000Z", "x"),
                "Deadline",
                "1795618226"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has Deadline of type"
                + " N; the workflow writes it as S");
  }

  @Test
  void historyIsEveryLiveItemOldestFirstAcrossPages() {
    aws.dynamoDb()
        .maxPageItems(2)
        .put(item("Breakfast", "1795600003", "STARTED", "2026-11-25T10:00:03.000Z", "d"))
        .put(item("Breakfast", "1795600001.5", "FAILED", "2026-11-25T10:00:02.000Z", "b"))
        .put(
            Items.n(
                item("Breakfast", "1795500000", "DONE", "2026-11-24T06:00:01.000Z", "expired"),
                "ExpiresAt",
                "1795600000"))
        .put(item("Breakfast", "1795600001", "DONE", "2026-11-25T10:00:01.000Z", "a"))
        .put(item("Breakfast", "1795600002", "DONE", "2026-11-25T10:00:02.000Z", "c"))
        .put(item("Lunch", "1795600002", "DONE", "2026-11-25T10:00:02.000Z", "lunch"));

    List<TaskRecord> history = client.history("Breakfast");

    assertThat(history)
        .extracting(TaskRecord::executionArn)
        .containsExactly(
            Items.ARN_PREFIX + "a",
            Items.ARN_PREFIX + "b",
            Items.ARN_PREFIX + "c",
            Items.ARN_PREFIX + "d");
    List<FakeAws.Request> queries = aws.requests("Query");
    assertThat(queries).hasSize(3);
    JsonNode first = queries.get(0).json();
    assertThat(first.get("ScanIndexForward").asBoolean()).isTrue();
    assertThat(first.get("ConsistentRead").asBoolean()).isTrue();
    assertThat(first.has("Limit")).isFalse();
    assertThat(queries.get(1).json().get("ExclusiveStartKey").toString())
        .isEqualTo("{\"taskId\":{\"S\":\"Breakfast\"},\"timestamp\":{\"N\":\"1795600001\"}}");
  }

  @Test
  void aTaskIdOfExactly1024Utf8BytesIsRead() {
    String taskId = "é".repeat(512);
    aws.dynamoDb().put(item(taskId, "1795617326", "DONE", "2026-11-25T14:35:27Z", "long"));

    assertThat(client.latest(taskId)).map(TaskRecord::taskId).contains(taskId);
  }

  @Test
  void historyOfATaskWithoutItemsIsEmpty() {
    assertThat(client.history("Breakfast")).isEmpty();
  }

  @Test
  void anUnknownStatusIsAClearError() {
    aws.dynamoDb().put(item("Breakfast", "1795617326.5", "PAUSED", "2026-11-25T14:35:27Z", "x"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326.5) has the unknown"
                + " Status 'PAUSED'; this client knows STARTED, DONE, FAILED and CANCELLED (was the"
                + " item written by a newer workflow, or by hand?)");
  }

  @Test
  void anItemWithoutExecutionArnIsAClearError() {
    ObjectNode item = item("Breakfast", "1795617326", "DONE", "2026-11-25T14:35:27Z", "x");
    item.remove("ExecutionArn");
    aws.dynamoDb().put(item);

    assertThatThrownBy(() -> client.history("Breakfast"))
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has no ExecutionArn"
                + " (S); is this the table of a TaskStatusWorkflow?");
  }

  @Test
  void anAttributeOfTheWrongTypeIsAClearError() {
    aws.dynamoDb()
        .put(
            Items.s(
                item("Breakfast", "1795617326", "DONE", "2026-11-25T14:35:27Z", "x"),
                "ExpiresAt",
                "tomorrow"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has ExpiresAt of type"
                + " S; the workflow writes it as N");
  }

  @Test
  void anUpdatedAtThatIsNoInstantIsAClearError() {
    aws.dynamoDb().put(item("Breakfast", "1795617326", "DONE", "yesterday", "x"));

    assertThatThrownBy(() -> client.latest("Breakfast"))
        .hasMessage(
            "the item (taskId 'Breakfast', timestamp 1795617326) has UpdatedAt"
                + " 'yesterday', which is not an ISO-8601 instant such as"
                + " 2026-01-01T12:00:00.123Z");
  }

  @Test
  void readingWithoutATableIsRefusedWithWhatToSet() {
    try (TaskStatusClient startOnly = aws.client().build();
        TaskStatusClient noTable =
            TaskStatusClient.builder()
                .starterFunction(FakeAws.STARTER)
                .lambda(aws.lambdaClient())
                .build()) {
      assertThat(startOnly.history("Breakfast")).isEmpty();
      assertThatThrownBy(() -> noTable.latest("Breakfast"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "this client has no table to read: set tableName(...) on the builder, or"
                  + " TASK_STATUS_TABLE in the environment");
    }
  }
}
