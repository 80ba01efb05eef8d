package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Queue mode end to end: messages sent to the local SQS queue, batched by the local event source
 * mapping into the starter in the local Lambda, started in the real interpreter. Every message ends
 * DONE, FAILED, or in the dead-letter queue after maxReceiveCount receives; a redrive moves dead
 * letters back and they start.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class QueueEndToEndIT {
  private LocalCloud cloud;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static Synth queued(int maxReceiveCount) {
    Function<Stack, TaskStatusWorkflowProps> props =
        stack ->
            TaskStatusWorkflowProps.builder()
                .queueOptions(TaskQueueOptions.builder().maxReceiveCount(maxReceiveCount).build())
                .work(
                    Choice.Builder.create(stack, "Check")
                        .build()
                        .when(
                            Condition.stringMatches("$.taskId", "fail-*"),
                            Fail.Builder.create(stack, "Refuse")
                                .error("Refused")
                                .cause("fail-*")
                                .build())
                        .otherwise(
                            Wait.Builder.create(stack, "Cook")
                                .time(WaitTime.duration(Duration.seconds(1)))
                                .build()))
                .build();
    return Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks", props.apply(stack)));
  }

  private void send(String... bodies) {
    String queue = cloud.queueUrl("TasksQueue");
    for (String body : bodies) {
      cloud.sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));
    }
  }

  private List<Message> deadLetters(int expected) {
    String dlq = cloud.queueUrl("TasksDeadLetterQueue");
    return LocalCloud.poll(
        () ->
            cloud
                .sqs
                .receiveMessage(
                    b ->
                        b.queueUrl(dlq)
                            .maxNumberOfMessages(10)
                            .visibilityTimeout(0)
                            .messageSystemAttributeNamesWithStrings("All"))
                .messages(),
        messages -> messages.size() >= expected,
        "dead letters");
  }

  private Map<String, AttributeValue> onlyItem(String taskId) {
    List<Map<String, AttributeValue>> items =
        LocalCloud.poll(
            () -> cloud.items(taskId),
            list -> !list.isEmpty() && !list.get(0).get("Status").s().equals("STARTED"),
            "a final item for " + taskId);
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  @Test
  void everyMessageEndsDoneFailedOrInTheDeadLetterQueueAndNoneStartsTwice() {
    cloud = LocalCloud.start(queued(2), "--visibility-timeout-ms", "1500");

    send(
        "{\"taskId\":\"Queued-1\"}",
        "{\"taskId\":\"Queued-2\"}",
        "{\"taskId\":\"fail-3\"}",
        "not json at all",
        "{\"task\":\"typo\"}",
        "{\"taskId\":\"Dup\"}",
        "{\"taskId\":\"Dup\"}",
        "{\"taskId\":\"Dup\"}");

    assertThat(onlyItem("Queued-1").get("Status").s()).isEqualTo("DONE");
    assertThat(onlyItem("Queued-2").get("Status").s()).isEqualTo("DONE");
    assertThat(onlyItem("fail-3").get("Error").s()).isEqualTo("Refused");
    List<Map<String, AttributeValue>> dup =
        LocalCloud.poll(
            () -> cloud.items("Dup"),
            list -> list.size() == 3 && list.stream().allMatch(LocalCloud.status("DONE")::test),
            "three Dup starts");
    assertThat(dup).extracting(i -> i.get("ExecutionArn").s()).doesNotHaveDuplicates();
    List<Message> dead = deadLetters(2);
    assertThat(dead)
        .extracting(Message::body)
        .containsExactlyInAnyOrder("not json at all", "{\"task\":\"typo\"}");
    assertThat(dead)
        .allSatisfy(
            m ->
                assertThat(m.attributesAsStrings().get("DeadLetterQueueSourceArn"))
                    .contains("TasksQueue"));

    cloud.awaitQuiet();
    assertThat(cloud.allItems())
        .hasSize(6)
        .allSatisfy(i -> assertThat(i.get("Status").s()).isIn("DONE", "FAILED"));
    List<String> lines = new java.util.ArrayList<>();
    cloud.inspect("logs").forEach(entry -> lines.add(entry.get("line").asText()));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).contains("rejected").contains("event has no taskId"));
  }

  @Test
  void messagesThrottledPastTheirReceivesGoToTheDeadLetterQueueAndARedriveStartsThem() {
    // Two receives of eight StartExecution attempts each, all throttled.
    cloud =
        LocalCloud.start(
            queued(2),
            "--visibility-timeout-ms",
            "1500",
            "--fault-api",
            "StartExecution=ThrottlingException:16");
    send("{\"taskId\":\"Later\"}");
    List<Message> dead = deadLetters(1);
    assertThat(dead).singleElement().extracting(Message::body).isEqualTo("{\"taskId\":\"Later\"}");
    assertThat(cloud.items("Later")).isEmpty();

    String dlqArn =
        cloud
            .sqs
            .getQueueAttributes(
                b ->
                    b.queueUrl(cloud.queueUrl("TasksDeadLetterQueue"))
                        .attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    cloud.sqs.startMessageMoveTask(b -> b.sourceArn(dlqArn));

    assertThat(onlyItem("Later").get("Status").s()).isEqualTo("DONE");
  }
}
