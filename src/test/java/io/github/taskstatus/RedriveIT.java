package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * Redrive, as Step Functions documents it (RedriveExecution: the same execution ARN, from the step
 * that failed, with the same input; RedriveCount), against the workflow: whatever step the redrive
 * resumes at, the start's item ends as the redriven attempt ends, for that attempt, reopened
 * (STARTED) while it runs, with the earlier failure's error and cause kept when it succeeds, and no
 * late event of an earlier attempt can undo it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RedriveIT {
  private static final int TIMEOUT_MINUTES = 20;

  /** What a redrive adds to the item's expiry: the 14-day redrive window and a timeout. */
  private static final long REDRIVE_EXTENSION_SECONDS = 14L * 24 * 3600 + TIMEOUT_MINUTES * 60;

  private static LocalCloud cloud;

  /** Work that waits ("Cook"), and for a task id starting "Burn" then fails (a Fail state). */
  private static IChainable work(Stack stack) {
    Wait cook = Wait.Builder.create(stack, "Cook").time(WaitTime.duration(minutes(5))).build();
    return Choice.Builder.create(stack, "Burns")
        .build()
        .when(Condition.stringMatches("$.taskId", "Burn*"), cook.next(Synth.failingWork(stack)))
        .otherwise(
            Wait.Builder.create(stack, "Simmer").time(WaitTime.duration(minutes(5))).build());
  }

  private static software.amazon.awscdk.Duration minutes(int n) {
    return software.amazon.awscdk.Duration.minutes(n);
  }

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.start(
            Synth.workflowWith(
                stack ->
                    TaskStatusWorkflowProps.builder()
                        .work(work(stack))
                        .timeout(minutes(TIMEOUT_MINUTES))
                        .retention(software.amazon.awscdk.Duration.hours(1))
                        .sweeper(false)),
            "--wait-ms",
            "Cook=1500",
            "--wait-ms",
            "Simmer=1500");
  }

  @AfterAll
  static void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  /** Starts a task, stops its execution while it works, and waits for the item to be FAILED. */
  private static LocalCloud.Invocation aborted(String taskId) {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"" + taskId + "\"}");
    cloud.awaitItem(taskId, started.timestamp(), LocalCloud.status("STARTED"));
    cloud.stepFunctions.stopExecution(
        b -> b.executionArn(started.executionArn()).cause("stopped by the test"));
    Map<String, AttributeValue> failed =
        cloud.awaitItem(taskId, started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(failed.get("Error").s()).isEqualTo("States.Aborted");
    assertThat(failed.get("RedriveCount").n()).isEqualTo("0");
    // The starter's expiry: the latest the execution could end (its second and the timeout), then
    // the hour of retention.
    assertThat(Long.parseLong(failed.get("ExpiresAt").n()))
        .isEqualTo(second(started) + TIMEOUT_MINUTES * 60 + 3600);
    cloud.awaitQuiet();
    return started;
  }

  /** The whole second of the start's timestamp. */
  private static long second(LocalCloud.Invocation started) {
    return new java.math.BigDecimal(started.timestamp())
        .setScale(0, java.math.RoundingMode.FLOOR)
        .longValueExact();
  }

  private static void redrive(LocalCloud.Invocation started) {
    cloud.stepFunctions.redriveExecution(b -> b.executionArn(started.executionArn()));
  }

  private static Map<String, AttributeValue> finalFor(LocalCloud.Invocation started, int attempt) {
    return cloud.awaitItem(
        started.taskId(),
        started.timestamp(),
        item ->
            !item.get("Status").s().equals("STARTED")
                && item.get("RedriveCount").n().equals(String.valueOf(attempt)));
  }

  /** The item's history, one "attempt status [error]" per finished attempt, each with a time. */
  private static List<String> attempts(Map<String, AttributeValue> item) {
    return item.get("Attempts").l().stream()
        .map(AttributeValue::m)
        .map(
            entry -> {
              assertThat(Instant.parse(entry.get("At").s())).isBefore(Instant.now());
              return entry.get("Attempt").n()
                  + " "
                  + entry.get("Status").s()
                  + (entry.containsKey("Error") ? " " + entry.get("Error").s() : "");
            })
        .toList();
  }

  @Test
  void aRedrivenSuccessReopensTheItemThenEndsDoneKeepingTheFailureItRecoveredFrom() {
    LocalCloud.Invocation started = aborted("Soup");

    redrive(started);

    // The requested redrive's event reopens the item for the new attempt while it works.
    Map<String, AttributeValue> reopened =
        cloud.awaitItem("Soup", started.timestamp(), LocalCloud.status("STARTED"));
    assertThat(reopened.get("RedriveCount").n()).isEqualTo("1");
    Map<String, AttributeValue> done = finalFor(started, 1);
    assertThat(done.get("Status").s()).isEqualTo("DONE");
    assertThat(done.get("Error").s()).isEqualTo("States.Aborted");
    assertThat(done.get("Cause").s()).isEqualTo("stopped by the test");
    assertThat(done.get("ExecutionArn").s()).isEqualTo(started.executionArn());
    assertThat(attempts(done)).containsExactly("0 FAILED States.Aborted", "1 DONE");
    // A redrive may come 14 days after the stop and run for a timeout: the final item is still
    // kept for the retention after the latest end of the redriven attempt.
    assertThat(Long.parseLong(done.get("ExpiresAt").n()))
        .isEqualTo(second(started) + TIMEOUT_MINUTES * 60 + 3600 + REDRIVE_EXTENSION_SECONDS);
    assertThat(cloud.items("Soup")).hasSize(1);
    assertThat(cloud.execution(started.executionArn()).get("transitions").toString())
        .as("the redrive resumed at the state that was running, not at the start")
        .endsWith("\"Simmer\",\"RecordDone\"]")
        .containsOnlyOnce("RecordStarted");
  }

  @Test
  void aRedrivenFailureEndsFailedForTheNewAttemptWithItsOwnError() {
    LocalCloud.Invocation started = aborted("Burnt toast");

    redrive(started);

    Map<String, AttributeValue> failed = finalFor(started, 1);
    assertThat(failed.get("Status").s()).isEqualTo("FAILED");
    assertThat(failed.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(attempts(failed)).containsExactly("0 FAILED States.Aborted", "1 FAILED OvenOnFire");
    assertThat(cloud.awaitExecution(started.executionArn()).status())
        .isEqualTo(ExecutionStatus.FAILED);
  }

  @Test
  void aCaughtFailureRedrivenFailsAgainAtOnceAndTheItemCountsTheAttempt() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Burnt rice\"}");
    Map<String, AttributeValue> first =
        cloud.awaitItem("Burnt rice", started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(first.get("Error").s()).isEqualTo("OvenOnFire");
    cloud.awaitQuiet();

    redrive(started);

    // It resumes at TaskFailed, the Fail state that failed it: the work does not run again.
    Map<String, AttributeValue> again = finalFor(started, 1);
    assertThat(again.get("Status").s()).isEqualTo("FAILED");
    assertThat(again.get("Error").s()).isEqualTo("OvenOnFire");
    assertThat(attempts(again)).containsExactly("0 FAILED OvenOnFire", "1 FAILED OvenOnFire");
    assertThat(cloud.execution(started.executionArn()).get("transitions").toString())
        .endsWith("\"RecordFailed\",\"TaskFailed\",\"TaskFailed\"]");
  }

  @Test
  void aLateEventOfAnEarlierAttemptNeverUndoesALaterOne() {
    LocalCloud.Invocation started = aborted("Stew");
    redrive(started);
    finalFor(started, 1);
    cloud.awaitQuiet();

    // The first attempt's ABORTED event, delivered again, late: the reconciler asks how the
    // execution stands (SUCCEEDED) and leaves the item.
    cloud.stepFunctions.startExecution(
        b ->
            b.stateMachineArn(cloud.reconcilerArn())
                .input(
                    "{\"detail\": {\"executionArn\": \""
                        + started.executionArn()
                        + "\", \"status\": \"ABORTED\"}}"));
    cloud.awaitQuiet();
    Map<String, AttributeValue> item = cloud.item("Stew", started.timestamp());
    assertThat(item.get("Status").s()).isEqualTo("DONE");
    assertThat(item.get("RedriveCount").n()).isEqualTo("1");
  }

  @Test
  void onlyAnExecutionThatEndedUnsuccessfullyMayBeRedriven() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Toast\"}");
    cloud.awaitItem("Toast", started.timestamp(), LocalCloud.status("DONE"));
    cloud.awaitExecution(started.executionArn());

    assertThatThrownBy(() -> redrive(started))
        .isInstanceOfSatisfying(
            SfnException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExecutionNotRedrivable"))
        .hasMessageContaining("Execution is SUCCEEDED and cannot be redriven");
  }
}
