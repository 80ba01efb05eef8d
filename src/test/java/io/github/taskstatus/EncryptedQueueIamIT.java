package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * IAM with the resource policies a queue-mode workflow encrypted with a customer managed key has:
 * the key policy (which must allow each principal itself or through the account, with the SQS,
 * DynamoDB and CloudWatch Logs encryption contexts), the queues' SSL-only policies, and the
 * reconciler dead-letter queue's policy for EventBridge. Producers, applications and operators act
 * through their grants; a stranger is refused; every grant of the workflow's roles that a queue or
 * the key asks for is needed by a request of these runs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptedQueueIamIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static LocalCloud cloud;

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.start(
            Synth.stack(
                stack -> {
                  Key key = Synth.key(stack);
                  TaskStatusWorkflow tasks =
                      TaskStatusWorkflow.Builder.create(stack, "Tasks")
                          .encryptionKey(key)
                          .queue(true)
                          .queueOptions(TaskQueueOptions.builder().maxReceiveCount(2).build())
                          .failedTaskIndex(true)
                          .retention(software.amazon.awscdk.Duration.days(30))
                          .work(Synth.failingWork(stack))
                          .build();
                  Role producer = Synth.role(stack, "Producer");
                  tasks.grantSendTasks(producer);
                  Role app = Synth.role(stack, "App");
                  tasks.grantStartTask(app);
                  tasks.grantReadStatus(app);
                  tasks.grantRedriveDeadLetters(Synth.role(stack, "Operator"));
                  Synth.role(stack, "Stranger");
                }),
            "--visibility-timeout-ms",
            "1500",
            // The sweeper runs (every second), so that its grants are used and checked too.
            "--schedule-ms",
            "TasksSweepSchedule=1000",
            "--fault-api",
            "StartExecution=ThrottlingException:16",
            "--async-retry-ms",
            "20,20",
            "--fail-target",
            "TasksReconcileRule=186",
            "--event-retry-ms",
            "1");
  }

  @AfterAll
  static void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static String queueArn(String prefix) {
    return cloud
        .sqs
        .getQueueAttributes(
            b -> b.queueUrl(cloud.queueUrl(prefix)).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes()
        .get(QueueAttributeName.QUEUE_ARN);
  }

  private static List<Message> messages(String queuePrefix) {
    return LocalCloud.poll(
        () ->
            cloud
                .sqs
                .receiveMessage(
                    b ->
                        b.queueUrl(cloud.queueUrl(queuePrefix))
                            .maxNumberOfMessages(10)
                            .visibilityTimeout(0))
                .messages(),
        list -> !list.isEmpty(),
        "a message in " + queuePrefix);
  }

  @Test
  @Order(1)
  void aMessageThrottledPastItsReceivesIsRedrivenByTheOperatorAndAStrangerMayNot() {
    try (LocalCloud.RoleClients producer = cloud.as("Producer")) {
      // StartExecution is throttled for both receives: the message goes to the dead-letter queue.
      producer
          .sqs()
          .sendMessage(
              b -> b.queueUrl(cloud.queueUrl("TasksQueue")).messageBody("{\"taskId\":\"Later\"}"));
    }
    assertThat(messages("TasksDeadLetterQueue"))
        .singleElement()
        .extracting(Message::body)
        .isEqualTo("{\"taskId\":\"Later\"}");

    try (LocalCloud.RoleClients stranger = cloud.as("Stranger")) {
      assertThatThrownBy(
              () ->
                  stranger
                      .sqs()
                      .startMessageMoveTask(b -> b.sourceArn(queueArn("TasksDeadLetterQueue"))))
          .isInstanceOf(SqsException.class)
          .hasMessageContaining("is not authorized to perform: sqs:StartMessageMoveTask");
    }
    try (LocalCloud.RoleClients operator = cloud.as("Operator")) {
      operator.sqs().startMessageMoveTask(b -> b.sourceArn(queueArn("TasksDeadLetterQueue")));
    }
    var item =
        LocalCloud.poll(
            () -> cloud.items("Later"),
            items -> !items.isEmpty() && !items.get(0).get("Status").s().equals("STARTED"),
            "the redriven task's final item");
    assertThat(item.get(0).get("Status").s()).isEqualTo("FAILED");
    // Its status change event is the one whose every delivery fails (--fail-target).
    cloud.awaitQuiet();
  }

  @Test
  @Order(2)
  void anApplicationStartsThroughTheEncryptedQueueAndReadsTheEncryptedTable() {
    try (LocalCloud.RoleClients app = cloud.as("App");
        TaskStatusClient tasks =
            TaskStatusClient.builder()
                .tableName(cloud.tableName())
                .queueUrl(cloud.queueUrl("TasksQueue"))
                .failedTaskIndex("FailedTasks")
                .dynamoDb(app.dynamodb())
                .sqs(app.sqs())
                .pollInterval(Duration.ofMillis(50))
                .build()) {
      TaskStart start = tasks.start("Breakfast");
      TaskRecord record = tasks.await(start, PATIENCE);
      assertThat(record.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(record.error()).hasValue("OvenOnFire");
      assertThat(tasks.failedSince(java.time.Instant.now().minusSeconds(300)))
          .extracting(TaskRecord::taskId)
          .contains("Breakfast");
    }
    try (LocalCloud.RoleClients stranger = cloud.as("Stranger")) {
      assertThatThrownBy(
              () ->
                  stranger
                      .sqs()
                      .sendMessage(
                          b ->
                              b.queueUrl(cloud.queueUrl("TasksQueue"))
                                  .messageBody("{\"taskId\":\"Intruder\"}")))
          .isInstanceOf(SqsException.class)
          .hasMessageContaining("is not authorized to perform: sqs:SendMessage");
    }
  }

  @Test
  @Order(3)
  void whatNoOneCouldProcessReachesTheEncryptedDeadLetterQueuesOfTheStarterAndTheReconciler() {
    // The first failed execution's event could not be delivered (every attempt failed):
    // EventBridge sends it to the reconciler's dead-letter queue as events.amazonaws.com.
    assertThat(messages("TasksReconcilerDeadLetterQueue")).isNotEmpty();
    // The reconciler keeps an input it cannot read; the starter, an event it refused every time.
    cloud.stepFunctions.startExecution(
        b -> b.stateMachineArn(cloud.stateMachineArn()).input("{\"not\":\"a task\"}"));
    cloud.lambda.invoke(
        b ->
            b.functionName(cloud.starter())
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"taskId\":42}")));
    assertThat(messages("TasksStarterDeadLetterQueue")).isNotEmpty();
    cloud.awaitQuiet();
    assertThat(cloud.denials())
        .as("nothing the workflow does itself is denied")
        .noneMatch(d -> d.at("/principal/arn").asText().contains("-Tasks"));
  }

  @Test
  @Order(4)
  void everyKeyAndQueueGrantOfTheWorkflowsRolesWasNeeded() {
    List<String> unneeded = new ArrayList<>();
    for (JsonNode grant : cloud.grants()) {
      String action = grant.path("action").asText("");
      if (grant.get("role").asText().startsWith("Tasks")
          && (action.startsWith("kms:") || action.startsWith("sqs:"))
          && grant.get("neededBy").isEmpty()) {
        unneeded.add(grant.get("role").asText() + " " + action + " on " + grant.get("resource"));
      }
    }
    assertThat(unneeded).isEmpty();
  }
}
