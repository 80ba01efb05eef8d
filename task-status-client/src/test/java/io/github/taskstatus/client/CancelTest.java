package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.taskstatus.client.TaskNotCancellableException.Reason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

/**
 * {@code cancel}: the start's execution stopped with the cancellation's error and reason, then the
 * reconciler started with the cancellation event; refused, without a call, when the item says it
 * cannot be.
 */
class CancelTest extends ClientTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final String NAME = "Breakfast-3c33";
  private static final String ARN = Items.ARN_PREFIX + NAME;

  @Override
  void prepare(FakeAws fakes) {
    fakes.stepFunctions().now(NOW).execution(ARN, "RUNNING", null).stateMachine(FakeAws.RECONCILER);
    fakes.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":1795617300.5,\"executionArn\":\""
                    + ARN
                    + "\",\"duplicate\":false}"));
  }

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder
        .reconcilerStateMachine(FakeAws.RECONCILER)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ObjectNode running() {
    return Items.attempt(
        item("Breakfast", "1795617300.5", "STARTED", "2026-11-26T09:59:00.000Z", NAME), 0);
  }

  /** The Step Functions operations called, in order. */
  private List<String> stepFunctionsCalls() {
    return aws.requests().stream()
        .filter(
            r ->
                r.header("X-Amz-Target") != null
                    && r.header("X-Amz-Target").startsWith("AWSStepFunctions."))
        .map(FakeAws.Request::operation)
        .toList();
  }

  @Test
  void theLatestStartsExecutionIsStoppedAndTheReconcilerStartedWithTheCancellation() {
    aws.dynamoDb()
        .put(Items.failed("Breakfast", "1795617000", "2026-11-26T09:50:00.000Z", "first"))
        .put(running());

    client.cancel("Breakfast", "no eggs today");

    assertThat(aws.stepFunctions().stops())
        .containsExactly(new FakeStepFunctions.Stop(ARN, "TaskStatus.Cancelled", "no eggs today"));
    assertThat(aws.stepFunctions().status(ARN)).isEqualTo("ABORTED");
    assertThat(aws.stepFunctions().starts())
        .containsExactly(
            new FakeStepFunctions.Start(
                FakeAws.RECONCILER,
                "{\"source\":\"task-status-workflow.cancel\",\"detail\":{\"executionArn\":\""
                    + ARN
                    + "\",\"status\":\"ABORTED\"}}"));
    assertThat(stepFunctionsCalls()).containsExactly("StopExecution", "StartExecution");
    assertThat(aws.requests("StopExecution").get(0).header("Authorization"))
        .contains("/us-east-1/states/aws4_request");
  }

  @Test
  void withoutTheReconcilersArnTheExecutionIsOnlyStopped() {
    aws.dynamoDb().put(running());
    try (TaskStatusClient stopOnly = aws.client().build()) {
      stopOnly.cancel("Breakfast", "no eggs today");
    }

    assertThat(aws.stepFunctions().stops()).hasSize(1);
    assertThat(stepFunctionsCalls()).containsExactly("StopExecution");
    assertThat(aws.stepFunctions().starts()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"DONE", "FAILED", "CANCELLED"})
  void aStartThatIsFinalIsNotCancelled(String status) {
    aws.dynamoDb()
        .put(
            Items.attempt(
                item("Breakfast", "1795617300.5", status, "2026-11-26T09:59:30.000Z", NAME), 0));

    assertThatThrownBy(() -> client.cancel("Breakfast", "no eggs today"))
        .isInstanceOfSatisfying(
            TaskNotCancellableException.class,
            e -> {
              assertThat(e.taskId()).isEqualTo("Breakfast");
              assertThat(e.reason()).isEqualTo(Reason.FINISHED);
              assertThat(e.latestRecord())
                  .map(TaskRecord::status)
                  .contains(TaskStatus.valueOf(status));
            })
        .hasMessage(
            "task 'Breakfast' cannot be cancelled: its latest start (timestamp 1795617300.5) is"
                + " already "
                + status);
    assertThat(stepFunctionsCalls()).isEmpty();
  }

  @Test
  void aTaskWithoutItemsIsNotCancelled() {
    assertThatThrownBy(() -> client.cancel("Breakfast", "no eggs today"))
        .isInstanceOfSatisfying(
            TaskNotCancellableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.NO_ITEM);
              assertThat(e.latestRecord()).isEmpty();
            })
        .hasMessage(
            "task 'Breakfast' cannot be cancelled: it has no item (never started, or its items"
                + " expired)");
    assertThat(stepFunctionsCalls()).isEmpty();
  }

  @Test
  void anExpressExecutionIsNotCancelled() {
    String express =
        "arn:aws:states:us-east-1:123456789012:express:TasksStateMachine:Breakfast-3c33:5f1c-77";
    aws.dynamoDb().put(Items.s(running(), "ExecutionArn", express));

    assertThatThrownBy(() -> client.cancel("Breakfast", "no eggs today"))
        .isInstanceOfSatisfying(
            TaskNotCancellableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.EXPRESS))
        .hasMessage(
            "task 'Breakfast' cannot be cancelled: its latest start (timestamp 1795617300.5) runs"
                + " as the Express execution "
                + express
                + ", and Step Functions stops Standard executions only");
    assertThat(stepFunctionsCalls()).isEmpty();
  }

  @Test
  void aStartIsCancelledEvenWhenALaterStartOfTheTaskIsRunning() {
    String later = Items.ARN_PREFIX + "later";
    aws.stepFunctions().execution(later, "RUNNING", null);
    TaskStart start = client.start("Breakfast");
    aws.dynamoDb()
        .put(running())
        .put(item("Breakfast", "1795617400", "STARTED", "2026-11-26T10:00:00.000Z", "later"));

    client.cancel(start, "changed my mind");

    assertThat(aws.stepFunctions().stops())
        .containsExactly(
            new FakeStepFunctions.Stop(ARN, "TaskStatus.Cancelled", "changed my mind"));
    assertThat(aws.stepFunctions().status(later)).isEqualTo("RUNNING");
  }

  @Test
  void aStartWhoseItemIsNotWrittenYetIsNotCancelled() {
    TaskStart start = client.start("Breakfast");

    assertThatThrownBy(() -> client.cancel(start, "changed my mind"))
        .isInstanceOfSatisfying(
            TaskNotCancellableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NO_ITEM))
        .hasMessage(
            "task 'Breakfast' cannot be cancelled: the item of its start (execution "
                + ARN
                + ") has not been written yet, or has expired; cancel it once it is STARTED");
    assertThat(stepFunctionsCalls()).isEmpty();
  }

  @Test
  void aRedrivenAttemptIsCancelledWhileTheItemStillShowsTheEarlierFailure() {
    aws.stepFunctions().execution(ARN, "FAILED", NOW.minusSeconds(60));
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.failed("Breakfast", "1795617300.5", "2026-11-26T09:59:00.000Z", NAME), 0));
    TaskStart redrive = client.redrive("Breakfast");

    client.cancel(redrive, "enough");

    assertThat(aws.stepFunctions().stops())
        .containsExactly(new FakeStepFunctions.Stop(ARN, "TaskStatus.Cancelled", "enough"));
  }

  @Test
  void aRedrivenAttemptThatEndedIsNotCancelled() {
    aws.stepFunctions().execution(ARN, "FAILED", NOW.minusSeconds(60));
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.failed("Breakfast", "1795617300.5", "2026-11-26T09:59:00.000Z", NAME), 0));
    TaskStart redrive = client.redrive("Breakfast");
    aws.dynamoDb()
        .put(
            Items.attempt(
                Items.failed("Breakfast", "1795617300.5", "2026-11-26T10:00:01.000Z", NAME), 1));

    assertThatThrownBy(() -> client.cancel(redrive, "enough"))
        .isInstanceOfSatisfying(
            TaskNotCancellableException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FINISHED))
        .hasMessage(
            "task 'Breakfast' cannot be cancelled: its start (timestamp 1795617300.5, execution "
                + ARN
                + ") is already FAILED");
    assertThat(aws.stepFunctions().stops()).isEmpty();
  }

  @Test
  void anExecutionStepFunctionsDoesNotKnowFailsWithTheSdkException() {
    aws.dynamoDb().put(Items.s(running(), "ExecutionArn", Items.ARN_PREFIX + "gone"));

    assertThatThrownBy(() -> client.cancel("Breakfast", "no eggs today"))
        .isInstanceOf(ExecutionDoesNotExistException.class)
        .hasMessageStartingWith("Execution Does Not Exist: '" + Items.ARN_PREFIX + "gone'");
    assertThat(aws.stepFunctions().starts()).isEmpty();
  }

  @Test
  void aReconcilerThatCannotBeStartedFailsAfterTheStopAndCancellingAgainIsSafe() {
    aws.dynamoDb().put(running());
    try (TaskStatusClient wrongReconciler =
        aws.client().reconcilerStateMachine(FakeAws.RECONCILER + "-old").build()) {
      assertThatThrownBy(() -> wrongReconciler.cancel("Breakfast", "no eggs today"))
          .isInstanceOf(StateMachineDoesNotExistException.class);
      assertThat(aws.stepFunctions().status(ARN)).isEqualTo("ABORTED");

      client.cancel("Breakfast", "no eggs today");
    }

    assertThat(aws.stepFunctions().stops()).hasSize(1);
    assertThat(aws.stepFunctions().starts()).hasSize(1);
  }

  @Test
  void theReasonIsCheckedBeforeAnyCall() {
    assertThatThrownBy(() -> client.cancel("Breakfast", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("reason must not be null");
    assertThatThrownBy(() -> client.cancel("Breakfast", " \t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reason must not be blank");
    assertThatThrownBy(() -> client.cancel("Breakfast", "x".repeat(32769)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "reason is 32769 characters; the maximum is 32768, Step Functions' limit on a cause");
    assertThatThrownBy(() -> client.cancel((TaskStart) null, "why"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("start must not be null");
    assertThat(aws.requests()).isEmpty();
  }

  @Test
  void aReasonOfExactlyTheLimitIsSentWhole() {
    aws.dynamoDb().put(running());
    String reason = "x".repeat(32768);

    client.cancel("Breakfast", reason);

    assertThat(aws.stepFunctions().stops())
        .singleElement()
        .satisfies(stop -> assertThat(stop.cause()).isEqualTo(reason));
  }

  @Test
  void aReconcilerWithoutATableIsRefusedWhenBuilt() {
    assertThatThrownBy(
            () ->
                TaskStatusClient.builder()
                    .starterFunction(FakeAws.STARTER)
                    .reconcilerStateMachine(FakeAws.RECONCILER)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "reconcilerStateMachine ("
                + FakeAws.RECONCILER
                + ") needs tableName: cancel reads the task's item before it stops its execution");
  }
}
