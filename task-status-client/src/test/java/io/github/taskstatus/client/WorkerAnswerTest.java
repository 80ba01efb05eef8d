package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskstatus.client.TaskWorkEndedException.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code succeed} and {@code fail}: the answer, then the message deleted; a task that ended is
 * reported and its message deleted all the same, so a dead worker's task is not handed out twice.
 */
class WorkerAnswerTest extends WorkerTest {
  private static final String NAME = "Breakfast-3c33";

  private List<String> callsAfter(int before) {
    List<String> all = calls();
    return all.subList(before, all.size());
  }

  @Test
  void succeedAnswersWithAnEmptyObjectThenDeletesTheMessage() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    worker.succeed(work);

    assertThat(callsAfter(before)).containsExactly("SendTaskSuccess", "DeleteMessage");
    assertThat(aws.stepFunctions().answers())
        .containsExactly(
            new FakeStepFunctions.Answer("SendTaskSuccess", work.taskToken(), "{}", null, null));
    assertThat(aws.requests("DeleteMessage").get(0).json().get("ReceiptHandle").asText())
        .isEqualTo(work.receiptHandle());
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
  }

  @Test
  void succeedSendsTheOutputAsGiven() {
    TaskWork work = received(NAME, 0);
    String output = "{\"eggs\": 2, \"style\": \"scrambled\"}";

    worker.succeed(work, output);

    assertThat(aws.stepFunctions().answers())
        .singleElement()
        .satisfies(answer -> assertThat(answer.output()).isEqualTo(output));
  }

  @Test
  void anOutputThatIsNotJsonOrTooLargeIsRefusedBeforeAnyCall() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    assertThatThrownBy(() -> worker.succeed(work, "{\"eggs\": 2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "outputJson is not JSON: it ends before the JSON is complete (line 1, column 11)");
    assertThatThrownBy(() -> worker.succeed(work, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("outputJson is not JSON: ");
    assertThatThrownBy(() -> worker.succeed(work, "{} {}"))
        .hasMessageStartingWith("outputJson is not JSON: there is more after the JSON value");
    String big = "\"" + "é".repeat(131_072) + "\"";
    assertThatThrownBy(() -> worker.succeed(work, big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outputJson is 262146 bytes in UTF-8; the maximum is 262144");
    assertThat(calls()).hasSize(before);

    worker.succeed(work, "\"" + "é".repeat(131_071) + "\"");
    assertThat(aws.stepFunctions().answers()).hasSize(1);
  }

  @Test
  void failAnswersWithTheErrorAndCauseThenDeletesTheMessage() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    worker.fail(work, "Oven.Cold", "the oven never heated");
    TaskWork other = received("Breakfast-other", 0);
    worker.fail(other, "Oven.Cold", null);

    assertThat(callsAfter(before)).startsWith("SendTaskFailure", "DeleteMessage");
    assertThat(aws.stepFunctions().answers())
        .containsExactly(
            new FakeStepFunctions.Answer(
                "SendTaskFailure", work.taskToken(), null, "Oven.Cold", "the oven never heated"),
            new FakeStepFunctions.Answer(
                "SendTaskFailure", other.taskToken(), null, "Oven.Cold", null));
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
  }

  @Test
  void theErrorAndCauseAreCheckedBeforeAnyCall() {
    TaskWork work = received(NAME, 0);
    int before = calls().size();

    assertThatThrownBy(() -> worker.fail(work, " ", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("error must not be blank");
    assertThatThrownBy(() -> worker.fail(work, null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("error must not be null");
    assertThatThrownBy(() -> worker.fail(work, "E".repeat(257), null))
        .hasMessage("error is 257 characters; the maximum is 256");
    assertThatThrownBy(() -> worker.fail(work, "E", "c".repeat(32769)))
        .hasMessage("cause is 32769 characters; the maximum is 32768");
    assertThat(calls()).hasSize(before);

    worker.fail(work, "E".repeat(256), "c".repeat(32768));
    assertThat(aws.stepFunctions().answers()).hasSize(1);
  }

  @Test
  void anAnswerToATaskThatEndedIsReportedAndTheMessageDeletedAllTheSame() {
    TaskWork work = received(NAME, 0);
    worker.succeed(work);
    TaskWork again = received("Breakfast-again", 0);
    aws.stepFunctions().timeOut(again.taskToken());

    assertThatThrownBy(() -> worker.fail(again, "Oven.Cold", null))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENDED))
        .hasMessageContaining("Step Functions answered SendTaskFailure with TaskTimedOut");
    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
    assertThat(aws.requests("DeleteMessage")).hasSize(2);
  }

  @Test
  void whenAWorkerDiesTheNextOneToReceiveItsTaskEndsItAndDeletesTheMessage() {
    String token = offer(NAME, TIMESTAMP, 0, 60);
    TaskWork first = worker.receive(1, Duration.ZERO).get(0);
    worker.progress(first, 10, "started");
    // The first worker dies. After the heartbeat timeout Step Functions fails the task
    // (States.HeartbeatTimeout) and the message is visible again.
    aws.stepFunctions().timeOut(token);
    aws.sqs().advance(Duration.ofSeconds(59));
    assertThat(worker.receive(1, Duration.ZERO)).isEmpty();
    aws.sqs().advance(Duration.ofSeconds(1));

    TaskWork second = worker.receive(1, Duration.ZERO).get(0);
    assertThat(second.messageId()).isEqualTo(first.messageId());
    assertThat(second.receiptHandle()).isNotEqualTo(first.receiptHandle());
    assertThatThrownBy(() -> worker.progress(second, 0, "picking up"))
        .isInstanceOfSatisfying(
            TaskWorkEndedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENDED));

    assertThat(aws.sqs().bodies(FakeAws.WORKER_QUEUE_URL)).isEmpty();
    aws.sqs().advance(Duration.ofHours(1));
    assertThat(worker.receive(10, Duration.ZERO)).isEmpty();
  }

  @Test
  void aWorkerThatBeatsKeepsItsMessageHidden() {
    offer(NAME, TIMESTAMP, 0, 60);
    TaskWork work = worker.receive(1, Duration.ZERO).get(0);

    for (int beat = 0; beat < 5; beat++) {
      aws.sqs().advance(Duration.ofSeconds(50));
      worker.progress(work, beat * 10, null);
      assertThat(worker.receive(1, Duration.ZERO)).isEmpty();
    }
    worker.succeed(work);

    aws.sqs().advance(Duration.ofHours(1));
    assertThat(worker.receive(1, Duration.ZERO)).isEmpty();
  }
}
