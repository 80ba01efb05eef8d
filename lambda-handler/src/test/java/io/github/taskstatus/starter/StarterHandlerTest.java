package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.taskstatus.client.ExecutionNames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SfnException;

/** The real handler, the real SDK client and a Step Functions endpoint on 127.0.0.1. */
class StarterHandlerTest {
  /**
   * Numbers read as written: as doubles, a timestamp whose last digit is 0 would lose it, and its
   * scale with it (one start in ten).
   */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final long NOW = 1_767_225_600L;
  private static final String VALID_NAME = "[A-Za-z0-9_-]{1,80}";

  private LocalStepFunctions service;
  private SfnClient client;
  private final List<Long> pauses = new ArrayList<>();
  private final List<String> logs = new ArrayList<>();
  private StarterHandler handler;
  private final AtomicLong now = new AtomicLong(NOW * 1000);

  @BeforeEach
  void start() throws IOException {
    service = new LocalStepFunctions();
    client = service.client();
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(now.get());
          }
        };
    handler = LocalStepFunctions.handler(client, clock, pauses::add);
  }

  @AfterEach
  void stop() {
    client.close();
    service.close();
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonNode invoke(String event, String requestId) throws IOException {
    return invoke(event, requestId, 30_000);
  }

  private JsonNode invoke(String event, String requestId, int remainingMillis) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        new TestContext(requestId, remainingMillis, logs));
    return JSON.readTree(out.toByteArray());
  }

  @Test
  void startsTheStateMachineWithTaskIdAndTimestampAsANumber() throws IOException {
    JsonNode result = invoke("{\"taskId\":\"Breakfast\"}", "req-1");

    assertThat(service.requests()).hasSize(1);
    JsonNode sent = service.requests().get(0);
    assertThat(sent.get("stateMachineArn").asText())
        .isEqualTo(LocalStepFunctions.STATE_MACHINE_ARN);
    JsonNode input = JSON.readTree(sent.get("input").asText());
    assertThat(input.get("taskId").asText()).isEqualTo("Breakfast");
    assertThat(input.get("timestamp").isNumber()).isTrue();
    assertThat(input.get("timestamp").decimalValue().longValue()).isEqualTo(NOW);
    assertThat(input.get("timestamp").decimalValue().scale()).isEqualTo(TaskTimestamps.SCALE);
    assertThat(input.get("moves"))
        .extracting(JsonNode::longValue)
        .containsExactly(
            NOW + 1, NOW + 2, NOW + 3, NOW + 4, NOW + 5, NOW + 6, NOW + 7, NOW + 8, NOW + 9,
            NOW + 10);
    assertThat(input.has("expiresAt")).as("no retention, no expiry").isFalse();
    assertThat(input.size()).isEqualTo(3);
    assertThat(sent.get("name").asText()).matches(VALID_NAME).startsWith("Breakfast-");

    assertThat(result.get("taskId").asText()).isEqualTo("Breakfast");
    assertThat(result.get("timestamp").decimalValue())
        .isEqualTo(input.get("timestamp").decimalValue());
    assertThat(result.get("executionArn").asText())
        .isEqualTo(
            "arn:aws:states:us-east-1:123456789012:execution:Tasks:" + sent.get("name").asText());
    assertThat(result.get("duplicate").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Frühstück mit Ümlauts",
        "任务-42",
        "emoji 🍳 and spaces",
        "a<b>{c}[d]?*\"#%\\^|~`$&,;:/",
        "-",
        "_",
        "\uD83C\uDF73 a surrogate pair" // U+1F373, escaped so that the pair is visible
      })
  void executionNamesFollowTheServiceRulesForAnyTaskId(String taskId) throws IOException {
    String event = JSON.writeValueAsString(java.util.Map.of("taskId", taskId));
    invoke(event, "req-a");
    invoke(event, "req-b");

    String first = service.requests().get(0).get("name").asText();
    String second = service.requests().get(1).get("name").asText();
    assertThat(first).matches(VALID_NAME);
    assertThat(second).matches(VALID_NAME).isNotEqualTo(first);
    assertThat(
            JSON.readTree(service.requests().get(0).get("input").asText()).get("taskId").asText())
        .isEqualTo(taskId);
  }

  @Test
  void veryLongTaskIdsStillGiveShortUniqueNames() throws IOException {
    String common = "x".repeat(1000);
    invoke("{\"taskId\":\"" + common + "A\"}", "req-1");
    invoke("{\"taskId\":\"" + common + "B\"}", "req-1");

    List<String> names = service.requests().stream().map(r -> r.get("name").asText()).toList();
    assertThat(names).allSatisfy(n -> assertThat(n).matches(VALID_NAME).hasSize(80));
    assertThat(names.get(0)).isNotEqualTo(names.get(1));
  }

  @Test
  void aRetryAtOnceGetsTheSameExecutionBackWithoutReadingIt() throws IOException {
    JsonNode first = invoke("{\"taskId\":\"Lunch\"}", "same-request");
    JsonNode retry = invoke("{\"taskId\":\"Lunch\"}", "same-request");

    assertThat(service.executions()).hasSize(1);
    assertThat(retry.get("duplicate").asBoolean()).isTrue();
    assertThat(retry.get("executionArn").asText()).isEqualTo(first.get("executionArn").asText());
    assertThat(retry.get("timestamp").isNull())
        .as("the role may not DescribeExecution: the item is found by its ExecutionArn")
        .isTrue();
    assertThat(service.requests()).extracting(r -> r.has("input")).containsOnly(true);
  }

  @Test
  void sameSecondStartsOfOneTaskGetDistinctTimestampsThatTheAnswersReport() throws IOException {
    List<java.math.BigDecimal> answered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answered.add(invoke("{\"taskId\":\"Dup\"}", "req-" + i).get("timestamp").decimalValue());
    }

    assertThat(answered)
        .doesNotHaveDuplicates()
        .isSorted()
        .allSatisfy(t -> assertThat(t.longValue()).isEqualTo(NOW));
    List<java.math.BigDecimal> sent =
        service.requests().stream()
            .map(r -> readTree(r.get("input").asText()).get("timestamp").decimalValue())
            .toList();
    assertThat(sent).isEqualTo(answered);
  }

  @Test
  void aRetriedInvocationInALaterSecondStartsNoSecondExecution() throws IOException {
    final JsonNode first = invoke("{\"taskId\":\"Lunch\"}", "same-request");
    now.addAndGet(5_000);
    JsonNode retry = invoke("{\"taskId\":\"Lunch\"}", "same-request");

    assertThat(service.requests()).hasSize(2);
    assertThat(retry.get("duplicate").asBoolean()).isTrue();
    assertThat(retry.get("executionArn").asText()).isEqualTo(first.get("executionArn").asText());
    assertThat(retry.get("timestamp").isNull()).isTrue();
  }

  @Test
  void anExplicitIdempotencyKeyWinsOverTheRequestId() throws IOException {
    JsonNode first = invoke("{\"taskId\":\"Lunch\",\"idempotencyKey\":\"order-7\"}", "req-1");
    JsonNode second = invoke("{\"taskId\":\"Lunch\",\"idempotencyKey\":\"order-7\"}", "req-2");
    JsonNode other = invoke("{\"taskId\":\"Lunch\",\"idempotencyKey\":\"order-8\"}", "req-3");

    assertThat(second.get("executionName").asText()).isEqualTo(first.get("executionName").asText());
    assertThat(other.get("executionName").asText())
        .isNotEqualTo(first.get("executionName").asText());
  }

  @Test
  void throttlingIsRetriedWithGrowingBackoffThenSucceeds() throws IOException {
    service.failNext(3, 400, "ThrottlingException");

    JsonNode result = invoke("{\"taskId\":\"Dinner\"}", "req-1");

    assertThat(service.requests()).hasSize(4);
    assertThat(result.get("duplicate").asBoolean()).isFalse();
    assertThat(pauses).hasSize(3);
    assertThat(pauses.get(0)).isBetween(50L, 100L);
    assertThat(pauses.get(2)).isBetween(200L, 400L);
  }

  @Test
  void logsOneJsonLinePerDecisionWithoutTheEvent() throws IOException {
    service.failNext(1, 400, "ThrottlingException");

    invoke("{\"taskId\":\"Dinner\",\"secret\":\"do-not-log\"}", "req-1");

    assertThat(logs).hasSize(2);
    JsonNode retrying = JSON.readTree(logs.get(0));
    assertThat(retrying.get("event").asText()).isEqualTo("retrying");
    assertThat(retrying.get("error").asText()).isEqualTo("ThrottlingException");
    assertThat(retrying.get("attempt").asInt()).isEqualTo(1);
    JsonNode started = JSON.readTree(logs.get(1));
    assertThat(started.get("event").asText()).isEqualTo("started");
    assertThat(started.get("taskId").asText()).isEqualTo("Dinner");
    assertThat(started.get("attempt").asInt()).isEqualTo(2);
    assertThat(logs).noneMatch(line -> line.contains("do-not-log"));
  }

  @Test
  void serverErrorsAreRetried() throws IOException {
    service.failNext(1, 500, "InternalFailure");

    invoke("{\"taskId\":\"Dinner\"}", "req-1");

    assertThat(service.requests()).hasSize(2);
  }

  @Test
  void persistentThrottlingSurfacesAfterTheAttemptLimit() {
    service.failNext(TaskStarter.MAX_ATTEMPTS + 5, 400, "ThrottlingException");

    assertThatThrownBy(() -> invoke("{\"taskId\":\"Dinner\"}", "req-1"))
        .isInstanceOf(SfnException.class)
        .hasMessageContaining("ThrottlingException");
    assertThat(service.requests()).hasSize(TaskStarter.MAX_ATTEMPTS);
  }

  @Test
  void retriesStopWhenTheFunctionsTimeBudgetRunsOut() {
    service.failNext(5, 400, "ThrottlingException");

    assertThatThrownBy(() -> invoke("{\"taskId\":\"Dinner\"}", "req-1", 2_000))
        .isInstanceOf(SfnException.class);
    assertThat(service.requests()).hasSize(1);
  }

  @Test
  void validationErrorsAreNotRetried() {
    service.failNext(1, 400, "InvalidExecutionInput");

    assertThatThrownBy(() -> invoke("{\"taskId\":\"Dinner\"}", "req-1"))
        .isInstanceOf(SfnException.class)
        .hasMessageContaining("InvalidExecutionInput");
    assertThat(service.requests()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}|event has no taskId",
        "{\"taskId\":42}|taskId must be a string, got a number",
        "{\"taskId\":null}|taskId must be a string, got null",
        "{\"taskId\":{\"a\":1}}|taskId must be a string, got an object",
        "{\"taskId\":\"   \"}|taskId must be a non-blank string",
        "{\"taskId\":\"\"}|taskId must be a non-blank string",
        "[\"taskId\"]|event must be a JSON object",
        "\"Breakfast\"|event must be a JSON object",
        "{\"taskId\":|event is not valid JSON: an end before the JSON is complete at line 1",
        "{\"taskId\":\"a\"} {}|event has more after its JSON object, from line 1, column 16",
        "{\"taskId\":\"a\",\"idempotencyKey\":7}|idempotencyKey must be a string",
        "{\"taskId\":\"tab\\tx\"}|taskId has the control character U+0009 at index 3",
        "{\"taskId\":\"nul\\u0000\"}|taskId has the control character U+0000 at index 3",
        "{\"taskId\":\"a\\ud800b\"}|taskId has an unpaired surrogate U+D800 at index 1",
        "{\"taskId\":\"a\\udc00\"}|taskId has an unpaired surrogate U+DC00 at index 1",
        "{\"taskId\":\"a\",\"idempotencyKey\":\"k\\ud83c\"}|idempotencyKey has an unpaired"
            + " surrogate U+D83C at index 1",
        "{\"Records\":[]}|event has no taskId",
        "{\"Records\":[42]}|event has no taskId",
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"messageId\":\"m\"}]}|event has no taskId",
      })
  void badEventsAreRejectedWithAClearMessageAndStartNothing(String row) {
    String[] parts = row.split("\\|");
    assertThatThrownBy(() -> invoke(parts[0], "req-1"))
        .isInstanceOf(InvalidTaskException.class)
        .hasMessageContaining(parts[1]);
    assertThat(service.requests()).isEmpty();
  }

  @Test
  void overLongTaskIdsAreRejected() {
    String taskId = "é".repeat(StartRequest.MAX_TASK_ID_BYTES / 2 + 1);
    assertThatThrownBy(() -> invoke("{\"taskId\":\"" + taskId + "\"}", "req-1"))
        .isInstanceOf(InvalidTaskException.class)
        .hasMessage("taskId is 1026 bytes in UTF-8; the maximum is 1024");
  }

  @Test
  void oversizedEventsAreRejectedBeforeParsing() {
    String event =
        "{\"taskId\":\"a\",\"pad\":\"" + "x".repeat(StartRequest.MAX_EVENT_BYTES) + "\"}";
    assertThatThrownBy(() -> invoke(event, "req-1"))
        .isInstanceOf(InvalidTaskException.class)
        .hasMessageContaining("the maximum is " + StartRequest.MAX_EVENT_BYTES);
  }

  @Test
  void aDirectEventThatMerelyHasRecordsIsADirectEvent() throws IOException {
    JsonNode result =
        invoke(
            "{\"taskId\":\"Direct\",\"Records\":[{\"eventSource\":\"aws:sqs\","
                + "\"messageId\":\"m\",\"body\":\"{\\\"taskId\\\":\\\"Other\\\"}\"}]}",
            "req-1");

    assertThat(result.get("taskId").asText()).isEqualTo("Direct");
    assertThat(service.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.get("input").asText()).contains("\"Direct\""));
  }

  @Test
  void anOversizedDirectEventIsRejectedForItsSizeWithoutBeingParsed() {
    String broken = "{\"taskId\":\"a\",\"pad\":\"" + "x".repeat(StartRequest.MAX_EVENT_BYTES);

    assertThatThrownBy(() -> invoke(broken, "req-1"))
        .isInstanceOf(InvalidTaskException.class)
        .hasMessage(
            "event is "
                + (broken.length())
                + " bytes; the maximum is "
                + StartRequest.MAX_EVENT_BYTES);
    assertThat(service.requests()).isEmpty();
  }

  @Test
  void theExecutionNameIsTheOneTheClientDerivesFromTheTaskIdAndTheKey() throws IOException {
    JsonNode keyed = invoke("{\"taskId\":\"Tea\",\"idempotencyKey\":\"k-1\"}", "req-1");
    JsonNode unkeyed = invoke("{\"taskId\":\"Tea\"}", "req-2");

    assertThat(keyed.get("executionName").asText()).isEqualTo(ExecutionNames.of("Tea", "k-1"));
    assertThat(unkeyed.get("executionName").asText()).isEqualTo(ExecutionNames.of("Tea", "req-2"));
    assertThat(keyed.get("executionArn").asText()).endsWith(":" + ExecutionNames.of("Tea", "k-1"));
  }

  @Test
  void everyAttemptHasATimeoutAndRetriesStayWithinTheBudget() {
    service.delayAnswers(TaskStarter.ATTEMPT_TIMEOUT_MILLIS + 1_000);
    long started = System.nanoTime();

    assertThatThrownBy(() -> invokeWithDeadline("{\"taskId\":\"Slow\"}", 8_000))
        .isInstanceOf(software.amazon.awssdk.core.exception.SdkClientException.class);

    long elapsed = (System.nanoTime() - started) / 1_000_000;
    assertThat(elapsed).isLessThan(8_000 - TaskStarter.RESERVE_MILLIS + 500);
    assertThat(service.arrivals()).isBetween(2, 3);
    assertThat(logs)
        .last()
        .satisfies(
            l ->
                assertThat(readTree(l).get("error").asText())
                    .startsWith("ApiCallAttemptTimeoutException"));
  }

  private JsonNode invokeWithDeadline(String event, long budgetMillis) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        TestContext.withDeadline("req-deadline", budgetMillis, logs));
    return JSON.readTree(out.toByteArray());
  }
}
