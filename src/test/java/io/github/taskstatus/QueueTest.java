package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;

/** Queue mode: the queue, its dead-letter queue, the event source, IAM, alarms, validation. */
class QueueTest {
  private static final Synth QUEUED =
      Synth.workflow(TaskStatusWorkflowProps.builder().queue(true).build());

  private static JsonNode resource(Synth synth, String logicalIdPrefix) {
    for (var e : synth.resources().properties()) {
      if (e.getKey().startsWith(logicalIdPrefix)) {
        return e.getValue();
      }
    }
    throw new AssertionError("no " + logicalIdPrefix);
  }

  @Test
  void queueModeIsOffByDefault() {
    Synth synth = Synth.workflow(null);
    synth.template.resourceCountIs("AWS::Lambda::EventSourceMapping", 0);
    assertThat(synth.resources().properties()).noneMatch(e -> e.getKey().startsWith("TasksQueue"));
  }

  @Test
  void theQueueRedrivesToADeadLetterQueueAfterFiveReceivesAndOutlivesTheStarterTimeout() {
    JsonNode queue = resource(QUEUED, "TasksQueue14B5121E");

    assertThat(queue.get("Properties"))
        .isEqualTo(
            Synth.parse(
                """
        {"MessageRetentionPeriod": 345600,
         "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["TasksDeadLetterQueueE47CA1D8", "Arn"]},
                           "maxReceiveCount": 5},
         "SqsManagedSseEnabled": true, "VisibilityTimeout": 180}"""));
    assertThat(queue.get("DeletionPolicy").asText()).isEqualTo("Retain");
  }

  @Test
  void theDeadLetterQueueKeepsMessagesForFourteenDays() {
    JsonNode dlq = resource(QUEUED, "TasksDeadLetterQueueE47CA1D8");

    assertThat(dlq.get("Properties"))
        .isEqualTo(
            Synth.parse(
                """
        {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": true}"""));
    assertThat(dlq.get("DeletionPolicy").asText()).isEqualTo("Retain");
  }

  @Test
  void bothQueuesRefuseRequestsWithoutSsl() {
    for (String queue : List.of("TasksQueue14B5121E", "TasksDeadLetterQueueE47CA1D8")) {
      JsonNode policy = null;
      for (JsonNode r : QUEUED.resources()) {
        if (r.path("Type").asText().equals("AWS::SQS::QueuePolicy")
            && r.at("/Properties/Queues/0/Ref").asText().equals(queue)) {
          policy = r.at("/Properties/PolicyDocument/Statement");
        }
      }
      assertThat(policy)
          .isEqualTo(
              Synth.parse(
                  """
          [{"Action": "sqs:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny", "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": ["%s", "Arn"]}}]"""
                      .formatted(queue)));
    }
  }

  @Test
  void theStarterConsumesTheQueueWithPartialBatchFailuresAndBoundedConcurrency() {
    assertThat(QUEUED.only("AWS::Lambda::EventSourceMapping").get("Properties"))
        .isEqualTo(
            Synth.parse(
                """
            {"BatchSize": 10,
             "EventSourceArn": {"Fn::GetAtt": ["TasksQueue14B5121E", "Arn"]},
             "FunctionName": {"Fn::Join": ["", [{"Fn::Select": [6, {"Fn::Split": [":",
                 {"Ref": "TasksStarterAlias984FA83F"}]}]}, ":live"]]},
             "FunctionResponseTypes": ["ReportBatchItemFailures"],
             "ScalingConfig": {"MaximumConcurrency": 2}}"""));
  }

  @Test
  void withoutSnapStartTheEventSourceInvokesTheFunction() {
    Synth synth =
        Synth.workflow(TaskStatusWorkflowProps.builder().queue(true).snapStart(false).build());
    assertThat(synth.only("AWS::Lambda::EventSourceMapping").at("/Properties/FunctionName"))
        .isEqualTo(Synth.parse("{\"Ref\": \"TasksStarter986E6848\"}"));
  }

