package io.github.taskstatus;

import static io.github.taskstatus.LocalWorkflow.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;

/**
 * Queue mode end to end: SQS batches, as the event source delivers them, through the real
 * handler jar into the real interpreter and the local DynamoDB. Every message ends DONE, FAILED
 * or reported for redelivery (and so, in the end, the dead-letter queue).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QueueEndToEndIT {
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static LocalWorkflow local;

  @BeforeAll
  static void start() {
    local = LocalWorkflow.start(Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder().queue(true)
            .work(Choice.Builder.create(stack, "Check").build()
                .when(Condition.stringMatches("$.taskId", "fail-*"),
                    Fail.Builder.create(stack, "Refuse").error("Refused").cause("fail-*").build())
                .otherwise(Wait.Builder.create(stack, "Cook")
                    .time(WaitTime.duration(software.amazon.awscdk.Duration.seconds(1))).build()))
            .build())));
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
  }

  /** An SQS event as Lambda's event source mapping delivers it. */
  private static String sqsEvent(String[]... idAndBody) {
    ObjectNode event = Synth.object();
    ArrayNode records = event.putArray("Records");
    for (String[] message : idAndBody) {
      ObjectNode record = records.addObject();
      record.put("messageId", message[0]);
      record.put("receiptHandle", "handle-" + message[0]);
      record.put("body", message[1]);
      record.putObject("attributes").put("ApproximateReceiveCount", "1");
      record.put("eventSource", "aws:sqs");
      record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:tasks");
    }
    return event.toString();
  }

  private static List<String> failures(LocalWorkflow.Invocation invocation) {
    assertThat(invocation.failed()).as("starter output %s", invocation.output()).isFalse();
    List<String> ids = new ArrayList<>();
    for (JsonNode failure : invocation.output().get("batchItemFailures")) {
      ids.add(failure.get("itemIdentifier").asText());
    }
    return ids;
  }

  @Test
  void everyMessageEndsDoneFailedOrReportedAndRedeliveryAddsNothing() {
    String batch = sqsEvent(
        new String[] {"m-1", "{\"taskId\":\"Queued-1\"}"},
        new String[] {"m-2", "{\"taskId\":\"Queued-2\"}"},
        new String[] {"m-3", "{\"taskId\":\"fail-3\"}"},
        new String[] {"m-4", "not json at all"},
        new String[] {"m-5", "{\"task\":\"typo\"}"},
        new String[] {"m-6", "{\"taskId\":\"Queued-6\"}"});

    List<String> reported = failures(local.invoke(batch));

    assertThat(reported).containsExactlyInAnyOrder("m-4", "m-5");
    Map<String, String> finalStatus = new java.util.TreeMap<>();
    for (String taskId : List.of("Queued-1", "Queued-2", "fail-3", "Queued-6")) {
      long timestamp = Long.parseLong(awaitOneItem(taskId).get("timestamp").n());
      finalStatus.put(taskId, local.awaitItem(taskId, timestamp,
          status("DONE").or(status("FAILED")), PATIENCE).get("Status").s());
    }
    assertThat(finalStatus).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
        "Queued-1", "DONE", "Queued-2", "DONE", "Queued-6", "DONE", "fail-3", "FAILED")));
    // Six messages: four recorded (three DONE, one FAILED) and two reported; none lost.
    assertThat(finalStatus.size() + reported.size()).isEqualTo(6);

    // The visibility timeout expires and SQS delivers the same messages again.
    List<String> reportedAgain = failures(local.invoke(batch));

    assertThat(reportedAgain).containsExactlyInAnyOrder("m-4", "m-5");
    assertThat(local.allItems()).hasSize(4);
  }

  private static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>
      awaitOneItem(String taskId) {
    var items = LocalWorkflow.poll(() -> local.items(taskId), list -> !list.isEmpty(), PATIENCE,
        "an item for " + taskId);
    assertThat(items).hasSize(1);
    return items.get(0);
  }
}
