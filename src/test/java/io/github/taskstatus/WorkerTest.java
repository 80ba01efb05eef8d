package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * External work: the hand-off to the worker queue with a task token, the queue, the state machine's
 * exact grant, the worker's grant, the canceller's grant, and the props' rules.
 */
class WorkerTest {
  private static final Synth WORKER =
      Synth.stack(
          stack -> {
            TaskStatusWorkflow tasks =
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .worker(TaskWorkerOptions.builder().build())
                    .build();
            tasks.grantWork(Synth.role(stack, "Worker"));
            tasks.grantCancel(Synth.role(stack, "Canceller"));
          });

  private static JsonNode work(Synth synth) {
    return synth.definition().at("/States/Work");
  }

  @Test
  void theWorkHandsTheTaskToTheWorkerQueueWithATokenAndWaitsWithinItsTimeouts() {
    JsonNode work = work(WORKER);
    assertThat(work.get("Type").asText()).isEqualTo("Parallel");
    assertThat(work.at("/Catch/0/ErrorEquals/0").asText()).isEqualTo("States.ALL");
    assertThat(work.at("/Branches/0/States/HandToWorker"))
        .isEqualTo(
            Synth.parse(
                """
        {"End": true, "Type": "Task",
         "Comment": "Hands the task to a worker through the worker queue, with a task token, and waits for its SendTaskSuccess or SendTaskFailure",
         "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "HeartbeatSeconds": 300, "TimeoutSeconds": 3600,
         "Parameters": {"QueueUrl": "${TasksWorkerQueueD681C1FB}",
           "MessageBody": {"taskId.$": "$.taskId", "timestamp.$": "$.timestamp",
             "executionArn.$": "$$.Execution.Id", "attempt.$": "$$.Execution.RedriveCount",
             "heartbeatSeconds": 300, "taskToken.$": "$$.Task.Token"}}}"""));
    assertThat(WORKER.definition().get("TimeoutSeconds").asInt())
        .as("the work timeout plus five minutes for the DynamoDB steps")
        .isEqualTo(3900);
  }

