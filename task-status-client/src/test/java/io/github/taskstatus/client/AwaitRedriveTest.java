package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code await} of what {@code redrive} returned: the same item, final only once the redriven
 * attempt (or a later one) has written it, whether it shows {@code STARTED} first or not.
 */
class AwaitRedriveTest extends ClientTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final String NAME = "Breakfast-3c33";
  private static final String ARN = Items.ARN_PREFIX + NAME;
  private static final String AT = "taskId = :taskId AND #timestamp = :at";

  @Override
  void prepare(FakeAws fakes) {
    fakes
        .stepFunctions()
        .now(NOW)
        .execution(ARN, "TIMED_OUT", Instant.parse("2026-11-25T14:50:01Z"));
  }

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** The item as attempt {@code attempt} leaves it. */
  private static ObjectNode written(String status, String updatedAt, int attempt) {
    ObjectNode item =
        Items.attempt(item("Breakfast", "1795617300.5", status, updatedAt, NAME), attempt);
    if (!status.equals("STARTED")) {
      // What the first attempt failed with: RecordFailed wrote it, RecordDone keeps it.
      Items.s(item, "Error", "States.Timeout");
      Items.s(item, "Cause", "The execution timed out");
    }
    return item;
  }

  /** The first attempt's end: the reconciler recorded the timeout. */
  private void failedOnce() {
    aws.dynamoDb().put(written("FAILED", "2026-11-25T14:50:01.300Z", 0));
  }

  /** Each write lands just before the await's read with that number (from 1). */
  private void writesBeforeAwaitRead(Map<Integer, ObjectNode> writes) {
    int before = aws.requests("Query").size();
    aws.dynamoDb()
        .onQuery(
            count -> {
              ObjectNode write = writes.get(count - before);
              if (write != null) {
                aws.dynamoDb().put(write);
              }
            });
  }

  private List<JsonNode> awaitQueries(int before) {
    List<FakeAws.Request> queries = aws.requests("Query");
    return queries.subList(before, queries.size()).stream().map(FakeAws.Request::json).toList();
  }

  @Test
  void aRedriveThatFinishesTheItemAtOnceIsAwaitedPastTheEarlierFailure() {
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");
    final int before = aws.requests("Query").size();
    // The redrive resumed past RecordStarted: the item goes from FAILED (0) to DONE (1) directly.
    writesBeforeAwaitRead(Map.of(3, written("DONE", "2026-11-26T10:00:02.000Z", 1)));

    TaskRecord done = client.await(redrive, Duration.ofSeconds(5));

    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(done.redriveCount()).isEqualTo(1);
    assertThat(done.error()).contains("States.Timeout");
    List<JsonNode> queries = awaitQueries(before);
    assertThat(queries).hasSize(3);
    assertThat(queries)
        .allSatisfy(
            q -> {
              assertThat(q.get("KeyConditionExpression").asText()).isEqualTo(AT);
              assertThat(q.get("ExpressionAttributeValues").get(":at").get("N").asText())
                  .isEqualTo("1795617300.5");
              assertThat(q.get("ConsistentRead").asBoolean()).isTrue();
            });
  }

  @Test
  void aRedriveThatReopensTheItemFirstIsAwaitedUntilItsOwnEnd() {
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");
    final int before = aws.requests("Query").size();
    // The reconciler saw PENDING_REDRIVE and reopened the item; the attempt failed again at once.
    writesBeforeAwaitRead(
        Map.of(
            2, written("STARTED", "2026-11-26T10:00:00.400Z", 1),
            4, written("FAILED", "2026-11-26T10:00:01.000Z", 1)));

    TaskRecord failed = client.await(redrive, Duration.ofSeconds(5));

    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.redriveCount()).isEqualTo(1);
    assertThat(failed.updatedAt()).isEqualTo(Instant.parse("2026-11-26T10:00:01Z"));
    assertThat(awaitQueries(before)).hasSize(4);
  }

  @Test
  void aLaterAttemptThanTheItemKnewIsTheAnswerToo() {
    // An earlier redrive (attempt 1) wrote nothing: its status events were lost.
    aws.stepFunctions().execution(ARN, "FAILED", Instant.parse("2026-11-26T09:00:00Z"), 1);
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");
    writesBeforeAwaitRead(Map.of(2, written("DONE", "2026-11-26T10:00:02.000Z", 2)));

    TaskRecord done = client.await(redrive, Duration.ofSeconds(5));

    assertThat(redrive.redriveCount()).isEqualTo(1);
    assertThat(aws.stepFunctions().redriveCount(ARN)).isEqualTo(2);
    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(done.redriveCount()).isEqualTo(2);
  }

  @Test
  void awaitByTaskIdAfterARedriveStillSeesTheEarlierFailure() {
    failedOnce();
    client.redrive("Breakfast");

    TaskRecord latest = client.await("Breakfast", Duration.ZERO);

    assertThat(latest.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(latest.redriveCount()).isZero();
  }

  @Test
  void aRedriveNotWrittenYetTimesOutNamingTheEarlierAttemptsStatus() {
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");

    assertThatThrownBy(() -> client.await(redrive, Duration.ofMillis(50)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class,
            e -> {
              assertThat(e.lastRecord()).map(TaskRecord::status).contains(TaskStatus.FAILED);
              assertThat(e.lastRecord()).map(TaskRecord::redriveCount).contains(0);
            })
        .hasMessage(
            "task 'Breakfast' (execution "
                + ARN
                + ", redriven as attempt 1 or later) did not finish within PT0.05S: its item"
                + " (timestamp 1795617300.5) is still FAILED from attempt 0: the redriven attempt"
                + " has not written it yet");
  }

  @Test
  void aReopenedItemTimesOutAsStillStarted() {
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");
    aws.dynamoDb().put(written("STARTED", "2026-11-26T10:00:00.400Z", 1));

    assertThatThrownBy(() -> client.await(redrive, Duration.ofMillis(30)))
        .isInstanceOf(TaskAwaitTimeoutException.class)
        .hasMessage(
            "task 'Breakfast' (execution "
                + ARN
                + ", redriven as attempt 1 or later) did not finish within PT0.03S: its item"
                + " (timestamp 1795617300.5) is still STARTED");
  }

  @Test
  void aRedrivenItemThatExpiredTimesOutSayingSo() {
    failedOnce();
    TaskStart redrive = client.redrive("Breakfast");
    aws.dynamoDb()
        .put(Items.n(written("FAILED", "2026-11-25T14:50:01.300Z", 0), "ExpiresAt", "1795687200"));

    assertThatThrownBy(() -> client.await(redrive, Duration.ZERO))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class, e -> assertThat(e.lastRecord()).isEmpty())
        .hasMessage(
            "task 'Breakfast' (execution "
                + ARN
                + ", redriven as attempt 1 or later) did not finish within PT0S: its item is not"
                + " there any more (has it expired?)");
  }
}
