package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

class StartTest {
  private static final String ANSWER =
      "{\"taskId\":\"Breakfast\",\"timestamp\":1795617326.12340,"
          + "\"executionArn\":\""
          + Items.ARN_PREFIX
          + "Breakfast-3c330ba0191d6a3a052afb7f\","
          + "\"executionName\":\"Breakfast-3c330ba0191d6a3a052afb7f\",\"duplicate\":false}";
  private static final Instant NOW = Instant.parse("2026-11-23T10:35:26.123456Z");

  private FakeAws aws;

  @BeforeEach
  void startFake() throws IOException {
    aws = new FakeAws();
  }

  @AfterEach
  void close() {
    aws.close();
  }

  @Test
  void startInvokesTheStarterSynchronouslyWithTheTaskIdAndAFreshIdempotencyKey() {
    aws.starter(payload -> FakeAws.started(ANSWER));
    try (TaskStatusClient client = aws.client().build()) {
      TaskStart first = client.start("Breakfast");
      TaskStart second = client.start("Breakfast");

      List<FakeAws.Request> invokes = aws.requests("Invoke");
      assertThat(invokes).hasSize(2);
      FakeAws.Request invoke = invokes.get(0);
      assertThat(invoke.path())
          .isEqualTo("/2015-03-31/functions/" + FakeAws.STARTER + "/invocations");
      assertThat(invoke.header("X-Amz-Invocation-Type")).isEqualTo("RequestResponse");
      JsonNode payload = invoke.json();
      assertThat(payload.size()).isEqualTo(2);
      assertThat(payload.get("taskId").asText()).isEqualTo("Breakfast");
      String key = payload.get("idempotencyKey").asText();
      assertThat(UUID.fromString(key).toString()).isEqualTo(key);
      assertThat(first.idempotencyKey()).isEqualTo(key);
      assertThat(second.idempotencyKey())
          .isEqualTo(invokes.get(1).json().get("idempotencyKey").asText())
          .isNotEqualTo(key);
    }
  }

  @Test
  void startReturnsTheStartersAnswerWithTheTimestampExactlyAsSent() {
    aws.starter(payload -> FakeAws.started(ANSWER));
    try (TaskStatusClient client = aws.client().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()) {
      TaskStart start = client.start("Breakfast");

      assertThat(start.taskId()).isEqualTo("Breakfast");
      assertThat(start.timestamp()).contains(new BigDecimal("1795617326.12340"));
      assertThat(start.timestamp().orElseThrow().scale()).isEqualTo(5);
      assertThat(start.executionArn())
          .contains(Items.ARN_PREFIX + "Breakfast-3c330ba0191d6a3a052afb7f");
      assertThat(start.duplicate()).isFalse();
      assertThat(start.messageId()).isEmpty();
      assertThat(start.requestedAt()).isEqualTo(NOW);
    }
  }

