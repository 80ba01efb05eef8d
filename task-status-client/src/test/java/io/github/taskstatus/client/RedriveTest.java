package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.failed;
import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.taskstatus.client.TaskNotRedrivableException.Reason;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionNotRedrivableException;

/** {@code redrive}: the latest start's execution, redriven when it can be, refused with why not. */
class RedriveTest extends ClientTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final Instant ENDED = Instant.parse("2026-11-25T14:35:01Z");
  private static final String ARN = Items.ARN_PREFIX + "second";

  @Override
  void prepare(FakeAws fakes) {
    fakes.stepFunctions().now(NOW).execution(ARN, "FAILED", ENDED);
  }

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ObjectNode latestFailed(String updatedAt) {
    return Items.attempt(failed("Breakfast", "1795617300", updatedAt, "second"), 0);
  }

  private List<FakeAws.Request> redrives() {
    return aws.requests("RedriveExecution");
  }

  @Test
  void theLatestStartsExecutionIsRedrivenAndTheStartNamesItsItemAndNextAttempt() {
    aws.dynamoDb()
        .put(failed("Breakfast", "1795617000", "2026-11-25T14:30:01.000Z", "first"))
        .put(latestFailed("2026-11-25T14:35:01.000Z"));

    TaskStart redrive = client.redrive("Breakfast");

    assertThat(redrive.taskId()).isEqualTo("Breakfast");
    assertThat(redrive.executionArn()).contains(ARN);
    assertThat(redrive.timestamp()).contains(new BigDecimal("1795617300"));
    assertThat(redrive.redriveCount()).isEqualTo(1);
    assertThat(redrive.duplicate()).isFalse();
    assertThat(redrive.messageId()).isEmpty();
    assertThat(redrive.requestedAt()).isEqualTo(NOW);
    assertThat(redrives())
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.header("X-Amz-Target"))
                  .isEqualTo("AWSStepFunctions.RedriveExecution");
              assertThat(request.header("Authorization"))
                  .contains("/us-east-1/states/aws4_request");
              JsonNode body = request.json();
              assertThat(body.size()).isEqualTo(2);
              assertThat(body.get("executionArn").asText()).isEqualTo(ARN);
              String token = body.get("clientToken").asText();
              assertThat(UUID.fromString(token).toString()).isEqualTo(token);
              assertThat(redrive.idempotencyKey()).isEqualTo(token);
            });
    assertThat(aws.stepFunctions().status(ARN)).isEqualTo("RUNNING");
    assertThat(aws.stepFunctions().redriveCount(ARN)).isEqualTo(1);
    assertThat(aws.requests("Invoke")).isEmpty();
    assertThat(aws.requests("SendMessage")).isEmpty();
  }

  @Test
  void theNextAttemptIsOneMoreThanTheItemsRedriveCount() {
    aws.stepFunctions().execution(ARN, "TIMED_OUT", ENDED, 2);
    aws.dynamoDb().put(Items.attempt(latestFailed("2026-11-25T14:35:01.000Z"), 2));

    assertThat(client.redrive("Breakfast").redriveCount()).isEqualTo(3);
    assertThat(aws.stepFunctions().redriveCount(ARN)).isEqualTo(3);
  }

  @Test
  void aTaskWithoutItemsIsNotRedriven() {
    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> {
              assertThat(e.taskId()).isEqualTo("Breakfast");
              assertThat(e.reason()).isEqualTo(Reason.NO_ITEM);
              assertThat(e.latestRecord()).isEmpty();
            })
        .hasMessage(
            "task 'Breakfast' cannot be redriven: it has no item (never started, or its items"
                + " expired); use start to start it");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void aDoneStartIsNotRedriven() {
    aws.dynamoDb()
        .put(failed("Breakfast", "1795617000", "2026-11-25T14:30:01.000Z", "first"))
        .put(item("Breakfast", "1795617300.25", "DONE", "2026-11-25T14:35:01.000Z", "second"));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.DONE);
              assertThat(e.latestRecord()).map(TaskRecord::executionArn).contains(ARN);
            })
        .hasMessage(
            "task 'Breakfast' cannot be redriven: its latest start (timestamp 1795617300.25) is"
                + " DONE; Step Functions redrives only executions that failed, timed out or were"
                + " aborted");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void aCancelledStartIsNotRedrivenButRetried() {
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.cancelled(
                    "Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "second", "no eggs"),
                0));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.CANCELLED);
              assertThat(e.latestRecord()).flatMap(TaskRecord::cause).contains("no eggs");
            })
        .hasMessage(
            "task 'Breakfast' cannot be redriven: its latest start (timestamp 1795617300) was"
                + " CANCELLED, and a cancelled start is not redriven; use retry to start the task"
                + " again");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void aStartStillRunningIsNotRedriven() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617300", "STARTED", "2026-11-25T14:35:00.100Z", "second"));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.RUNNING);
              assertThat(e.latestRecord()).map(TaskRecord::status).contains(TaskStatus.STARTED);
            })
        .hasMessage(
            "task 'Breakfast' cannot be redriven: its latest start (timestamp 1795617300) is"
                + " still STARTED: its execution is running, as far as the table knows");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void anExpressExecutionIsNotRedriven() {
    String express =
        "arn:aws:states:us-east-1:123456789012:express:TasksStateMachine:Breakfast-3c33:5f1c-77";
    aws.dynamoDb().put(Items.s(latestFailed("2026-11-25T14:35:01.000Z"), "ExecutionArn", express));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPRESS))
        .hasMessage(
            "task 'Breakfast' cannot be redriven: its latest start (timestamp 1795617300) ran as"
                + " the Express execution "
                + express
                + ", and Step Functions redrives Standard executions only; use retry to start the"
                + " task again");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void aStartThatEndedMoreThan14DaysAgoIsNotRedriven() {
    Instant ended = NOW.minus(Duration.ofDays(14)).minusMillis(1);
    aws.dynamoDb().put(latestFailed(ended.toString()));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_OLD))
        .hasMessage(
            "task 'Breakfast' cannot be redriven: its latest start (timestamp 1795617300) ended"
                + " at 2026-11-12T09:59:59.999Z, more than 14 days ago, and Step Functions"
                + " redrives an execution only within 14 days of its end; use retry to start the"
                + " task again");
    assertThat(redrives()).isEmpty();
  }

  @Test
  void aStartThatEndedExactly14DaysAgoIsLeftToStepFunctions() {
    Instant ended = NOW.minus(Duration.ofDays(14));
    aws.stepFunctions().execution(ARN, "ABORTED", ended);
    aws.dynamoDb().put(latestFailed(ended.toString()));

    assertThat(client.redrive("Breakfast").executionArn()).contains(ARN);
    assertThat(aws.stepFunctions().redriven()).containsExactly(ARN);
  }

  @Test
  void stepFunctionsRefusalIsARefusalWithItsOwnMessage() {
    // The reconciler recorded the failure a day late; the execution itself ended 15 days ago.
    aws.stepFunctions().execution(ARN, "ABORTED", NOW.minus(Duration.ofDays(15)));
    aws.dynamoDb().put(latestFailed(NOW.minus(Duration.ofDays(14)).toString()));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.NOT_REDRIVABLE);
              assertThat(e.latestRecord()).map(TaskRecord::status).contains(TaskStatus.FAILED);
              assertThat(e.getCause()).isInstanceOf(ExecutionNotRedrivableException.class);
            })
        .hasMessage(
            "task 'Breakfast' cannot be redriven: Step Functions refused to redrive the"
                + " execution "
                + ARN
                + " of its latest start (timestamp 1795617300): Execution redrivable period"
                + " exceeded.");
    assertThat(redrives()).hasSize(1);
  }

  @Test
  void aSecondRedriveBeforeTheItemChangesIsRefusedAsRunning() {
    aws.dynamoDb().put(latestFailed("2026-11-25T14:35:01.000Z"));
    client.redrive("Breakfast");

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOfSatisfying(
            TaskNotRedrivableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_REDRIVABLE))
        .hasMessageEndingWith(": Execution is RUNNING and cannot be redriven.");
    assertThat(aws.stepFunctions().redriven()).containsExactly(ARN);
  }

  @Test
  void anSdkRetryOfARedriveThatCommittedRedrivesOnce() {
    aws.stepFunctions().failAfterCommit(1);
    aws.dynamoDb().put(latestFailed("2026-11-25T14:35:01.000Z"));

    TaskStart redrive = client.redrive("Breakfast");

    assertThat(redrives())
        .hasSize(2)
        .allSatisfy(
            request ->
                assertThat(request.json().get("clientToken").asText())
                    .isEqualTo(redrive.idempotencyKey()));
    assertThat(aws.stepFunctions().redriven()).containsExactly(ARN);
    assertThat(aws.stepFunctions().redriveCount(ARN)).isEqualTo(1);
  }

  @Test
  void anExecutionStepFunctionsDoesNotKnowFailsWithTheSdkException() {
    aws.dynamoDb()
        .put(
            Items.attempt(
                failed("Breakfast", "1795617300", "2026-11-25T14:35:01.000Z", "gone"), 0));

    assertThatThrownBy(() -> client.redrive("Breakfast"))
        .isInstanceOf(ExecutionDoesNotExistException.class)
        .hasMessageStartingWith("Execution Does Not Exist: '" + Items.ARN_PREFIX + "gone'");
  }

  @Test
  void aClientWithoutAStarterRedrives() {
    aws.dynamoDb().put(latestFailed("2026-11-25T14:35:01.000Z"));
    try (TaskStatusClient readOnly =
        TaskStatusClient.builder()
            .tableName(FakeAws.TABLE)
            .dynamoDb(aws.dynamoDbClient())
            .stepFunctions(aws.sfnClient())
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build()) {
      assertThat(readOnly.redrive("Breakfast").executionArn()).contains(ARN);
    }
  }

  @Test
  void redriveWithoutATableIsRefusedBeforeAnyCall() {
    try (TaskStatusClient startOnly =
        TaskStatusClient.builder()
            .starterFunction(FakeAws.STARTER)
            .lambda(aws.lambdaClient())
            .stepFunctions(aws.sfnClient())
            .build()) {
      assertThatThrownBy(() -> startOnly.redrive("Breakfast"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "this client has no table to read: set tableName(...) on the builder, or"
                  + " TASK_STATUS_TABLE in the environment");
    }
    assertThat(aws.requests()).isEmpty();
  }
}
