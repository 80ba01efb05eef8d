package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.FromRoleArnOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IntegrationPattern;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.Timeout;
import software.amazon.awscdk.services.stepfunctions.tasks.SqsSendMessage;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.InvalidOutputException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The callback pattern in the local cloud, on a stack of plain CDK constructs (no workflow of the
 * library): state machines whose task sends its input and {@code $$.Task.Token} to an SQS queue
 * ({@code SqsSendMessage}, {@code WAIT_FOR_TASK_TOKEN}) and waits until a worker answers the token.
 * The worker is a role given {@code grantConsumeMessages} and {@code grantTaskResponse}, calling as
 * that role: it heartbeats and succeeds, or fails, or says nothing. Heartbeat and task timeouts are
 * shortened with {@code --heartbeat-ms} and {@code --task-timeout-ms}; each test fails on a local
 * Step Functions that ignores the rule it names.
 */
@org.junit.jupiter.api.Timeout(value = 3, unit = TimeUnit.MINUTES)
class TaskTokenIT {
  private static final Duration HEARTBEAT = Duration.ofMillis(1500);
  private static final Duration TASK_TIMEOUT = Duration.ofMillis(4000);
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private static LocalCloud cloud;
  private static LocalCloud.RoleClients worker;

  /**
   * A state machine whose task {@code name} hands its input to {@code queue} with the token and
   * waits (heartbeat 5 minutes, task timeout 30 minutes, shortened by the tests' options), retries
   * {@code Worker.TryAgain} once and catches every other error into {@code $.failure}.
   */
  private static StateMachine callback(
      Stack stack, String id, String task, Queue queue, Timeout heartbeat, Timeout taskTimeout) {
    SqsSendMessage hand =
        SqsSendMessage.Builder.create(stack, task)
            .queue(queue)
            .integrationPattern(IntegrationPattern.WAIT_FOR_TASK_TOKEN)
            .messageBody(
                TaskInput.fromObject(
                    Map.of("token", JsonPath.getTaskToken(), "input", JsonPath.getEntirePayload())))
            .heartbeatTimeout(heartbeat)
            .taskTimeout(taskTimeout)
            .resultPath("$.result")
            .build();
    hand.addRetry(
        RetryProps.builder()
            .errors(List.of("Worker.TryAgain"))
            .maxAttempts(1)
            .interval(software.amazon.awscdk.Duration.seconds(1))
            .build());
    hand.addCatch(
        Pass.Builder.create(stack, task + "Failed").build(),
        CatchProps.builder().resultPath("$.failure").build());
    return StateMachine.Builder.create(stack, id)
        .definitionBody(DefinitionBody.fromChainable(hand))
        .build();
  }

  /** A state machine acting as a role CDK may not add the task's grants to. */
  private static void withRole(Stack stack, String id, String task, Queue queue, Role role) {
    IRole fixed =
        Role.fromRoleArn(
            stack,
            id + "RoleRef",
            role.getRoleArn(),
            FromRoleArnOptions.builder().mutable(false).build());
    SqsSendMessage hand =
        SqsSendMessage.Builder.create(stack, task)
            .queue(queue)
            .integrationPattern(IntegrationPattern.WAIT_FOR_TASK_TOKEN)
            .messageBody(TaskInput.fromObject(Map.of("token", JsonPath.getTaskToken())))
            .build();
    StateMachine.Builder.create(stack, id)
        .definitionBody(DefinitionBody.fromChainable(hand))
        .role(fixed)
        .build();
  }

