package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.failed;
import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailedSinceTest extends ClientTest {
  private static final Instant NOW = Instant.parse("2026-11-25T15:00:00Z");

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.failedTaskIndex(FakeDynamoDb.INDEX).clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void failedSinceQueriesTheIndexFromTheWholeSecondOfSince() {
    client.failedSince(Instant.parse("2026-11-25T14:35:26.500Z"));

    List<FakeAws.Request> queries = aws.requests("Query");
    assertThat(queries).hasSize(1);
    JsonNode query = queries.get(0).json();
    assertThat(query.get("TableName").asText()).isEqualTo(FakeAws.TABLE);
    assertThat(query.get("IndexName").asText()).isEqualTo("FailedTasks");
    assertThat(query.get("KeyConditionExpression").asText())
        .isEqualTo("FailedIndexKey = :failed AND UpdatedAt >= :since");
    assertThat(query.get("ExpressionAttributeValues").get(":failed").toString())
        .isEqualTo("{\"S\":\"FAILED\"}");
    assertThat(query.get("ExpressionAttributeValues").get(":since").toString())
        .isEqualTo("{\"S\":\"2026-11-25T14:35:26\"}");
    assertThat(query.path("ConsistentRead").asBoolean(false)).isFalse();
    assertThat(query.get("ScanIndexForward").asBoolean()).isTrue();
  }

  @Test
  void failedSinceIsTheLiveFailuresAtOrAfterSinceOldestFirstAcrossPages() {
    aws.dynamoDb()
        .maxPageItems(2)
        .put(failed("Toast", "1795617000", "2026-11-25T14:35:25.999Z", "before"))
        .put(failed("Toast", "1795617001", "2026-11-25T14:35:26.499Z", "sameSecondEarlier"))
        .put(failed("Eggs", "1795617002", "2026-11-25T14:40:00.000Z", "eggs"))
        .put(failed("Tea", "1795617003", "2026-11-25T14:35:26.500Z", "atSince"))
        .put(failed("Toast", "1795617004", "2026-11-25T14:35:26.501Z", "sameSecondLater"))
        .put(
            Items.n(
                failed("Jam", "1795617005", "2026-11-25T14:36:00.000Z", "expired"),
                "ExpiresAt",
                "1795618800"))
        .put(item("Milk", "1795617006", "DONE", "2026-11-25T14:37:00.000Z", "done"));

    List<TaskRecord> failures = client.failedSince(Instant.parse("2026-11-25T14:35:26.500Z"));

    assertThat(failures)
        .extracting(TaskRecord::executionArn)
        .containsExactly(
            Items.ARN_PREFIX + "atSince",
            Items.ARN_PREFIX + "sameSecondLater",
            Items.ARN_PREFIX + "eggs");
    assertThat(failures)
        .allSatisfy(
            record -> {
              assertThat(record.status()).isEqualTo(TaskStatus.FAILED);
              assertThat(record.error()).contains("States.TaskFailed");
            });
    assertThat(aws.requests("Query")).hasSizeGreaterThan(1);
  }

  @Test
  void failuresWithMillisecondsInTheSecondOfAWholeSecondSinceAreIncluded() {
    // As strings, "2026-11-25T14:35:26.123Z" < "2026-11-25T14:35:26Z" ('.' < 'Z').
    aws.dynamoDb().put(failed("Toast", "1795617001", "2026-11-25T14:35:26.123Z", "inSecond"));

    assertThat(client.failedSince(Instant.parse("2026-11-25T14:35:26Z")))
        .extracting(TaskRecord::executionArn)
        .containsExactly(Items.ARN_PREFIX + "inSecond");
  }

  @Test
  void failedSinceWithoutTheIndexSaysHowToEnableIt() {
    try (TaskStatusClient noIndex = aws.client().build()) {
      assertThatThrownBy(() -> noIndex.failedSince(Instant.EPOCH))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "failedSince needs the failed-task index: enable failedTaskIndex on the"
                  + " TaskStatusWorkflow, then set failedTaskIndex(\"FailedTasks\") on the client's"
                  + " builder, or pass the construct's clientEnvironment(), which sets"
                  + " TASK_STATUS_FAILED_INDEX");
    }
    assertThat(aws.requests()).isEmpty();
  }

  @Test
  void failedSinceBeforeTheEpochQueriesFromTheEpoch() {
    aws.dynamoDb().put(failed("Toast", "1795617001", "2026-11-25T14:35:26.123Z", "any"));

    assertThat(client.failedSince(Instant.MIN)).hasSize(1);
    assertThat(
            aws.requests("Query")
                .get(0)
                .json()
                .get("ExpressionAttributeValues")
                .get(":since")
                .get("S")
                .asText())
        .isEqualTo("1970-01-01T00:00:00");
  }
}