  @Test
  void theWorkerQueueIsEncryptedSslOnlyHiddenForAHeartbeatAndHasADeadLetterQueue() {
    JsonNode queue = WORKER.only("AWS::SQS::Queue", "TasksWorkerQueue").get("Properties");
    assertThat(queue.get("VisibilityTimeout").asInt()).isEqualTo(300);
    assertThat(queue.get("SqsManagedSseEnabled").asBoolean()).isTrue();
    assertThat(queue.get("MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 3600);
    assertThat(queue.at("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(5);
    assertThat(queue.at("/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt/0").asText())
        .startsWith("TasksWorkerDeadLetterQueue");
    assertThat(
            WORKER
                .only("AWS::SQS::QueuePolicy", "TasksWorkerQueuePolicy")
                .at("/Properties/PolicyDocument/Statement/0/Condition/Bool/aws:SecureTransport")
                .asText())
        .isEqualTo("false");
  }

  @Test
  void theStateMachineMaySendToTheWorkerQueueAndNothingMoreOnIt() {
    assertThat(SecurityTest.statements(WORKER, "TasksStateMachineRole").toString())
        .contains(
            "{\"Action\":\"sqs:SendMessage\",\"Effect\":\"Allow\",\"Resource\":{\"Fn::GetAtt\":"
                + "[\"TasksWorkerQueueD681C1FB\",\"Arn\"]}}")
        .doesNotContain("sqs:GetQueue", "kms:");
  }

  @Test
  void aWorkerMayReceiveHideAndDeleteAnswerItsTasksAndRecordProgress() {
    assertThat(SecurityTest.statements(WORKER, "Worker"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
          "Effect": "Allow", "Resource": {"Fn::GetAtt": ["TasksWorkerQueueD681C1FB", "Arn"]}},
         {"Action": ["dynamodb:UpdateItem", "dynamodb:GetItem"], "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["TasksTable45D1B62D", "Arn"]}},
         {"Action": ["states:SendTaskSuccess", "states:SendTaskFailure",
                     "states:SendTaskHeartbeat"],
          "Effect": "Allow", "Resource": {"Ref": "TasksStateMachineA4CB7752"}}]"""));
  }

  @Test
  void withACustomerKeyTheyUseItAsSqsAndDynamoDbAsk() {
    Synth synth =
        Synth.stack(
            stack -> {
              Key key = Synth.key(stack);
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .encryptionKey(key)
                  .worker(TaskWorkerOptions.builder().build())
                  .build()
                  .grantWork(Synth.role(stack, "Worker"));
            });
    assertThat(SecurityTest.statements(synth, "TasksStateMachineRole").toString())
        .contains(
            "{\"Action\":[\"kms:GenerateDataKey\",\"kms:Decrypt\"],\"Effect\":\"Allow\","
                + "\"Resource\":{\"Fn::GetAtt\":[\"Key961B73FD\",\"Arn\"]}}");
    assertThat(SecurityTest.statements(synth, "Worker").get(0))
        .isEqualTo(
            Synth.parse(
                """
        {"Action": "kms:Decrypt", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}"""));
  }

  @Test
  void aCancellerMayStopTheTasksExecutionsAndStartTheReconciler() {
    assertThat(SecurityTest.statements(WORKER, "Canceller"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "states:StartExecution", "Effect": "Allow",
          "Resource": {"Ref": "TasksReconcilerDCFA3312"}},
         {"Action": "states:StopExecution", "Effect": "Allow",
          "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
            ":states:eu-west-1:123456789012:execution:",
            {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": "TasksStateMachineA4CB7752"}]}]},
            ":*"]]}}]"""));
  }

  @Test
  void theOptionsAndAnExistingQueueAreUsed() {
    Synth synth =
        Synth.stack(
            stack -> {
              Queue mine = Queue.Builder.create(stack, "Mine").build();
              TaskStatusWorkflow tasks =
                  TaskStatusWorkflow.Builder.create(stack, "Tasks")
                      .worker(
                          TaskWorkerOptions.builder()
                              .heartbeatTimeout(Duration.seconds(30))
                              .workTimeout(Duration.hours(6))
                              .existingQueue(mine)
                              .build())
                      .build();
              assertThat(tasks.getWorkerQueue()).isSameAs(mine);
              assertThat(tasks.getWorkerDeadLetterQueue()).isNull();
            });
    JsonNode handOff = work(synth).at("/Branches/0/States/HandToWorker");
    assertThat(handOff.get("HeartbeatSeconds").asInt()).isEqualTo(30);
    assertThat(handOff.get("TimeoutSeconds").asInt()).isEqualTo(6 * 3600);
    assertThat(handOff.at("/Parameters/MessageBody/heartbeatSeconds").asInt()).isEqualTo(30);
    assertThat(handOff.at("/Parameters/QueueUrl").asText()).startsWith("${Mine");
    assertThat(synth.definition().get("TimeoutSeconds").asInt()).isEqualTo(6 * 3600 + 300);
    synth.template.resourceCountIs("AWS::SQS::Queue", 3); // Mine, starter and reconciler DLQs
  }

  @Test
  void badWorkerPropsFailWithEveryProblemNamed() {
    assertThatThrownBy(
            () ->
                Synth.workflow(
                    TaskStatusWorkflowProps.builder()
                        .stateMachineType(StateMachineType.EXPRESS)
                        .waitDuration(Duration.seconds(5))
                        .worker(
                            TaskWorkerOptions.builder()
                                .heartbeatTimeout(Duration.hours(13))
                                .workTimeout(Duration.hours(2))
                                .maxReceiveCount(0)
                                .build())
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "worker needs a STANDARD workflow: an EXPRESS workflow cannot wait for a task token")
        .hasMessageContaining("worker cannot be combined with work or waitDuration")
        .hasMessageContaining(
            "worker.heartbeatTimeout must be whole seconds from 1 s to 12 h (43200 s): it is the"
                + " worker queue's visibility timeout, which SQS allows up to 12 hours; got 13 h"
                + " (46800 s)")
        .hasMessageContaining(
            "worker.heartbeatTimeout must be shorter than worker.workTimeout (the States"
                + " Language's rule for a Task): 13 h (46800 s) against 2 h (7200 s)")
        .hasMessageContaining("worker.maxReceiveCount must be a whole number from 1 to 1000");
    assertThatThrownBy(
            () ->
                Synth.workflow(
                    TaskStatusWorkflowProps.builder()
                        .timeout(Duration.minutes(30))
                        .worker(TaskWorkerOptions.builder().build())
                        .build()))
        .hasMessageContaining(
            "timeout must be whole seconds from 1 h 10 s (3610 s) to 365 days (31536000 s): at"
                + " least 10 s more than worker.workTimeout, 1 h (3600 s); got 30 min (1800 s)");
  }

  @Test
  void grantsThatNeedAWorkerOrAStandardWorkflowSaySo() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow plain = new TaskStatusWorkflow(stack, "Plain");
          assertThatThrownBy(() -> plain.grantWork(Synth.role(stack, "W")))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("grantWork needs a worker: set worker(...)");
          TaskStatusWorkflow express =
              TaskStatusWorkflow.Builder.create(stack, "Express")
                  .stateMachineType(StateMachineType.EXPRESS)
                  .build();
          assertThatThrownBy(() -> express.grantCancel(Synth.role(stack, "C")))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage(
                  "grantCancel needs a STANDARD workflow: Step Functions stops no EXPRESS"
                      + " execution");
        });
  }
}