  private static Synth stack() {
    return Synth.stack(
        stack -> {
          Queue work = Queue.Builder.create(stack, "Work").build();
          Key key = Synth.key(stack);
          Queue secretWork =
              Queue.Builder.create(stack, "SecretWork")
                  .encryption(QueueEncryption.KMS)
                  .encryptionMasterKey(key)
                  .build();
          Role workerRole = Synth.role(stack, "Worker");
          work.grantConsumeMessages(workerRole);
          secretWork.grantConsumeMessages(workerRole);
          Timeout minutes5 = Timeout.duration(software.amazon.awscdk.Duration.minutes(5));
          Timeout minutes30 = Timeout.duration(software.amazon.awscdk.Duration.minutes(30));
          callback(stack, "Callback", "Hand", work, minutes5, minutes30)
              .grantTaskResponse(workerRole);
          callback(stack, "SecretCallback", "SecretHand", secretWork, minutes5, minutes30)
              .grantTaskResponse(workerRole);
          StateMachine paths =
              callback(
                  stack,
                  "Paths",
                  "PathHand",
                  work,
                  Timeout.at("$.beatSeconds"),
                  Timeout.at("$.limitSeconds"));
          paths.grantTaskResponse(workerRole);
          // Allowed to answer the tokens of another state machine only.
          paths.grantTaskResponse(Synth.role(stack, "OtherWorker"));

          Role mute =
              Role.Builder.create(stack, "MuteRole")
                  .assumedBy(new ServicePrincipal("states.amazonaws.com"))
                  .build();
          withRole(stack, "Mute", "MuteHand", work, mute);
          Role keyless =
              Role.Builder.create(stack, "KeylessRole")
                  .assumedBy(new ServicePrincipal("states.amazonaws.com"))
                  .build();
          keyless.addToPolicy(
              PolicyStatement.Builder.create()
                  .actions(List.of("sqs:SendMessage"))
                  .resources(List.of(secretWork.getQueueArn()))
                  .build());
          withRole(stack, "Keyless", "KeylessHand", secretWork, keyless);
          Synth.role(stack, "Stranger");
        });
  }

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.startWithoutStarter(
            stack(),
            "--heartbeat-ms",
            "Hand=" + HEARTBEAT.toMillis(),
            "--task-timeout-ms",
            "Hand=" + TASK_TIMEOUT.toMillis(),
            "--retry-ms",
            "Hand=10");
    worker = cloud.as("Worker");
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  /** A task handed to the worker: its execution and the message the worker received. */
  private record Handed(String executionArn, String token, JsonNode input) {}

  private static Handed hand(String machine, String queue, String input) {
    String executionArn =
        cloud
            .stepFunctions
            .startExecution(b -> b.stateMachineArn(cloud.stateMachineArn(machine)).input(input))
            .executionArn();
    JsonNode body = receive(worker.sqs(), cloud.queueUrl(queue), Synth.parse(input).get("order"));
    return new Handed(executionArn, body.get("token").asText(), body.get("input"));
  }

  private static Handed hand(String order) {
    return hand("Callback", "Work", "{\"order\": \"" + order + "\"}");
  }

