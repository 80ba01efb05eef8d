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
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Parallel;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
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

  /** Every attempt a DynamoDB step makes: the first and its 6 retries (TaskItems). */
  private static final int ATTEMPTS = 7;

  /** The name Step Functions gives DynamoDB's InternalServerError. */
  private static final String SERVER_ERROR = "DynamoDB.InternalServerErrorException";

  private static LocalCloud cloud;

  /**
   * Work that waits ("Simmer"); for a task id starting "Burn" waits ("Cook") then fails (a Fail
   * state); for "Broken" waits ("Knead") then meets a States.Runtime error in a Pass state's
   * Parameters ("Shape"); for "Banquet" runs a Parallel of its own ("Courses": "Plate" at once and
   * "Roast", which waits) whose first branch's output the next state reads ("Serve").
   */
  private static IChainable work(Stack stack) {
    Wait cook = Wait.Builder.create(stack, "Cook").time(WaitTime.duration(minutes(5))).build();
    Wait knead = Wait.Builder.create(stack, "Knead").time(WaitTime.duration(minutes(5))).build();
    Pass shape =
        Pass.Builder.create(stack, "Shape")
            .parameters(Map.of("dough", JsonPath.stringAt("$.no.such.path")))
            .build();
    Parallel courses =
        Parallel.Builder.create(stack, "Courses")
            .build()
            .branch(
                Pass.Builder.create(stack, "Plate")
                    .result(Result.fromObject(Map.of("dish", "salad")))
                    .build())
            .branch(
                Wait.Builder.create(stack, "Roast").time(WaitTime.duration(minutes(5))).build());
    Pass serve =
        Pass.Builder.create(stack, "Serve")
            .parameters(Map.of("starter", JsonPath.stringAt("$[0].dish")))
            .build();
    return Choice.Builder.create(stack, "Burns")
        .build()
        .when(Condition.stringMatches("$.taskId", "Burn*"), cook.next(Synth.failingWork(stack)))
        .when(Condition.stringMatches("$.taskId", "Broken*"), knead.next(shape))
        .when(Condition.stringMatches("$.taskId", "Banquet*"), courses.next(serve))
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
            "Simmer=1500",
            "--wait-ms",
            "Knead=200",
            "--wait-ms",
            "Roast=1500",
            // DynamoDB failing for every attempt of one step, for these tasks alone, then well.
            "--fault",
            "RecordStarted=InternalServerError:" + ATTEMPTS + ":task=Unwritten",
            "--fault",
            "RecordDone=InternalServerError:" + ATTEMPTS + ":task=Unserved",
            "--retry-ms",
            "RecordStarted=10",
            "--retry-ms",
            "RecordDone=10");
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

  /** The states the execution entered, in order, over all its attempts. */
  private static List<String> transitions(LocalCloud.Invocation started) {
    List<String> names = new java.util.ArrayList<>();
    cloud.execution(started.executionArn()).get("transitions").forEach(n -> names.add(n.asText()));
    return names;
  }

  @Test
  void aRuntimeErrorInTheWorkRedrivenFailsAgainAtTheStateThatRaisedIt() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Broken bread\"}");
    Map<String, AttributeValue> first =
        cloud.awaitItem("Broken bread", started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(first.get("Error").s()).isEqualTo("States.Runtime");
    assertThat(first.get("RedriveCount").n()).isEqualTo("0");
    cloud.awaitQuiet();

    redrive(started);

    // The redrive runs Work's failed branch from Shape, with Shape's input: Knead succeeded and is
    // not run again. The same definition and the same input raise the same error, so the item
    // ends FAILED for the new attempt (no Catch saw it: the reconciler records it).
    Map<String, AttributeValue> again = finalFor(started, 1);
    assertThat(again.get("Status").s()).isEqualTo("FAILED");
    assertThat(again.get("Error").s()).isEqualTo("States.Runtime");
    assertThat(again.get("Cause").s()).contains("$.no.such.path");
    assertThat(attempts(again))
        .containsExactly("0 FAILED States.Runtime", "1 FAILED States.Runtime");
    assertThat(cloud.awaitExecution(started.executionArn()).error()).isEqualTo("States.Runtime");
    assertThat(transitions(started))
        .containsExactly("RecordStarted", "Work", "Burns", "Knead", "Shape", "Work", "Shape");
  }

  @Test
  void aRedriveAfterRecordStartedFailedForGoodRecordsTheStartThenEndsDone() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Unwritten order\"}");
    assertThat(started.failed()).as("starter answer %s", started.output()).isFalse();
    // No write of the execution took: the reconciler creates the item from its FAILED event.
    Map<String, AttributeValue> first =
        cloud.awaitItem("Unwritten order", started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(first.get("Error").s()).isEqualTo(SERVER_ERROR);
    assertThat(first.get("RedriveCount").n()).isEqualTo("0");
    cloud.awaitQuiet();

    // DynamoDB works again (the fault's attempts are spent).
    redrive(started);

    Map<String, AttributeValue> done = finalFor(started, 1);
    assertThat(done.get("Status").s()).isEqualTo("DONE");
    assertThat(done.get("Error").s()).isEqualTo(SERVER_ERROR);
    assertThat(done.get("ExecutionArn").s()).isEqualTo(started.executionArn());
    assertThat(attempts(done)).containsExactly("0 FAILED " + SERVER_ERROR, "1 DONE");
    assertThat(cloud.items("Unwritten order")).hasSize(1);
    assertThat(cloud.awaitExecution(started.executionArn()).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    // The first attempt entered RecordStarted alone (its retries are no transitions); the redrive
    // resumed there, found the reconciler's item and reopened it or found it reopened.
    List<String> transitions = transitions(started);
    assertThat(transitions.subList(0, 2)).containsExactly("RecordStarted", "RecordStarted");
    assertThat(transitions).endsWith("Simmer", "RecordDone");
    assertThat(cloud.execution(started.executionArn()).get("retries")).hasSize(ATTEMPTS - 1);
  }

  @Test
  void aRedriveAfterRecordDoneFailedForGoodFailsAgainAtTaskFailed() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Unserved soup\"}");
    // RecordDone's Catch records the failure (RecordFailed) and fails at TaskFailed.
    Map<String, AttributeValue> first =
        cloud.awaitItem("Unserved soup", started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(first.get("Error").s()).isEqualTo(SERVER_ERROR);
    assertThat(first.get("RedriveCount").n()).isEqualTo("0");
    cloud.awaitQuiet();

    redrive(started);

    // A redrive resumes where the execution failed, the Fail state, not at RecordDone: though
    // DynamoDB works again and the work was done, the item ends FAILED for the new attempt.
    Map<String, AttributeValue> again = finalFor(started, 1);
    assertThat(again.get("Status").s()).isEqualTo("FAILED");
    assertThat(again.get("Error").s()).isEqualTo(SERVER_ERROR);
    assertThat(attempts(again))
        .containsExactly("0 FAILED " + SERVER_ERROR, "1 FAILED " + SERVER_ERROR);
    assertThat(transitions(started))
        .endsWith(
            "Simmer",
            "RecordDone",
            "FailureDefaults",
            "DescribeFailure",
            "RecordFailed",
            "TaskFailed",
            "TaskFailed")
        .containsOnlyOnce("RecordDone");
  }

  @Test
  void aRedriveRerunsOnlyTheBranchOfTheWorksParallelThatWasStopped() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Banquet\"}");
    LocalCloud.poll(
        () -> transitions(started),
        names -> names.contains("Plate") && names.contains("Roast"),
        "both courses under way");
    cloud.stepFunctions.stopExecution(
        b -> b.executionArn(started.executionArn()).cause("stopped by the test"));
    Map<String, AttributeValue> failed =
        cloud.awaitItem("Banquet", started.timestamp(), LocalCloud.status("FAILED"));
    assertThat(failed.get("Error").s()).isEqualTo("States.Aborted");
    cloud.awaitQuiet();

    redrive(started);

    // Plate succeeded and is not run again; its output still reaches Serve, which reads it.
    Map<String, AttributeValue> done = finalFor(started, 1);
    assertThat(done.get("Status").s()).isEqualTo("DONE");
    assertThat(done.get("Error").s()).isEqualTo("States.Aborted");
    assertThat(attempts(done)).containsExactly("0 FAILED States.Aborted", "1 DONE");
    List<String> transitions = transitions(started);
    assertThat(transitions).containsOnlyOnce("Plate", "RecordStarted", "Burns");
    assertThat(transitions.stream().filter("Roast"::equals)).hasSize(2);
    assertThat(transitions).endsWith("Roast", "Serve", "RecordDone");
  }
}
