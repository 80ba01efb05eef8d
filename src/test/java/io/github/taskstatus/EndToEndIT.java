package io.github.taskstatus;

import static io.github.taskstatus.LocalCloud.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.InvalidExecutionInputException;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.ValidationException;

/**
 * The synthesized workflow, run for real in the local cloud: the embedded starter jar in AWS's
 * Lambda runtime interface client (with SnapStart, the default, and without), a real ASL
 * interpreter executing the template's definition, and a local DynamoDB holding a table created
 * from the template's table definition.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EndToEndIT {
  private static final int WAIT_SECONDS = 2;
  private static LocalCloud snapStart;
  private static LocalCloud onDemand;

  @BeforeAll
  static void start() {
    snapStart =
        LocalCloud.start(
            Synth.workflow(
                TaskStatusWorkflowProps.builder()
                    .waitDuration(software.amazon.awscdk.Duration.seconds(WAIT_SECONDS))
                    .build()));
    onDemand =
        LocalCloud.start(
            Synth.workflow(
                TaskStatusWorkflowProps.builder()
                    .waitDuration(software.amazon.awscdk.Duration.seconds(WAIT_SECONDS))
                    .snapStart(false)
                    .build()));
  }

  @AfterAll
  static void stop() {
    Stream.of(snapStart, onDemand).filter(c -> c != null).forEach(LocalCloud::close);
  }

  static Stream<Arguments> clouds() {
    return Stream.of(
        Arguments.of("SnapStart (default)", snapStart), Arguments.of("snapStart(false)", onDemand));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("clouds")
  void aTaskIsStartedThenDoneInThreeTransitions(String configuration, LocalCloud cloud) {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Breakfast\"}");

    assertThat(started.failed()).as("starter output %s", started.output()).isFalse();
    assertThat(new BigDecimal(started.timestamp()).longValue())
        .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
    Map<String, AttributeValue> first =
        cloud.awaitItem("Breakfast", started.timestamp(), item -> true);
    assertThat(first.get("Status").s()).isEqualTo("STARTED");
    assertThat(first.get("ExecutionArn").s()).isEqualTo(started.executionArn());

    Map<String, AttributeValue> done =
        cloud.awaitItem("Breakfast", started.timestamp(), status("DONE"));
    assertThat(Instant.parse(done.get("UpdatedAt").s()))
        .isAfterOrEqualTo(Instant.parse(first.get("UpdatedAt").s()).plusSeconds(WAIT_SECONDS));
    DescribeExecutionResponse execution = cloud.awaitExecution(started.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(cloud.execution(started.executionArn()).get("transitions"))
        .as("billed state transitions")
        .hasToString("[\"RecordStarted\",\"Wait\",\"RecordDone\"]");
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("clouds")
  void concurrentStartsOfOneTaskAndOthersEachGetTheirOwnFinalItem(
      String configuration, LocalCloud cloud) {
    List<String> ids = List.of("Same", "Same", "Same", "Other-1", "Other-2");
    List<LocalCloud.Invocation> acknowledged =
        ids.stream()
            .map(
                id ->
                    CompletableFuture.supplyAsync(
                        () -> cloud.invoke("{\"taskId\":\"" + id + "\"}")))
            .toList()
            .stream()
            .map(CompletableFuture::join)
            .toList();

    assertThat(acknowledged).noneMatch(LocalCloud.Invocation::failed);
    assertThat(acknowledged)
        .extracting(LocalCloud.Invocation::executionArn)
        .doesNotHaveDuplicates();
    cloud.assertEveryStartEndedInItsOwnFinalItem(acknowledged);
    assertThat(cloud.items("Same"))
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.get("Status").s()).isEqualTo("DONE"));
    for (LocalCloud.Invocation started : acknowledged) {
      assertThat(cloud.item(started.taskId(), started.timestamp()).get("ExecutionArn").s())
          .as("the answer's timestamp names the start's own item")
          .isEqualTo(started.executionArn());
    }
  }

  @Test
  void aBadEventIsAFunctionErrorThatSaysWhyAndStartsNothing() {
    int before = snapStart.allItems().size();
    LocalCloud.Invocation invocation = snapStart.invoke("{\"taskId\":42}");

    assertThat(invocation.functionError()).isEqualTo("Unhandled");
    assertThat(invocation.output().get("errorType").asText())
        .isEqualTo("io.github.taskstatus.starter.InvalidTaskException");
    assertThat(invocation.output().get("errorMessage").asText())
        .isEqualTo("taskId must be a string, got a number");
    assertThat(snapStart.allItems()).hasSize(before);
  }

  /**
   * StartExecution's documented refusals, as AWS answers them: a name over 80 characters (or an
   * input over 262,144 bytes of UTF-8) breaks the API model's length constraint, a
   * ValidationException checked before anything else; a name with a character AWS forbids is
   * InvalidName; input that is not JSON is InvalidExecutionInput. Nothing starts.
   */
  @Test
  void startExecutionRefusesNamesAndInputsAsTheServiceDoes() {
    SfnClient sfn = snapStart.stepFunctions;
    String arn = snapStart.stateMachineArn();
    String missing = arn.replaceAll(":stateMachine:.*$", ":stateMachine:NoSuchMachine");
    final int before = sfn.listExecutions(b -> b.stateMachineArn(arn)).executions().size();
    final String longest = "n".repeat(80);
    String tooLong = "n".repeat(81);
    // 262,146 bytes in UTF-8, yet only 131,074 characters.
    String tooLarge = "\"" + "é".repeat(131_072) + "\"";
    // Exactly 262,144 bytes, and not JSON.
    final String largestNotJson = "{" + "x".repeat(262_143);

    assertRefused(
        () -> sfn.startExecution(b -> b.stateMachineArn(arn).name(tooLong).input("{}")),
        ValidationException.class,
        "1 validation error detected: Value '"
            + tooLong
            + "' at 'name' failed to satisfy constraint: Member must have length less than or"
            + " equal to 80");
    assertRefused(
        () -> sfn.startExecution(b -> b.stateMachineArn(missing).name(tooLong).input("{}")),
        ValidationException.class,
        "at 'name' failed to satisfy constraint");
    assertRefused(
        () -> sfn.startExecution(b -> b.stateMachineArn(arn).name("n").input(tooLarge)),
        ValidationException.class,
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must"
            + " have size less than or equal to 262144 bytes in UTF-8 encoding");
    for (String name : List.of("a b", "task:1", "a/b", "x{y}", "tab\there", "bell\u0007")) {
      assertRefused(
          () -> sfn.startExecution(b -> b.stateMachineArn(arn).name(name).input("{}")),
          InvalidNameException.class,
          "Invalid Name: '" + name + "'");
    }
    assertRefused(
        () -> sfn.startExecution(b -> b.stateMachineArn(arn).name(longest).input(largestNotJson)),
        InvalidExecutionInputException.class,
        "Invalid State Machine Execution Input");
    assertThat(sfn.listExecutions(b -> b.stateMachineArn(arn)).executions())
        .as("nothing started")
        .hasSize(before);
  }

  private static void assertRefused(
      Runnable call, Class<? extends SfnException> type, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            type,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorMessage()).contains(message);
            });
  }

  @Test
  void aRawJsonNumberSentAsNFailsLikeTheRealService() {
    ObjectNode template = Synth.workflow(null).json.deepCopy();
    // The aws-cdk#12456 mistake: the number itself instead of a string in {"N": ...}.
    template
        .findValues("Fn::Join")
        .forEach(
            join -> {
              ArrayNode parts = (ArrayNode) join.get(1);
              for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i).isTextual()) {
                  parts.set(
                      i,
                      parts
                          .get(i)
                          .asText()
                          .replace(
                              "\"N.$\":\"States.Format('{}', $.timestamp)\"",
                              "\"N.$\":\"$.timestamp\""));
                }
              }
            });
    assertThat(template.toString()).contains("\\\"N.$\\\":\\\"$.timestamp\\\"");

    try (LocalCloud broken = LocalCloud.start(template)) {
      LocalCloud.Invocation started = broken.invoke("{\"taskId\":\"RawNumber\"}");
      DescribeExecutionResponse execution = broken.awaitExecution(started.executionArn());

      assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(execution.error()).isEqualTo("States.Runtime");
      assertThat(execution.cause())
          .contains("executing the state 'RecordStarted'")
          .contains("The value for the field 'N' must be a STRING");
    }
  }

  @Test
  void theLocalCloudClosesEveryPortAndProcessItOpened() throws Exception {
    LocalCloud other = LocalCloud.start(Synth.workflow(null));
    other.invoke("{\"taskId\":\"Port\"}");
    final List<Integer> ports = new ArrayList<>(List.of(other.endpoint.getPort()));
    List<Long> runtimes = new ArrayList<>();
    other.inspect("environments").forEach(e -> runtimes.add(e.get("pid").asLong()));
    assertThat(runtimes)
        .isNotEmpty()
        .allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
    assertThat(other.isRunning()).isTrue();

    other.close();

    assertThat(other.isRunning()).isFalse();
    for (int port : ports) {
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
    assertThat(runtimes)
        .allSatisfy(
            pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("Lambda runtime %s", pid)
                    .isFalse());
  }
}
