package io.github.taskstatus;

import static io.github.taskstatus.LocalWorkflow.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The synthesized workflow, run for real on this machine: the embedded starter jar, a real ASL
 * interpreter executing the template's definition, and a local DynamoDB holding a table created
 * from the template's table definition.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class EndToEndIT {
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static LocalWorkflow local;

  @BeforeAll
  static void start() {
    local = LocalWorkflow.start(Synth.workflow(TaskStatusWorkflowProps.builder()
        .waitDuration(software.amazon.awscdk.Duration.seconds(WAIT.toSeconds())).build()));
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
  }

  @Test
  void aTaskIsStartedThenDone() {
    LocalWorkflow.Invocation started = local.invoke("{\"taskId\":\"Breakfast\"}");

    assertThat(started.failed()).as("starter output %s", started.output()).isFalse();
    long timestamp = started.timestamp();
    assertThat(timestamp).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120L));
    Map<String, AttributeValue> first =
        local.awaitItem("Breakfast", timestamp, item -> true, PATIENCE);
    assertThat(first.get("Status").s()).isEqualTo("STARTED");
    assertThat(first.get("timestamp").n()).isEqualTo(Long.toString(timestamp));
    assertThat(first.get("ExecutionArn").s()).isEqualTo(started.executionArn());

    Map<String, AttributeValue> done =
        local.awaitItem("Breakfast", timestamp, status("DONE"), PATIENCE);
    assertThat(Instant.parse(done.get("UpdatedAt").s()))
        .isAfterOrEqualTo(Instant.parse(first.get("UpdatedAt").s()).plus(WAIT));
    DescribeExecutionResponse execution = local.awaitExecution(started.executionArn(), PATIENCE);
    assertThat(execution.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(Synth.parse(execution.input()).get("timestamp").isIntegralNumber()).isTrue();
  }

  @Test
  void concurrentTasksAllEndDoneEachWithItsOwnItem() {
    List<String> ids = IntStream.range(0, 4).mapToObj(i -> "Concurrent-" + i).toList();
    List<LocalWorkflow.Invocation> invocations = ids.stream()
        .map(id -> CompletableFuture.supplyAsync(() -> local.invoke("{\"taskId\":\"" + id + "\"}")))
        .toList().stream().map(CompletableFuture::join).toList();

    for (int i = 0; i < ids.size(); i++) {
      LocalWorkflow.Invocation invocation = invocations.get(i);
      assertThat(invocation.failed()).isFalse();
      local.awaitItem(ids.get(i), invocation.timestamp(), status("DONE"), PATIENCE);
      assertThat(local.items(ids.get(i))).hasSize(1);
      assertThat(local.awaitExecution(invocation.executionArn(), PATIENCE).status())
          .isEqualTo(ExecutionStatus.SUCCEEDED);
    }
  }

  @Test
  void theSameTaskStartedInTwoSecondsHasTwoItemsBothDone() throws InterruptedException {
    LocalWorkflow.Invocation first = local.invoke("{\"taskId\":\"Twice\"}");
    while (Instant.now().getEpochSecond() <= first.timestamp()) {
      Thread.sleep(50);
    }
    LocalWorkflow.Invocation second = local.invoke("{\"taskId\":\"Twice\"}");

    assertThat(second.timestamp()).isGreaterThan(first.timestamp());
    local.awaitItem("Twice", first.timestamp(), status("DONE"), PATIENCE);
    local.awaitItem("Twice", second.timestamp(), status("DONE"), PATIENCE);
    assertThat(local.items("Twice")).extracting(i -> i.get("Status").s())
        .containsExactly("DONE", "DONE");
  }

  @Test
  void aBadEventIsAFunctionErrorAndStartsNothing() {
    int before = local.allItems().size();
    LocalWorkflow.Invocation invocation = local.invoke("{\"taskId\":42}");

    assertThat(invocation.failed()).isTrue();
    assertThat(invocation.output().get("errorType").asText())
        .isEqualTo("io.github.taskstatus.starter.InvalidTaskException");
    assertThat(invocation.output().get("errorMessage").asText())
        .isEqualTo("taskId must be a string, got a number 42");
    assertThat(local.allItems()).hasSize(before);
  }

  @Test
  void aRawJsonNumberSentAsNFailsLikeTheRealService() {
    com.fasterxml.jackson.databind.node.ObjectNode template = Synth.workflow(null).json.deepCopy();
    // The aws-cdk#12456 mistake: the number itself instead of a string in {"N": ...}.
    template.findValues("Fn::Join").forEach(join -> {
      var parts = (com.fasterxml.jackson.databind.node.ArrayNode) join.get(1);
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i).isTextual()) {
          parts.set(i, parts.get(i).asText()
              .replace("\"N.$\":\"States.Format('{}', $.timestamp)\"", "\"N.$\":\"$.timestamp\""));
        }
      }
    });
    assertThat(template.toString()).contains("\\\"N.$\\\":\\\"$.timestamp\\\"");

    try (LocalWorkflow broken = LocalWorkflow.start(template)) {
      LocalWorkflow.Invocation started = broken.invoke("{\"taskId\":\"RawNumber\"}");
      DescribeExecutionResponse execution =
          broken.awaitExecution(started.executionArn(), PATIENCE);

      assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(execution.error()).isEqualTo("States.Runtime");
      assertThat(execution.cause()).contains("executing the state 'RecordStarted'")
          .contains("The value for the field 'N' must be a STRING");
      assertThat(broken.allItems()).isEmpty();
    }
  }

  @Test
  void theHarnessClosesEveryPortAndProcessItOpened() throws Exception {
    LocalWorkflow other = LocalWorkflow.start(Synth.workflow(null));
    assertThat(other.isRunning()).isTrue();
    try (Socket probe = new Socket("127.0.0.1", other.dynamodbEndpoint.getPort())) {
      assertThat(probe.isConnected()).isTrue();
    }

    other.close();

    assertThat(other.isRunning()).isFalse();
    for (var endpoint : List.of(other.dynamodbEndpoint, other.stepFunctionsEndpoint)) {
      assertThatThrownBy(() -> new Socket("127.0.0.1", endpoint.getPort()).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
  }
}