  @Test
  void queueOptionsConfigureTheQueueAndTheEventSource() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .queueOptions(
                    TaskQueueOptions.builder()
                        .batchSize(100)
                        .maxBatchingWindow(Duration.seconds(20))
                        .maxConcurrency(50)
                        .maxReceiveCount(3)
                        .visibilityTimeout(Duration.minutes(10))
                        .retentionPeriod(Duration.days(7))
                        .build())
                .build());

    JsonNode mapping = synth.only("AWS::Lambda::EventSourceMapping").get("Properties");
    assertThat(mapping.get("BatchSize").asInt()).isEqualTo(100);
    assertThat(mapping.get("MaximumBatchingWindowInSeconds").asInt()).isEqualTo(20);
    assertThat(mapping.at("/ScalingConfig/MaximumConcurrency").asInt()).isEqualTo(50);
    JsonNode queue = resource(synth, "TasksQueue14B5121E").get("Properties");
    assertThat(queue.at("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(3);
    assertThat(queue.get("VisibilityTimeout").asInt()).isEqualTo(600);
    assertThat(queue.get("MessageRetentionPeriod").asInt()).isEqualTo(604800);
  }

  @Test
  void theStarterMayConsumeOnlyItsQueueWithWhatLambdasEventSourceCalls() {
    assertThat(SecurityTest.statements(QUEUED, "TasksStarterRole"))
        .contains(
            Synth.parse(
                """
        {"Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
         "Effect": "Allow", "Resource": {"Fn::GetAtt": ["TasksQueue14B5121E", "Arn"]}}"""));
    // Its logs, its dead-letter queue, StartExecution and its queue; X-Ray has a policy of its own.
    assertThat(SecurityTest.statements(QUEUED, "TasksStarterRole")).hasSize(4);
  }

  @Test
  void theEncryptionKeyEncryptsBothQueuesAndTheStarterMayDecrypt() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().queue(true).encryptionKey(Synth.key(stack)));
    JsonNode keyArn = Synth.parse("{\"Fn::GetAtt\": [\"Key961B73FD\", \"Arn\"]}");

    for (String queue : List.of("TasksQueue14B5121E", "TasksDeadLetterQueueE47CA1D8")) {
      JsonNode properties = resource(synth, queue).get("Properties");
      assertThat(properties.get("KmsMasterKeyId")).isEqualTo(keyArn);
      assertThat(properties.has("SqsManagedSseEnabled")).isFalse();
    }
    assertThat(SecurityTest.statements(synth, "TasksStarterRole"))
        .contains(
            Synth.parse(
                """
        {"Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Effect": "Allow", "Resource": %s}"""
                    .formatted(keyArn)));
    assertThat(SecurityTest.statements(synth, "TasksStarterRole").toString())
        .as("one statement for the key: its dead-letter queue and its queue are encrypted alike")
        .containsOnlyOnce("kms:Decrypt");
  }

  @Test
  void queueModeAddsDeadLetterAndAgeAlarms() {
    List<JsonNode> alarms = new ArrayList<>();
    QUEUED
        .resources()
        .forEach(
            r -> {
              if (r.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(r.get("Properties"));
              }
            });

    assertThat(alarms).hasSize(15);
    assertThat(alarms.get(13))
        .isEqualTo(
            Synth.parse(
                """
        {"AlarmDescription": "Tasks are in the dead-letter queue: they could not be started",
         "ComparisonOperator": "GreaterThanOrEqualToThreshold",
         "Dimensions": [{"Name": "QueueName",
           "Value": {"Fn::GetAtt": ["TasksDeadLetterQueueE47CA1D8", "QueueName"]}}],
         "EvaluationPeriods": 1, "MetricName": "ApproximateNumberOfMessagesVisible",
         "Namespace": "AWS/SQS", "Period": 300, "Statistic": "Maximum", "Threshold": 1,
         "TreatMissingData": "notBreaching"}"""));
    assertThat(alarms.get(14).get("MetricName").asText())
        .isEqualTo("ApproximateAgeOfOldestMessage");
    assertThat(alarms.get(14).get("Threshold").asInt()).isEqualTo(600);
  }

  @Test
  void gettersAndGrantSendTasks() {
    Synth synth =
        Synth.stack(
            stack -> {
              TaskStatusWorkflow workflow =
                  new TaskStatusWorkflow(
                      stack, "Tasks", TaskStatusWorkflowProps.builder().queue(true).build());
              assertThat(workflow.getQueue().getNode().getId()).isEqualTo("Queue");
              assertThat(workflow.getDeadLetterQueue().getNode().getId())
                  .isEqualTo("DeadLetterQueue");
              workflow.grantSendTasks(Synth.role(stack, "Producer"));
            });

    assertThat(SecurityTest.statements(synth, "Producer"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
          "Effect": "Allow", "Resource": {"Fn::GetAtt": ["TasksQueue14B5121E", "Arn"]}}]"""));
  }

  @Test
  void grantSendTasksWithoutAQueueSaysSo() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
          assertThat(workflow.getQueue()).isNull();
          assertThat(workflow.getDeadLetterQueue()).isNull();
          assertThatThrownBy(() -> workflow.grantSendTasks(Synth.role(stack, "P")))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("grantSendTasks needs queue mode: set queue(true)");
        });
  }

  @Test
  void anExistingQueueIsConsumedAndItsDeadLetterQueueExposed() {
    Synth synth =
        Synth.stack(
            stack -> {
              Queue dlq = new Queue(stack, "MyDlq");
              Queue mine =
                  Queue.Builder.create(stack, "Mine")
                      .visibilityTimeout(Duration.minutes(5))
                      .deadLetterQueue(
                          DeadLetterQueue.builder().queue(dlq).maxReceiveCount(3).build())
                      .build();
              TaskStatusWorkflow workflow =
                  new TaskStatusWorkflow(
                      stack,
                      "Tasks",
                      TaskStatusWorkflowProps.builder().existingQueue(mine).build());
              assertThat(workflow.getQueue()).isSameAs(mine);
              assertThat(workflow.getDeadLetterQueue()).isSameAs(dlq);
            });

    // Theirs, and this construct's two for dead letters: no queue of tasks of its own.
    synth.template.resourceCountIs("AWS::SQS::Queue", 4);
    assertThat(synth.only("AWS::Lambda::EventSourceMapping").at("/Properties/EventSourceArn"))
        .isEqualTo(
            Synth.parse(
                "{\"Fn::GetAtt\": [\"Mine1CA0E5A0\", \"Arn\"]}"
                    .replace(
                        "Mine1CA0E5A0",
                        synth.resources().properties().stream()
                            .map(java.util.Map.Entry::getKey)
                            .filter(k -> k.startsWith("Mine"))
                            .filter(k -> !k.contains("Policy"))
                            .findFirst()
                            .orElseThrow())));
  }

  @Test
  void anImportedQueueWithoutAKnownDeadLetterQueueGetsAWarning() {
    Synth synth =
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .existingQueue(
                        Queue.fromQueueArn(
                            stack, "Imported", "arn:aws:sqs:eu-west-1:123456789012:tasks")));

    Annotations.fromStack(synth.stack)
        .hasWarning(
            "/Test/Tasks", Match.stringLikeRegexp("existingQueue has no dead-letter queue.*"));
  }
}
