package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineTypeNotSupportedException;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The example's scripts, run with the real AWS CLI against the local cloud's endpoint (every
 * request signed and checked): smoke.sh follows a task to DONE or FAILED, and
 * replay-dead-letters.sh replays what the starter's and the reconciler's dead-letter queues kept.
 * Skipped where the AWS CLI is not installed.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SmokeScriptIT {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("taskstatus.examples.dir", "examples"));

  @BeforeAll
  static void needsTheAwsCli() throws Exception {
    Process probe;
    try {
      probe = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
    } catch (IOException e) {
      probe = null;
    }
    Assumptions.assumeTrue(
        probe != null && probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "the AWS CLI ('aws') is not installed");
  }

  /** A workflow with the outputs the scripts read, as the example stack has them. */
  private static Synth stackWithOutputs(Function<Stack, TaskStatusWorkflowProps> props) {
    return Synth.stack(
        stack -> {
          TaskStatusWorkflow tasks = new TaskStatusWorkflow(stack, "Tasks", props.apply(stack));
          Map<String, String> outputs =
              Map.of(
                  "StarterFunctionName", tasks.getStarterFunction().getFunctionName(),
                  "TableName", tasks.getTable().getTableName(),
                  "StarterDeadLetterQueueUrl", tasks.getStarterDeadLetterQueue().getQueueUrl(),
                  "ReconcilerDeadLetterQueueUrl",
                      tasks.getReconcilerDeadLetterQueue().getQueueUrl(),
                  "ReconcilerArn", tasks.getReconciler().getStateMachineArn());
          outputs.forEach(
              (key, value) -> CfnOutput.Builder.create(stack, key).value(value).build());
        });
  }

  private record Result(int exitCode, String output) {}

  private static Result run(LocalCloud cloud, String script, String... arguments) throws Exception {
    Path log = Files.createTempFile("script", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(
              new java.util.ArrayList<>(List.of("bash", EXAMPLES.resolve(script).toString())));
      builder.command().addAll(List.of(arguments));
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(k -> k.startsWith("AWS_"));
      env.put("AWS_ENDPOINT_URL", cloud.endpoint.toString());
      env.put("AWS_DEFAULT_REGION", cloud.ready.get("region").asText());
      env.put("AWS_ACCESS_KEY_ID", cloud.ready.at("/credentials/accessKeyId").asText());
      env.put("AWS_SECRET_ACCESS_KEY", cloud.ready.at("/credentials/secretAccessKey").asText());
      env.put("AWS_CONFIG_FILE", "/dev/null");
      env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
      Process process = builder.start();
      if (!process.waitFor(150, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(script + " did not finish: " + Files.readString(log));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void smokeFollowsATaskFromStartedToDone() throws Exception {
    try (LocalCloud cloud =
        LocalCloud.start(
            stackWithOutputs(
                stack ->
                    TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(3)).build()))) {
      Result result =
          run(cloud, "smoke.sh", "--stack", "Test", "--task", "Smoke", "--timeout", "60");

      assertThat(result.exitCode()).as(result.output()).isZero();
      assertThat(result.output())
          .contains(":live with {\"taskId\": \"Smoke\"}")
          .contains("Status = STARTED")
          .contains("Status = DONE");
      assertThat(result.output().indexOf("Status = STARTED"))
          .isLessThan(result.output().indexOf("Status = DONE"));
    }
  }

  @Test
  void smokeFailsAndShowsTheCauseWhenTheTaskFails() throws Exception {
    try (LocalCloud cloud =
        LocalCloud.start(
            stackWithOutputs(
                stack ->
                    TaskStatusWorkflowProps.builder().work(Synth.failingWork(stack)).build()))) {
      Result result = run(cloud, "smoke.sh", "--stack", "Test", "--task", "Toast");

      assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
      assertThat(result.output())
          .contains("Status = FAILED")
          .contains("OvenOnFire")
          .contains("the toast burned");
    }
  }

  @Test
  void anAsynchronousStartThatFailedEveryRetryIsReplayedOnceFromTheDeadLetterQueue()
      throws Exception {
    // Three asynchronous attempts (the first and Lambda's two retries) of eight throttled
    // StartExecution calls each: the event goes to the dead-letter queue.
    try (LocalCloud cloud =
        LocalCloud.start(
            stackWithOutputs(
                stack ->
                    TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(1)).build()),
            "--fault-api",
            "StartExecution=ThrottlingException:24",
            "--async-retry-ms",
            "100,100")) {
      assertThat(cloud.invokeAsync("{\"taskId\":\"Dinner\"}")).isEqualTo(202);
      String dlq = cloud.queueUrl("TasksStarterDeadLetterQueue");
      var dead =
          LocalCloud.poll(
                  () ->
                      cloud
                          .sqs
                          .receiveMessage(
                              b ->
                                  b.queueUrl(dlq).visibilityTimeout(0).messageAttributeNames("All"))
                          .messages(),
                  m -> !m.isEmpty(),
                  "the dead letter")
              .get(0);
      assertThat(dead.body()).isEqualTo("{\"taskId\":\"Dinner\"}");
      assertThat(dead.messageAttributes()).containsKeys("RequestID", "ErrorCode", "ErrorMessage");
      assertThat(dead.messageAttributes().get("ErrorMessage").stringValue())
          .contains("ThrottlingException");
      assertThat(cloud.items("Dinner")).isEmpty();

      Result replay = run(cloud, "replay-dead-letters.sh", "starter", "--stack", "Test");

      assertThat(replay.exitCode()).as(replay.output()).isZero();
      assertThat(replay.output()).contains("replayed=1 kept=0");
      var items =
          LocalCloud.poll(
              () -> cloud.items("Dinner"),
              i -> i.size() == 1 && LocalCloud.status("DONE").test(i.get(0)),
              "the replayed task");
      assertThat(items).hasSize(1);

      // A second replay of the same event (say, run twice) starts nothing new.
      String name = cloud.inspect("executions").get(0).get("name").asText();
      Result again = run(cloud, "replay-dead-letters.sh", "starter", "--stack", "Test");
      assertThat(again.output()).contains("replayed=0 kept=0");
      assertThat(cloud.inspect("executions")).hasSize(1);
      assertThat(name).startsWith("Dinner-");
    }
  }

  /** A task that timed out, whose status change event the rule could not deliver. */
  private static LocalCloud.Invocation timedOutWithItsEventInTheDeadLetterQueue(LocalCloud cloud) {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Late\"}");
    LocalCloud.poll(() -> deadLetters(cloud), m -> m.size() == 1, "the dead letter");
    return started;
  }

  /** The reconciler's dead letters, looked at without hiding them. */
  private static List<Message> deadLetters(LocalCloud cloud) {
    String dlq = cloud.queueUrl("TasksReconcilerDeadLetterQueue");
    return cloud
        .sqs
        .receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10).visibilityTimeout(0))
        .messages();
  }

  private static String eventId(Message message) {
    return Synth.parse(message.body()).get("id").asText();
  }

  @Test
  void anEventTheReconcilerCouldNotTakeIsReconciledFromItsDeadLetterQueueThenDeleted()
      throws Exception {
    try (LocalCloud cloud =
        LocalCloud.start(
            stackWithOutputs(stack -> Synth.timingOut(stack, 2).build()),
            "--fail-target",
            "TasksReconcileRule=1000",
            "--event-retry-ms",
            "1")) {
      LocalCloud.Invocation started = timedOutWithItsEventInTheDeadLetterQueue(cloud);

      Result replay = run(cloud, "replay-dead-letters.sh", "reconciler", "--stack", "Test");

      assertThat(replay.exitCode()).as(replay.output()).isZero();
      assertThat(replay.output()).contains("reconciled event").contains("replayed=1 kept=0");
      var item = cloud.awaitItem("Late", started.timestamp(), LocalCloud.status("FAILED"));
      assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
      assertThat(deadLetters(cloud)).isEmpty();
    }
  }

  /**
   * A workflow whose executions time out, whose rule never delivers (so every event is in the
   * reconciler's dead-letter queue), whose reconciler's MarkFailed fails {@code times} times, and
   * whose first reconciliation cannot send the event back to the queue either.
   */
  private static LocalCloud reconcilerFailing(int times) {
    return LocalCloud.start(
        stackWithOutputs(stack -> Synth.timingOut(stack, 2).build()),
        "--fail-target",
        "TasksReconcileRule=1000",
        "--event-retry-ms",
        "1",
        "--fault",
        "MarkFailed=ResourceNotFoundException:" + times,
        "--fault",
        "SendToDeadLetterQueue=Sqs.SqsException:6",
        "--retry-ms",
        "SendToDeadLetterQueue=1");
  }

  @Test
  void aReplayWhoseReconciliationFailsKeepsTheEventUntilOneSucceeds() throws Exception {
    // The reconciler's MarkFailed fails twice. The first time, sending the event back to the
    // dead-letter queue fails too (every retry); the second time it succeeds.
    try (LocalCloud cloud = reconcilerFailing(2)) {
      LocalCloud.Invocation started = timedOutWithItsEventInTheDeadLetterQueue(cloud);
      Message original = deadLetters(cloud).get(0);

      // 1. The reconciliation fails and the event is nowhere else: this very message stays.
      Result failed = run(cloud, "replay-dead-letters.sh", "reconciler", "--stack", "Test");

      assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
      assertThat(failed.output())
          .contains("kept event " + eventId(original))
          .contains("the reconciliation ended FAILED")
          .contains("Sqs.SqsException")
          .contains("replayed=0 kept=1");
      assertThat(deadLetters(cloud))
          .singleElement()
          .satisfies(m -> assertThat(m.messageId()).isEqualTo(original.messageId()));
      assertThat(cloud.items("Late"))
          .singleElement()
          .satisfies(i -> assertThat(i.get("Status").s()).isEqualTo("STARTED"));

      // 2. The reconciliation fails after putting the event back: the queue holds it once.
      Result putBack = run(cloud, "replay-dead-letters.sh", "reconciler", "--stack", "Test");

      assertThat(putBack.exitCode()).as(putBack.output()).isEqualTo(1);
      assertThat(putBack.output())
          .contains("the reconciler put the event back")
          .contains("replayed=0 kept=1");
      Message copy = deadLetters(cloud).get(0);
      assertThat(deadLetters(cloud)).hasSize(1);
      assertThat(copy.messageId()).isNotEqualTo(original.messageId());
      assertThat(eventId(copy)).isEqualTo(eventId(original));

      // 3. A reconciliation that succeeds deletes it.
      Result good = run(cloud, "replay-dead-letters.sh", "reconciler", "--stack", "Test");

      assertThat(good.exitCode()).as(good.output()).isZero();
      assertThat(good.output()).contains("replayed=1 kept=0");
      assertThat(deadLetters(cloud)).isEmpty();
      var item = cloud.awaitItem("Late", started.timestamp(), LocalCloud.status("FAILED"));
      assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
    }
  }

  @Test
  void startSyncExecutionRunsOnlyExpressStateMachinesAndAnswersHowTheyEnded() throws Exception {
    try (LocalCloud cloud = reconcilerFailing(1);
        SfnClient sync =
            SfnClient.builder()
                .endpointOverride(cloud.endpoint)
                .region(Region.of(Synth.REGION))
                .credentialsProvider(cloud.credentials)
                .httpClient(UrlConnectionHttpClient.create())
                // What the SDKs document for a custom endpoint: no 'sync-' host prefix.
                .overrideConfiguration(
                    o ->
                        o.putAdvancedOption(
                            SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
                .build()) {
      LocalCloud.Invocation started = timedOutWithItsEventInTheDeadLetterQueue(cloud);
      String event = deadLetters(cloud).get(0).body();

      assertThatThrownBy(
              () ->
                  sync.startSyncExecution(
                      b -> b.stateMachineArn(cloud.stateMachineArn()).input(event)))
          .isInstanceOf(StateMachineTypeNotSupportedException.class);
      StartSyncExecutionResponse failed =
          sync.startSyncExecution(b -> b.stateMachineArn(cloud.reconcilerArn()).input(event));
      StartSyncExecutionResponse succeeded =
          sync.startSyncExecution(b -> b.stateMachineArn(cloud.reconcilerArn()).input(event));

      assertThat(failed.status()).isEqualTo(SyncExecutionStatus.FAILED);
      assertThat(failed.error()).isEqualTo("Sqs.SqsException");
      assertThat(failed.output()).isNull();
      assertThat(failed.executionArn()).contains(":express:");
      assertThat(failed.input()).isEqualTo(event);
      assertThat(failed.stopDate()).isAfterOrEqualTo(failed.startDate());
      assertThat(succeeded.status()).isEqualTo(SyncExecutionStatus.SUCCEEDED);
      assertThat(succeeded.error()).isNull();
      assertThat(succeeded.output()).isNotNull();
      assertThat(succeeded.billingDetails().billedDurationInMilliseconds()).isPositive();
      var item = cloud.awaitItem("Late", started.timestamp(), LocalCloud.status("FAILED"));
      assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
    }
  }
}
