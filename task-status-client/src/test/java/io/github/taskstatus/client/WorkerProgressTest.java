package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.taskstatus.client.TaskWorkEndedException.Reason;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * {@code progress}: a heartbeat, the message hidden for another heartbeat timeout, then the
 * percentage on the item only if it is still this attempt's, {@code STARTED}, and lower; why not,
 * from a consistent read of the item, when it is not.
 */
class WorkerProgressTest extends WorkerTest {
  private static final String NAME = "Breakfast-3c33";

  private ObjectNode stored() {
    return aws.dynamoDb().item("Breakfast", TIMESTAMP).orElseThrow();
  }

  private List<String> callsAfter(int before) {
    List<String> all = calls();
    return all.subList(before, all.size());
  }

  @Test
  void progressBeatsHidesTheMessageAndRecordsThePercentageMessageAndTime() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    assertThat(worker.progress(work, 40, "whisking the eggs")).isTrue();

    assertThat(callsAfter(before))
        .containsExactly("SendTaskHeartbeat", "ChangeMessageVisibility", "UpdateItem");
    assertThat(aws.stepFunctions().heartbeats(work.taskToken())).isEqualTo(1);
    assertThat(aws.sqs().visibilityChanges())
        .containsExactly(new FakeSqs.VisibilityChange(work.messageId(), 60));
    assertThat(stored().get("Progress").toString()).isEqualTo("{\"N\":\"40\"}");
    assertThat(stored().get("ProgressMessage").toString())
        .isEqualTo("{\"S\":\"whisking the eggs\"}");
    assertThat(stored().get("ProgressAt").toString())
        .isEqualTo("{\"S\":\"2026-11-26T10:00:00.123Z\"}");
    assertThat(client.latest("Breakfast").orElseThrow().progress())
        .contains(
            new TaskProgress(
                40, Optional.of("whisking the eggs"), Instant.parse("2026-11-26T10:00:00.123Z")));
  }

  @Test
  void theUpdateIsTheContractsConditionalUpdateOnTheItemsKey() throws Exception {
    TaskWork work = received(NAME, 0);

    worker.progress(work, 40, "whisking");
    worker.progress(work, 50, null);

    List<JsonNode> updates =
        aws.requests("UpdateItem").stream().map(FakeAws.Request::json).toList();
    assertThat(updates).hasSize(2);
    JsonNode first = updates.get(0);
    assertThat(first.get("TableName").asText()).isEqualTo(FakeAws.TABLE);
    assertThat(first.get("Key"))
        .isEqualTo(
            FakeAws.JSON.readTree(
                "{\"taskId\":{\"S\":\"Breakfast\"},\"timestamp\":{\"N\":\"1795617300.12345\"}}"));
    assertThat(first.get("UpdateExpression").asText())
        .isEqualTo("SET Progress = :p, ProgressAt = :at, ProgressMessage = :m");
    assertThat(first.get("ConditionExpression").asText())
        .isEqualTo(
            "ExecutionArn = :arn AND #Status = :started AND RedriveCount = :attempt AND"
                + " (attribute_not_exists(Progress) OR Progress < :p)");
    assertThat(first.get("ExpressionAttributeNames").toString())
        .isEqualTo("{\"#Status\":\"Status\"}");
    JsonNode values = first.get("ExpressionAttributeValues");
    assertThat(values.get(":p").toString()).isEqualTo("{\"N\":\"40\"}");
    assertThat(values.get(":arn").toString()).isEqualTo("{\"S\":\"" + arn(NAME) + "\"}");
    assertThat(values.get(":started").toString()).isEqualTo("{\"S\":\"STARTED\"}");
    assertThat(values.get(":attempt").toString()).isEqualTo("{\"N\":\"0\"}");
    assertThat(values.get(":m").toString()).isEqualTo("{\"S\":\"whisking\"}");
    assertThat(updates.get(1).get("UpdateExpression").asText())
        .isEqualTo("SET Progress = :p, ProgressAt = :at REMOVE ProgressMessage");
    assertThat(updates.get(1).get("ExpressionAttributeValues").has(":m")).isFalse();
    assertThat(stored().has("ProgressMessage")).isFalse();
    assertThat(stored().get("Progress").toString()).isEqualTo("{\"N\":\"50\"}");
  }

  @Test
  void progressNeverGoesBackOrRepeatsButStillBeats() {
    TaskWork work = received(NAME, 0);
    worker.progress(work, 40, "whisking");

    assertThat(worker.progress(work, 40, "still whisking")).isFalse();
    assertThat(worker.progress(work, 9, "oops")).isFalse();
    assertThat(worker.progress(work, 41, null)).isTrue();

    assertThat(stored().get("Progress").toString()).isEqualTo("{\"N\":\"41\"}");
    assertThat(aws.stepFunctions().heartbeats(work.taskToken())).isEqualTo(4);
    assertThat(aws.sqs().visibilityChanges()).hasSize(4);
    assertThat(aws.requests("GetItem"))
        .hasSize(2)
        .allSatisfy(get -> assertThat(get.json().get("ConsistentRead").asBoolean()).isTrue());
  }

  @Test
  void aHundredAfterNinetyIsRecordedNumericallyNotAsText() {
    TaskWork work = received(NAME, 0);
    worker.progress(work, 90, null);

    assertThat(worker.progress(work, 100, "done")).isTrue();
  }

  @Test
  void aRedrivenAttemptBeforeTheItemIsReopenedRecordsNothingYet() {
    TaskWork work = received(NAME, 1);
    // The redriven attempt (1) runs, but the item still shows attempt 0's failure.
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.failed("Breakfast", TIMESTAMP, "2026-11-26T09:59:00.000Z", NAME), 0));

    assertThat(worker.progress(work, 10, "again")).isFalse();

    assertThat(stored().has("Progress")).isFalse();
    aws.dynamoDb().put(started(NAME, 1));
    assertThat(worker.progress(work, 10, "again")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"DONE", "FAILED", "CANCELLED"})
  void aFinalItemEndsTheWorkButLeavesTheTaskAndItsMessage(String status) {
    TaskWork work = received(NAME, 0);
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.item("Breakfast", TIMESTAMP, status, "2026-11-26T10:00:00.000Z", NAME), 0));

    assertThatThrownBy(() -> worker.progress(work, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FINISHED);
              assertThat(e.work()).isEqualTo(work);
              assertThat(e.record()).map(TaskRecord::status).contains(TaskStatus.valueOf(status));
              assertThat(e.getCause()).isInstanceOf(ConditionalCheckFailedException.class);
            })
        .hasMessage(
            "the work on task 'Breakfast' (execution "
                + arn(NAME)
                + ", attempt 0, message "
                + work.messageId()
                + ") is no longer wanted: its item (timestamp 1795617300.12345) is already "
                + status
                + "; Step Functions still waits for the task: answer it with fail, or let it time"
                + " out");
    assertThat(aws.stepFunctions().waiting(work.taskToken())).isTrue();
    assertThat(aws.requests("DeleteMessage")).isEmpty();
  }

  @Test
  void anItemOfAnotherExecutionEndsTheWork() {
    TaskWork work = received(NAME, 0);
    aws.dynamoDb().put(started("Breakfast-other", 0));

    assertThatThrownBy(() -> worker.progress(work, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FINISHED))
        .hasMessageContaining(
            "its item (timestamp 1795617300.12345) is owned by another execution, "
                + arn("Breakfast-other"));
  }

  @Test
  void anItemOfALaterAttemptEndsTheWork() {
    TaskWork work = received(NAME, 0);
    aws.dynamoDb().put(started(NAME, 1));

    assertThatThrownBy(() -> worker.progress(work, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FINISHED))
        .hasMessageContaining(
            "its item (timestamp 1795617300.12345) was written by a later attempt, 1");
  }

  @Test
  void aMissingItemEndsTheWork() {
    TaskWork work = received(NAME, 0);
    TaskWork elsewhere =
        new TaskWork(
            work.taskId(),
            work.timestamp().add(BigDecimal.ONE),
            work.executionArn(),
            0,
            work.heartbeat(),
            work.taskToken(),
            work.receiptHandle(),
            work.messageId());

    assertThatThrownBy(() -> worker.progress(elsewhere, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FINISHED);
              assertThat(e.record()).isEmpty();
            })
        .hasMessageContaining("is no longer wanted: has no item (timestamp 1795617301.12345)");
    assertThat(aws.dynamoDb().item("Breakfast", "1795617301.12345")).isEmpty();
  }

  @Test
  void aTimedOutTaskEndsTheWorkAndDeletesItsMessageBeforeAnyWrite() {
    TaskWork work = received(NAME, 0);
    aws.stepFunctions().timeOut(work.taskToken());

    assertThatThrownBy(() -> worker.progress(work, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.ENDED);
              assertThat(e.getCause()).isInstanceOf(TaskTimedOutException.class);
              assertThat(e.record()).isEmpty();
            })
        .hasMessage(
            "task 'Breakfast' (execution "
                + arn(NAME)
                + ", attempt 0, message "
                + work.messageId()
                + ") has ended: Step Functions answered SendTaskHeartbeat with TaskTimedOut, so the"
                + " task was cancelled (its execution stopped), timed out or answered already;"
                + " Step Functions does not tell which; its message was deleted");
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
    assertThat(aws.requests("UpdateItem")).isEmpty();
    assertThat(aws.requests("ChangeMessageVisibility")).isEmpty();
  }

  @Test
  void aCancelledTaskEndsItsWorkersWork() {
    TaskWork work = received(NAME, 0);

    client.cancel("Breakfast", "no eggs today");

    assertThatThrownBy(() -> worker.progress(work, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENDED));
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
  }

  @Test
  void anUnknownTokenEndsTheWorkAndDeletesItsMessage() {
    aws.dynamoDb().put(started(NAME, 0));
    aws.sqs().send(FakeAws.WORKER_QUEUE_URL, body("Breakfast", TIMESTAMP, NAME, 0, 60, token()));
    aws.sqs()
        .send(FakeAws.WORKER_QUEUE_URL, body("Breakfast", TIMESTAMP, NAME, 0, 60, "not/a token"));
    List<TaskWork> received = worker.receive(2, Duration.ZERO);

    assertThatThrownBy(() -> worker.progress(received.get(0), 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TOKEN);
              assertThat(e.getCause()).isInstanceOf(TaskDoesNotExistException.class);
            })
        .hasMessageEndingWith(
            ") cannot be answered: Step Functions answered SendTaskHeartbeat with"
                + " TaskDoesNotExist, it does not know the task token; its message was deleted");
    assertThatThrownBy(() -> worker.progress(received.get(1), 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TOKEN);
              assertThat(e.getCause()).isInstanceOf(InvalidTokenException.class);
            })
        .hasMessageContaining("with InvalidToken");
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
  }

  @Test
  void aMessageThatCannotBeDeletedIsSaidSoAndItsFailureKept() {
    TaskWork work = received(NAME, 0);
    aws.stepFunctions().timeOut(work.taskToken());
    TaskWork unknownHandle =
        new TaskWork(
            work.taskId(),
            work.timestamp(),
            work.executionArn(),
            work.attempt(),
            work.heartbeat(),
            work.taskToken(),
            "never-issued",
            work.messageId());

    assertThatThrownBy(() -> worker.progress(unknownHandle, 10, null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.ENDED);
              assertThat(e.getSuppressed()).hasSize(1);
            })
        .hasMessageEndingWith("; deleting its message failed too (suppressed)");
  }

  @Test
  void thePercentageAndMessageAreCheckedBeforeAnyCall() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    assertThatThrownBy(() -> worker.progress(work, -1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percent must be from 0 to 100, got -1");
    assertThatThrownBy(() -> worker.progress(work, 101, null))
        .hasMessage("percent must be from 0 to 100, got 101");
    assertThatThrownBy(() -> worker.progress(work, 50, "m".repeat(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message is 1001 characters; the maximum is 1000");
    assertThatThrownBy(() -> worker.progress(null, 50, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("work must not be null");
    assertThat(calls()).hasSize(before);
    assertThat(worker.progress(work, 0, "m".repeat(1000))).isTrue();
  }
}