  @Test
  void aDuplicateWithoutTimestampIsReportedAsSuch() {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":null,"
                    + "\"executionArn\":\""
                    + Items.ARN_PREFIX
                    + "Breakfast-1\",\"executionName\":"
                    + "\"Breakfast-1\",\"duplicate\":true,\"somethingNew\":[1,2]}"));
    try (TaskStatusClient client = aws.client().build()) {
      TaskStart start = client.start("Breakfast");

      assertThat(start.duplicate()).isTrue();
      assertThat(start.timestamp()).isEmpty();
      assertThat(start.executionArn()).contains(Items.ARN_PREFIX + "Breakfast-1");
    }
  }

  @Test
  void aFunctionErrorBecomesATaskStartExceptionWithTheErrorTypeAndMessage() {
    aws.starter(
        payload ->
            FakeAws.functionError(
                TaskStartException.INVALID_TASK, "taskId must be a non-blank string"));
    try (TaskStatusClient client = aws.client().build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .isInstanceOfSatisfying(
              TaskStartException.class,
              e -> {
                assertThat(e.taskId()).isEqualTo("Breakfast");
                assertThat(e.functionError()).isEqualTo("Unhandled");
                assertThat(e.errorType())
                    .isEqualTo("io.github.taskstatus.starter.InvalidTaskException");
                assertThat(e.errorMessage()).isEqualTo("taskId must be a non-blank string");
                assertThat(e.isInvalidTask()).isTrue();
              })
          .hasMessage(
              "the starter did not start task 'Breakfast':"
                  + " io.github.taskstatus.starter.InvalidTaskException:"
                  + " taskId must be a non-blank string");
    }
  }

  @Test
  void otherFunctionErrorsAreNotInvalidTasks() {
    aws.starter(
        payload ->
            FakeAws.functionError(
                "software.amazon.awssdk.services.sfn.model.SfnException", "Rate exceeded"));
    try (TaskStatusClient client = aws.client().build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .isInstanceOfSatisfying(
              TaskStartException.class,
              e -> {
                assertThat(e.errorType())
                    .isEqualTo("software.amazon.awssdk.services.sfn.model.SfnException");
                assertThat(e.errorMessage()).isEqualTo("Rate exceeded");
                assertThat(e.isInvalidTask()).isFalse();
              });
    }
  }

  @Test
  void aFunctionErrorWithoutErrorTypeIsNamedByItsKind() {
    aws.starter(
        payload ->
            new FakeAws.Reply(
                200,
                Map.of("X-Amz-Function-Error", "Unhandled"),
                "{\"errorMessage\":\"Task timed out after 30.03 seconds\"}"));
    try (TaskStatusClient client = aws.client().build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .isInstanceOfSatisfying(
              TaskStartException.class,
              e -> {
                assertThat(e.errorType()).isEqualTo("Unhandled");
                assertThat(e.errorMessage()).isEqualTo("Task timed out after 30.03 seconds");
              });
    }
  }

  @Test
  void anAnswerWithoutExecutionArnIsAnError() {
    aws.starter(payload -> FakeAws.started("{\"taskId\":\"Breakfast\"}"));
    try (TaskStatusClient client = aws.client().build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .isExactlyInstanceOf(TaskStatusException.class)
          .hasMessage("the starter's answer for task 'Breakfast' has no executionArn; 22 bytes");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SECRET7f3a",
        "{\"taskId\":\"Breakfast\",\"executionArn\":SECRET7f3a}",
        "{\"taskId\":\"Breakfast\",\"timestamp\":\"SECRET7f3a\",\"executionArn\":\"a\"}",
        "{\"taskId\":\"Breakfast\",\"duplicate\":\"SECRET7f3a\",\"executionArn\":\"a\"}",
        "{\"taskId\":\"Breakfast\",\"executionArn\":\"SECRET7f3a",
        "[\"SECRET7f3a\"]",
        "\"SECRET7f3a\"",
        "{\"taskId\":\"Breakfast\",\"SECRET7f3a\":\"SECRET7f3a\"}",
      })
  void anAnswerThatIsNotTheDocumentedOneIsDescribedNeverQuoted(String answer) {
    aws.starter(payload -> FakeAws.started(answer));
    try (TaskStatusClient client = aws.client().build()) {
      Throwable thrown = catchThrowable(() -> client.start("Breakfast"));

      assertThat(thrown)
          .isExactlyInstanceOf(TaskStatusException.class)
          .hasMessageStartingWith("the starter's answer for task 'Breakfast' ")
          .hasMessageEndingWith("; " + answer.getBytes(StandardCharsets.UTF_8).length + " bytes");
      assertThat(printed(thrown)).doesNotContain("SECRET7f3a");
    }
  }

  @Test
  void anAnswerWithAValueOfTheWrongTypeNamesTheField() {
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":\"soon\",\"executionArn\":\"a\"}"));
    try (TaskStatusClient client = aws.client().build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .hasMessage(
              "the starter's answer for task 'Breakfast' is not the JSON object it documents:"
                  + " a value of the wrong type for timestamp; 60 bytes");
    }
  }

  @Test
  void aFunctionErrorWhosePayloadIsNotLambdasErrorJsonIsDescribedNeverQuoted() {
    aws.starter(
        payload ->
            new FakeAws.Reply(
                200, Map.of("X-Amz-Function-Error", "Unhandled"), "SECRET7f3a is not JSON"));
    try (TaskStatusClient client = aws.client().build()) {
      Throwable thrown = catchThrowable(() -> client.start("Breakfast"));

      assertThat(thrown)
          .isInstanceOfSatisfying(
              TaskStartException.class,
              e -> {
                assertThat(e.errorType()).isEqualTo("Unhandled");
                assertThat(e.errorMessage())
                    .isEqualTo("the error payload (22 bytes) is not Lambda's error JSON");
              });
      assertThat(printed(thrown)).doesNotContain("SECRET7f3a");
    }
  }

  /** Everything a throwable shows: its class, message and causes, as a stack trace prints them. */
  private static String printed(Throwable thrown) {
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void anAwsErrorSurfacesAsTheSdksOwnException() {
    try (TaskStatusClient client = aws.client().starterFunction("NoSuchFunction").build()) {
      assertThatThrownBy(() -> client.start("Breakfast"))
          .isInstanceOf(ResourceNotFoundException.class)
          .hasMessageContaining("Function not found: NoSuchFunction");
    }
  }

  @Test
  void queueModeSendsTheTaskToTheQueueAndReturnsTheMessageId() {
    try (TaskStatusClient client =
        aws.client().queueUrl(FakeAws.QUEUE_URL).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()) {
      TaskStart start = client.start("Breakfast");

      assertThat(aws.requests("Invoke")).isEmpty();
      List<FakeAws.Request> sends = aws.requests("SendMessage");
      assertThat(sends).hasSize(1);
      JsonNode send = sends.get(0).json();
      assertThat(send.get("QueueUrl").asText()).isEqualTo(FakeAws.QUEUE_URL);
      assertThat(send.get("MessageBody").asText())
          .isEqualTo(
              "{\"taskId\":\"Breakfast\","
                  + "\"idempotencyKey\":\""
                  + start.idempotencyKey()
                  + "\"}");
      assertThat(start.messageId()).hasValueSatisfying(id -> assertThat(id).isNotBlank());
      assertThat(start.idempotencyKey()).matches("[0-9a-f-]{36}");
      assertThat(start.executionArn()).isEmpty();
      assertThat(start.timestamp()).isEmpty();
      assertThat(start.duplicate()).isFalse();
      assertThat(start.requestedAt()).isEqualTo(Instant.parse("2026-11-23T10:35:26.123Z"));
    }
  }

  @Test
  void aTaskIdIsSentAsItIsWhateverItsCharacters() {
    String taskId = "Frühstück \"im\" Büro 🍳";
    aws.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":"
                    + FakeAws.JSON.valueToTree(taskId)
                    + ",\"timestamp\":1795617326,\"executionArn\":\""
                    + Items.ARN_PREFIX
                    + "x\"}"));
    try (TaskStatusClient client = aws.client().build()) {
      TaskStart start = client.start(taskId);

      assertThat(aws.requests("Invoke").get(0).json().get("taskId").asText()).isEqualTo(taskId);
      assertThat(start.timestamp()).contains(new BigDecimal("1795617326"));
    }
  }
}