  /** Receives (as the worker) and deletes messages until the one of this order arrives. */
  private static JsonNode receive(SqsClient sqs, String queueUrl, JsonNode order) {
    return LocalCloud.poll(
        () -> {
          for (Message m :
              sqs.receiveMessage(
                      b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                  .messages()) {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            JsonNode body = Synth.parse(m.body());
            if (order.equals(body.at("/input/order"))) {
              return body;
            }
          }
          return null;
        },
        Objects::nonNull,
        PATIENCE,
        "the message of order " + order);
  }

  private static DescribeExecutionResponse awaitEnd(String executionArn) {
    return LocalCloud.poll(
        () -> cloud.stepFunctions.describeExecution(b -> b.executionArn(executionArn)),
        e -> e.status() != ExecutionStatus.RUNNING,
        PATIENCE,
        "execution " + executionArn);
  }

  private static JsonNode output(DescribeExecutionResponse execution) {
    assertThat(execution.status()).as(execution.toString()).isEqualTo(ExecutionStatus.SUCCEEDED);
    return Synth.parse(execution.output());
  }

  private static Duration ran(DescribeExecutionResponse execution) {
    return Duration.between(execution.startDate(), execution.stopDate());
  }

  private static JsonNode tokenRecord(String token) {
    for (JsonNode record : cloud.inspect("tokens")) {
      if (record.get("token").asText().equals(token)) {
        return record;
      }
    }
    throw new AssertionError("no token record for " + token);
  }

  private static String order() {
    return UUID.randomUUID().toString();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aWorkerGetsTheTokenAndInputHeartbeatsPastTheHeartbeatTimeAndSucceeds() {
    String order = order();
    Handed task = hand(order);
    assertThat(task.input()).isEqualTo(Synth.parse("{\"order\": \"" + order + "\"}"));
    assertThat(task.token()).isNotBlank().hasSizeLessThanOrEqualTo(1024);

    // Three heartbeats a little over half the heartbeat time apart: without them the task would
    // have failed before the answer, which comes after more than the heartbeat time.
    for (int i = 0; i < 3; i++) {
      sleep(HEARTBEAT.dividedBy(2).plusMillis(100));
      worker.sfn().sendTaskHeartbeat(b -> b.taskToken(task.token()));
    }
    assertThat(tokenRecord(task.token()).get("lastHeartbeat").isNull()).isFalse();
    worker
        .sfn()
        .sendTaskSuccess(b -> b.taskToken(task.token()).output("{\"baked\": \"" + order + "\"}"));

    DescribeExecutionResponse execution = awaitEnd(task.executionArn());
    assertThat(output(execution))
        .isEqualTo(
            Synth.parse(
                "{\"order\": \"%s\", \"result\": {\"baked\": \"%s\"}}".formatted(order, order)));
    assertThat(ran(execution)).isGreaterThan(HEARTBEAT);
    JsonNode record = tokenRecord(task.token());
    assertThat(record.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(record.get("state").asText()).isEqualTo("Hand");
    assertThat(record.get("executionArn").asText()).isEqualTo(task.executionArn());
  }

  @Test
  void sendTaskFailureReachesTheCatchWithItsErrorAndCause() {
    Handed task = hand(order());
    worker
        .sfn()
        .sendTaskFailure(b -> b.taskToken(task.token()).error("Oven.Cold").cause("not preheated"));

    assertThat(output(awaitEnd(task.executionArn())).get("failure"))
        .isEqualTo(Synth.parse("{\"Error\": \"Oven.Cold\", \"Cause\": \"not preheated\"}"));
  }

  @Test
  void aRetryEntersTheStateAgainWithANewToken() {
    String order = order();
    Handed first = hand(order);
    worker.sfn().sendTaskFailure(b -> b.taskToken(first.token()).error("Worker.TryAgain"));
    JsonNode again =
        receive(worker.sqs(), cloud.queueUrl("Work"), Synth.parse("\"" + order + "\""));
    String second = again.get("token").asText();

    assertThat(second).isNotEqualTo(first.token());
    assertThatThrownBy(() -> worker.sfn().sendTaskHeartbeat(b -> b.taskToken(first.token())))
        .isInstanceOf(TaskTimedOutException.class);
    worker.sfn().sendTaskSuccess(b -> b.taskToken(second).output("\"second\""));
    assertThat(output(awaitEnd(first.executionArn())).get("result").asText()).isEqualTo("second");
  }

  @Test
  void withoutAHeartbeatTheTaskFailsWithStatesHeartbeatTimeoutInTheHeartbeatTime() {
    Handed task = hand(order());

    DescribeExecutionResponse execution = awaitEnd(task.executionArn());
    assertThat(output(execution).at("/failure/Error").asText())
        .isEqualTo("States.HeartbeatTimeout");
    // The task timeout (4 s) would have come later.
    assertThat(ran(execution)).isGreaterThanOrEqualTo(HEARTBEAT).isLessThan(TASK_TIMEOUT);
    assertThatThrownBy(
            () -> worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("{}")))
        .isInstanceOf(TaskTimedOutException.class);
  }

  @Test
  void theHeartbeatTimeCanComeFromTheStateInput() {
    String order = order();
    Handed task =
        hand(
            "Paths",
            "Work",
            "{\"order\": \"%s\", \"beatSeconds\": 1, \"limitSeconds\": 600}".formatted(order));

    DescribeExecutionResponse execution = awaitEnd(task.executionArn());
    assertThat(output(execution).at("/failure/Error").asText())
        .isEqualTo("States.HeartbeatTimeout");
    assertThat(ran(execution)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aTaskThatOutlastsItsTimeoutFailsWithStatesTimeoutHeartbeatsOrNot() {
    Handed task = hand(order());
    Instant deadline = Instant.now().plus(PATIENCE);
    DescribeExecutionResponse execution;
    do {
      sleep(HEARTBEAT.dividedBy(4));
      try {
        worker.sfn().sendTaskHeartbeat(b -> b.taskToken(task.token()));
      } catch (TaskTimedOutException ended) {
        // The task timed out between two heartbeats.
      }
      execution = cloud.stepFunctions.describeExecution(b -> b.executionArn(task.executionArn()));
    } while (execution.status() == ExecutionStatus.RUNNING && Instant.now().isBefore(deadline));

    assertThat(output(execution).at("/failure/Error").asText()).isEqualTo("States.Timeout");
    assertThat(ran(execution)).isGreaterThanOrEqualTo(TASK_TIMEOUT);
    assertThatThrownBy(() -> worker.sfn().sendTaskHeartbeat(b -> b.taskToken(task.token())))
        .isInstanceOf(TaskTimedOutException.class);
  }

  @Test
  void afterStopExecutionTheTokenIsTimedOutAndTheStopIsDescribed() {
    Handed task = hand(order());
    worker.sfn().sendTaskHeartbeat(b -> b.taskToken(task.token()));
    cloud.stepFunctions.stopExecution(
        b -> b.executionArn(task.executionArn()).error("Shop.Closed").cause("closing time"));

    assertThatThrownBy(() -> worker.sfn().sendTaskHeartbeat(b -> b.taskToken(task.token())))
        .isInstanceOf(TaskTimedOutException.class);
    DescribeExecutionResponse execution = awaitEnd(task.executionArn());
    assertThat(execution.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(execution.error()).isEqualTo("Shop.Closed");
    assertThat(execution.cause()).isEqualTo("closing time");
  }

  @Test
  void aTokenIsAnsweredOnceOnly() {
    Handed task = hand(order());
    worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("\"first\""));

    assertThatThrownBy(
            () -> worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("\"again\"")))
        .isInstanceOf(TaskTimedOutException.class);
    assertThatThrownBy(
            () -> worker.sfn().sendTaskFailure(b -> b.taskToken(task.token()).error("Late")))
        .isInstanceOf(TaskTimedOutException.class);
    assertThat(output(awaitEnd(task.executionArn())).get("result").asText()).isEqualTo("first");
  }

  @Test
  void anOutputThatIsNotJsonIsInvalidOutputAndLeavesTheTaskOpen() {
    Handed task = hand(order());

    assertThatThrownBy(
            () -> worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("baked")))
        .isInstanceOf(InvalidOutputException.class);
    worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("\"baked\""));
    assertThat(output(awaitEnd(task.executionArn())).get("result").asText()).isEqualTo("baked");
  }

  @Test
  void aMalformedTokenIsInvalidToken() {
    assertThatThrownBy(
            () -> worker.sfn().sendTaskSuccess(b -> b.taskToken("not-a-token").output("{}")))
        .isInstanceOf(InvalidTokenException.class);
    assertThatThrownBy(() -> worker.sfn().sendTaskHeartbeat(b -> b.taskToken("AQ==")))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void onlyARoleGrantedTaskResponsesOnTheTokensStateMachineMayAnswerIt() {
    Handed task = hand(order());
    String machine = cloud.stateMachineArn("Callback");
    for (String role : List.of("Stranger", "OtherWorker")) {
      try (LocalCloud.RoleClients other = cloud.as(role)) {
        SfnClient sfn = other.sfn();
        assertThatThrownBy(() -> sfn.sendTaskSuccess(b -> b.taskToken(task.token()).output("{}")))
            .isInstanceOfSatisfying(
                SfnException.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"))
            .hasMessageContaining(
                "is not authorized to perform: states:SendTaskSuccess on resource: " + machine);
      }
    }
    // Still open: the worker's answer is the one taken.
    worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("\"mine\""));
    assertThat(output(awaitEnd(task.executionArn())).get("result").asText()).isEqualTo("mine");
  }

  @Test
  void anEncryptedQueueCarriesTheTokenToAWorkerWithTheKey() {
    String order = order();
    Handed task = hand("SecretCallback", "SecretWork", "{\"order\": \"" + order + "\"}");
    worker.sfn().sendTaskSuccess(b -> b.taskToken(task.token()).output("\"sealed\""));

    assertThat(output(awaitEnd(task.executionArn())).get("result").asText()).isEqualTo("sealed");
  }

  /**
   * Step Functions sends as the state machine's role: without sqs:SendMessage the task fails as the
   * SQS call does, AccessDenied named as Step Functions names SQS errors, and its token closes.
   */
  @Test
  void aStateMachineRoleWithoutSendMessageFailsTheTask() {
    String executionArn =
        cloud
            .stepFunctions
            .startExecution(b -> b.stateMachineArn(cloud.stateMachineArn("Mute")).input("{}"))
            .executionArn();

    DescribeExecutionResponse execution = awaitEnd(executionArn);
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("SQS.AmazonSQSException");
    assertThat(execution.cause())
        .contains("is not authorized to perform: sqs:SendMessage")
        .contains("MuteRole");
    assertThat(cloud.inspect("tokens"))
        .filteredOn(t -> t.get("executionArn").asText().equals(executionArn))
        .singleElement()
        .satisfies(t -> assertThat(t.get("status").asText()).isEqualTo("CLOSED"));
  }

  /** An encrypted queue also needs the key: without it the send, and the task, fail. */
  @Test
  void aStateMachineRoleWithoutTheQueuesKeyFailsTheTask() {
    String executionArn =
        cloud
            .stepFunctions
            .startExecution(b -> b.stateMachineArn(cloud.stateMachineArn("Keyless")).input("{}"))
            .executionArn();

    DescribeExecutionResponse execution = awaitEnd(executionArn);
    assertThat(execution.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(execution.error()).isEqualTo("SQS.KmsAccessDeniedException");
    assertThat(execution.cause()).contains("is not authorized to perform: kms:GenerateDataKey");
  }
}
