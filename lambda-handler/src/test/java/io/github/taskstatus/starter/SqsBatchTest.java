package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;

/** SQS batches through the real handler, against a Step Functions endpoint on 127.0.0.1. */
class SqsBatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** An SQS event as Lambda's event source delivers it. */
  static String sqsEvent(List<String[]> idAndBody) {
    ObjectNode event = JSON.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (String[] message : idAndBody) {
      ObjectNode record = records.addObject();
      record.put("messageId", message[0]);
      record.put("receiptHandle", "handle-" + message[0]);
      record.put("body", message[1]);
      record.putObject("attributes").put("ApproximateReceiveCount", "1");
      record.putObject("messageAttributes");
      record.put("md5OfBody", "0");
      record.put("eventSource", "aws:sqs");
      record.put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:tasks");
      record.put("awsRegion", "us-east-1");
    }
    return event.toString();
  }

  private List<String> invoke(String event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        new TestContext("request-" + System.nanoTime(), 60_000, logs));
    JsonNode response = JSON.readTree(out.toByteArray());
    assertThat(response.fieldNames()).toIterable().containsExactly("batchItemFailures");
    List<String> failed = new ArrayList<>();
    response.get("batchItemFailures").forEach(f -> failed.add(f.get("itemIdentifier").asText()));
    return failed;
  }

  private static List<String[]> tasks(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> new String[] {"msg-" + i, "{\"taskId\":\"task-" + i + "\"}"})
        .toList();
  }

  @Test
  void aBatchOfTenWithThreeThrottledItemsReportsExactlyThoseThree() throws IOException {
    service.throttleAlways(List.of("task-2", "task-5", "task-9"));

    List<String> failed = invoke(sqsEvent(tasks(10)));

    assertThat(failed).containsExactlyInAnyOrder("msg-2", "msg-5", "msg-9");
    assertThat(service.executions()).hasSize(7);
    long throttledCalls =
        service.requests().stream().filter(r -> r.get("input").asText().contains("task-5")).count();
    assertThat(throttledCalls).isEqualTo(TaskStarter.MAX_ATTEMPTS);
  }

  @Test
  void malformedBodiesAreReportedAndLoggedWithTheirMessageIdWithoutPoisoningTheBatch()
      throws IOException {
    List<String> failed =
        invoke(
            sqsEvent(
                List.of(
                    new String[] {"good-1", "{\"taskId\":\"a\"}"},
                    new String[] {"not-json", "taskId=a"},
                    new String[] {"no-task", "{\"id\":\"a\"}"},
                    new String[] {"number", "{\"taskId\":7}"},
                    new String[] {"good-2", "{\"taskId\":\"b\"}"})));

    assertThat(failed).containsExactlyInAnyOrder("not-json", "no-task", "number");
    assertThat(service.executions()).hasSize(2);
    assertThat(logs)
        .filteredOn(l -> l.contains("\"rejected\""))
        .hasSize(3)
        .anySatisfy(
            l -> assertThat(JSON.readTree(l).get("messageId").asText()).isEqualTo("number"));
  }

  @Test
  void aRedeliveredMessageStartsNoSecondExecution() throws IOException {
    String event = sqsEvent(tasks(3));

    assertThat(invoke(event)).isEmpty();
    assertThat(invoke(event)).isEmpty();

    assertThat(service.executions()).hasSize(3);
  }

  @Test
  void aRedeliveryInALaterSecondIsReportedAsADuplicateNotAFailure() throws Exception {
    String event = sqsEvent(tasks(2));
    assertThat(invoke(event)).isEmpty();
    Thread.sleep(1100);

    assertThat(invoke(event)).isEmpty();

    assertThat(service.executions()).hasSize(2);
    assertThat(logs).filteredOn(l -> l.contains("\"duplicate\"")).hasSize(2);
  }

  @Test
  void twoMessagesForTheSameTaskAreTwoStarts() throws IOException {
    assertThat(
            invoke(
                sqsEvent(
                    List.of(
                        new String[] {"first", "{\"taskId\":\"same\"}"},
                        new String[] {"second", "{\"taskId\":\"same\"}"}))))
        .isEmpty();

    assertThat(service.executions()).hasSize(2);
  }

  @Test
  void transientFailuresAreRetriedWithinTheBatch() throws IOException {
    service.failNext(4, 500, "ServiceUnavailable");

    assertThat(invoke(sqsEvent(tasks(10)))).isEmpty();
    assertThat(service.executions()).hasSize(10);
  }

  @Test
  void unusableRecordsAreReportedWithoutFailingTheirNeighbours() throws IOException {
    ObjectNode event =
        (ObjectNode)
            JSON.readTree(
                sqsEvent(
                    List.of(
                        new String[] {"good-1", "{\"taskId\":\"a\"}"},
                        new String[] {"good-2", "{\"taskId\":\"b\"}"})));
    ArrayNode records = (ArrayNode) event.get("Records");
    records.add(42);
    records.addObject().put("eventSource", "aws:sqs").put("body", "{\"taskId\":\"c\"}");
    records.addObject().put("eventSource", "aws:kinesis").put("messageId", "kinesis-1");
    records.addObject().put("eventSource", "aws:sqs").put("messageId", "no-body");

    List<String> failed = invoke(event.toString());

    assertThat(service.executions()).hasSize(2);
    assertThat(failed).containsExactlyInAnyOrder("", "", "kinesis-1", "no-body");
    assertThat(logs)
        .filteredOn(l -> l.contains("\"rejected\""))
        .extracting(l -> JSON.readTree(l).get("reason").asText())
        .containsExactlyInAnyOrder(
            "record 2 is not an object",
            "record 3 has no messageId",
            "record 4 is not an SQS message (its eventSource is not aws:sqs)",
            "record 5 has no body");
  }

  @Test
  void messagesWhoseTurnComesAfterTheBudgetRanOutAreReportedUnattempted() throws IOException {
    service.delayAnswers(1_000);
    String event = sqsEvent(tasks(30));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        TestContext.withDeadline(
            "budget",
            TaskStarter.RESERVE_MILLIS + TaskStarter.ATTEMPT_TIMEOUT_MILLIS + 1_500,
            logs));
    List<String> failed = new ArrayList<>();
    JSON.readTree(out.toByteArray())
        .get("batchItemFailures")
        .forEach(f -> failed.add(f.get("itemIdentifier").asText()));

    List<String> started =
        service.executions().values().stream()
            .map(input -> "msg-" + input.replaceAll(".*task-(\\d+).*", "$1"))
            .toList();
    assertThat(failed).isNotEmpty().doesNotHaveDuplicates().doesNotContainAnyElementsOf(started);
    assertThat(failed.size() + started.size()).isEqualTo(30);
    assertThat(logs).filteredOn(l -> l.contains("\"deferred\"")).hasSize(failed.size());
    assertThat(service.arrivals()).isEqualTo(started.size());
  }
}
