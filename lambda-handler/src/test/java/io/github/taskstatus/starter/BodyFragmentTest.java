package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * No fragment of an event or a message body reaches a log line or an error: bodies carrying a
 * secret-looking marker in every position the parser can stumble on, sent directly and in an SQS
 * batch. Jackson's own messages quote the offending token, so each would leak without care.
 */
class BodyFragmentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "SECRET7f3a";

  /** A number-shaped marker, for the places only a number can be. */
  private static final String DIGITS = "98245165317";

  private LocalStepFunctions service;
  private SfnClient client;
  private StarterHandler handler;
  private final List<String> logs = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    service = new LocalStepFunctions();
    client = service.client();
    handler = LocalStepFunctions.handler(client, Clock.systemUTC(), millis -> {});
  }

  @AfterEach
  void stop() {
    client.close();
    service.close();
  }

  /** Bad bodies, each named by what is wrong with it; every one holds a marker. */
  static Stream<Arguments> badBodies() {
    String s = SECRET;
    return Stream.of(
        body("a bare token", s),
        body("a bare token after an object opens", "{" + s + "}"),
        body("a token as a value", "{\"taskId\": " + s + "}"),
        body("a token after a valid field", "{\"taskId\":\"a\", " + s + "}"),
        body("a token instead of a colon", "{\"taskId\" " + s + "}"),
        body("a token inside an ignored field", "{\"taskId\":\"a\",\"x\":[1," + s + "]}"),
        body("a quoted token", "'" + s + "'"),
        body("a token as the key", "{\"taskId\":\"a\",\"idempotencyKey\":" + s + "}"),
        body("a bad escape", "{\"taskId\":\"" + s + "\\q" + s + "\"}"),
        body("a raw newline in a string", "{\"taskId\":\"" + s + "\n" + s + "\"}"),
        body("a number as taskId", "{\"taskId\":" + DIGITS + "}"),
        body("a fraction as taskId", "{\"taskId\":" + DIGITS + ".5e3}"),
        body("an object as taskId", "{\"taskId\":{\"" + s + "\":\"" + s + "\"}}"),
        body("an array as taskId", "{\"taskId\":[\"" + s + "\"]}"),
        body(
            "a boolean as taskId, marker beside it",
            "{\"" + s + "\":\"" + s + "\",\"taskId\":true}"),
        body("a number as the key", "{\"taskId\":\"a\",\"idempotencyKey\":" + DIGITS + "}"),
        body("an object as the key", "{\"taskId\":\"a\",\"idempotencyKey\":{\"k\":\"" + s + "\"}}"),
        body("a blank taskId beside the marker", "{\"taskId\":\" \",\"x\":\"" + s + "\"}"),
        body("no taskId, marker as a field", "{\"" + s + "\":\"" + s + "\"}"),
        body("a control character in taskId", "{\"taskId\":\"" + s + "\\u0007\"}"),
        body(
            "an unpaired surrogate in the key",
            "{\"taskId\":\"a\",\"idempotencyKey\":\"" + s + "\\ud800\"}"),
        body("truncated in a string", "{\"taskId\":\"" + s),
        body("truncated after a field name", "{\"taskId\":\"a\",\"" + s + "\":"),
        body("truncated in a field name", "{\"" + s),
        body("truncated in an ignored array", "{\"taskId\":\"a\",\"x\":[\"" + s + "\","),
        body("a closing bracket too many", "{\"taskId\":\"" + s + "\"}]"),
        body("trailing garbage", "{\"taskId\":\"a\"} " + s),
        body("a leading zero", "{\"x\":0" + DIGITS + ",\"taskId\":\"a\"}"),
        body("a huge taskId", "{\"taskId\":\"" + s.repeat(200) + "\"}"),
        body("a huge key", "{\"taskId\":\"a\",\"idempotencyKey\":\"" + s.repeat(40) + "\"}"),
        body("a body over the size limit", "{\"taskId\":\"" + s.repeat(7_000) + "\"}"),
        body("a huge number", "{\"x\":" + DIGITS.repeat(200) + ",\"taskId\":\"a\"}"),
        body(
            "deep nesting",
            "{\"x\":" + "[".repeat(2_000) + "\"" + s + "\"" + "]".repeat(2_000) + "}"));
  }

  private static Arguments body(String what, String body) {
    return Arguments.of(what, body);
  }

  private Throwable invokeDirect(byte[] event) {
    return catchThrowable(
        () ->
            handler.handleRequest(
                new ByteArrayInputStream(event), new ByteArrayOutputStream(), context()));
  }

  private TestContext context() {
    return new TestContext("req-" + System.nanoTime(), 30_000, logs);
  }

  private JsonNode invokeBatch(String event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, context());
    return JSON.readTree(out.toByteArray());
  }

  /** Everything a throwable shows: its class, message and causes, as a stack trace prints them. */
  private static String printed(Throwable thrown) {
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static String sqsEvent(String... bodies) {
    ObjectNode event = JSON.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (int i = 0; i < bodies.length; i++) {
      records
          .addObject()
          .put("messageId", "msg-" + i)
          .put("body", bodies[i])
          .put("eventSource", "aws:sqs")
          .put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:tasks");
    }
    return event.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void aBadDirectEventFailsWithAMessageThatQuotesNoneOfIt(String what, String body) {
    Throwable thrown = invokeDirect(body.getBytes(StandardCharsets.UTF_8));

    assertThat(thrown).isInstanceOf(InvalidTaskException.class).hasNoCause();
    assertThat(thrown.getMessage()).doesNotContain(SECRET).doesNotContain(DIGITS);
    assertThat(printed(thrown)).doesNotContain(SECRET).doesNotContain(DIGITS);
    assertThat(logs).noneMatch(l -> l.contains(SECRET) || l.contains(DIGITS));
    assertThat(service.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void aBadMessageIsRejectedWithAReasonThatQuotesNoneOfIt(String what, String body)
      throws IOException {
    JsonNode response = invokeBatch(sqsEvent(body, "{\"taskId\":\"good\"}"));

    assertThat(response.get("batchItemFailures").findValuesAsText("itemIdentifier"))
        .containsExactly("msg-0");
    assertThat(logs)
        .filteredOn(l -> l.contains("\"rejected\""))
        .singleElement()
        .satisfies(
            l -> {
              JsonNode line = JSON.readTree(l);
              assertThat(line.get("messageId").asText()).isEqualTo("msg-0");
              assertThat(line.get("reason").asText()).isNotBlank();
            });
    assertThat(logs).noneMatch(l -> l.contains(SECRET) || l.contains(DIGITS));
    assertThat(service.executions()).hasSize(1);
  }

  @Test
  void bytesThatAreNotUtf8AreNamedSoNotQuoted() throws IOException {
    byte[] marker = SECRET.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    event.write("{\"taskId\":\"".getBytes(StandardCharsets.US_ASCII));
    event.write(marker);
    event.write(new byte[] {(byte) 0xC3, (byte) 0x28});
    event.write(marker);
    event.write("\"}".getBytes(StandardCharsets.US_ASCII));

    Throwable thrown = invokeDirect(event.toByteArray());

    assertThat(thrown)
        .isInstanceOf(InvalidTaskException.class)
        .hasMessageStartingWith("event is not valid JSON: bytes that are not UTF-8 at line 1");
    assertThat(printed(thrown)).doesNotContain(SECRET);
  }

  @Test
  void aRecordThatIsNoSqsMessageIsNamedByItsPositionNotItsEventSource() throws IOException {
    ObjectNode event = (ObjectNode) JSON.readTree(sqsEvent("{\"taskId\":\"good\"}"));
    ((ArrayNode) event.get("Records"))
        .addObject()
        .put("eventSource", SECRET)
        .put("messageId", "m-1")
        .put("body", SECRET);

    invokeBatch(event.toString());

    assertThat(logs)
        .filteredOn(l -> l.contains("\"rejected\""))
        .singleElement()
        .satisfies(
            l ->
                assertThat(JSON.readTree(l).get("reason").asText())
                    .isEqualTo("record 1 is not an SQS message (its eventSource is not aws:sqs)"));
    assertThat(logs).noneMatch(l -> l.contains(SECRET));
  }

  @Test
  void aBatchThatIsNotJsonFailsWithAMessageThatQuotesNoneOfIt() {
    String event =
        "{\"Records\":[{\"messageId\":\"m\",\"eventSource\":\"aws:sqs\",\"body\":\"{}\"},"
            + SECRET
            + "]}";

    Throwable thrown = invokeDirect(event.getBytes(StandardCharsets.UTF_8));

    assertThat(thrown).isInstanceOf(InvalidTaskException.class).hasNoCause();
    assertThat(printed(thrown)).doesNotContain(SECRET);
  }

  @Test
  void messagesSayWhatIsWrongAndWhere() {
    assertThat(invokeDirect("{\"taskId\": SECRET}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("event is not valid JSON: a token that is not JSON at line 1, column 12");
    assertThat(invokeDirect("{\"taskId\":\n  \"a".getBytes(StandardCharsets.UTF_8)))
        .hasMessage(
            "event is not valid JSON: an end before the JSON is complete at line 2, column 5");
    assertThat(invokeDirect("{\"taskId\":[\"a\"]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("taskId must be a string, got an array");
  }
}
