package io.github.taskstatus;

import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.CustomState;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * External work: the worker queue (created, or the user's) with its dead-letter queue, the state
 * that hands each task to it with a task token ({@code sqs:sendMessage.waitForTaskToken}) and
 * waits, and what a worker needs.
 *
 * <p>The message a worker receives is the contract with task-status-client's {@code TaskWorker}:
 * {@code {"taskId", "timestamp", "executionArn", "attempt", "heartbeatSeconds", "taskToken"}}.
 *
 * @param queue the worker queue
 * @param deadLetterQueue where messages go that were received too often, if this construct knows it
 * @param handOff the state that hands the task over and waits for the worker's answer
 */
record TaskWorkers(IQueue queue, IQueue deadLetterQueue, CustomState handOff) {

  static final String HAND_TO_WORKER = "HandToWorker";

  /** What a worker calls on the queue: receive, delete when done, keep hidden while working. */
  static final String[] WORKER_QUEUE_ACTIONS = {
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"
  };

  /** A worker's answers, on the state machine whose task token it holds. */
  static final List<String> TASK_RESPONSE_ACTIONS =
      List.of("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat");

  static TaskWorkers create(Construct scope, Settings settings, IKey key) {
    WorkerSettings worker = settings.worker();
    IQueue queue;
    IQueue deadLetter;
    if (worker.existingQueue() != null) {
      queue = worker.existingQueue();
      deadLetter =
          queue instanceof Queue created && created.getDeadLetterQueue() != null
              ? created.getDeadLetterQueue().getQueue()
              : null;
      if (deadLetter == null) {
        Annotations.of(scope)
            .addWarningV2(
                "task-status-workflow:worker-no-dead-letter-queue",
                "worker.existingQueue has no dead-letter queue this construct can see: give it a"
                    + " redrive policy, or messages of dead tasks stay until their retention ends");
      }
    } else {
      Queue createdDeadLetter =
          TaskQueues.deadLetterQueue(scope, "WorkerDeadLetterQueue", key, settings.removalPolicy());
      deadLetter = createdDeadLetter;
      queue =
          TaskQueues.secureQueue(
                  scope, "WorkerQueue", key, settings.removalPolicy(), WorkerSettings.RETENTION)
              .visibilityTimeout(worker.heartbeatTimeout())
              .deadLetterQueue(
                  DeadLetterQueue.builder()
                      .queue(createdDeadLetter)
                      .maxReceiveCount(worker.maxReceiveCount())
                      .build())
              .build();
    }
    // A custom state, not SqsSendMessage, whose grant (queue.grantSendMessages) adds
    // GetQueueAttributes, GetQueueUrl and, for a customer key, kms:Encrypt and kms:ReEncrypt*:
    // the state machine's role gets exactly what SendMessage uses, in grantHandOff.
    CustomState handOff =
        CustomState.Builder.create(scope, HAND_TO_WORKER)
            .stateJson(
                TaskItems.ordered(
                    "Type",
                    "Task",
                    "Comment",
                    "Hands the task to a worker through the worker queue, with a task token, and"
                        + " waits for its SendTaskSuccess or SendTaskFailure",
                    "Resource",
                    "arn:"
                        + Stack.of(scope).getPartition()
                        + ":states:::sqs:sendMessage.waitForTaskToken",
                    "HeartbeatSeconds",
                    worker.heartbeatTimeout().toSeconds(),
                    "TimeoutSeconds",
                    worker.workTimeout().toSeconds(),
                    "Parameters",
                    TaskItems.ordered(
                        "QueueUrl",
                        queue.getQueueUrl(),
                        "MessageBody",
                        TaskItems.ordered(
                            "taskId.$", "$.taskId",
                            "timestamp.$", "$.timestamp",
                            "executionArn.$", "$$.Execution.Id",
                            "attempt.$", "$$.Execution.RedriveCount",
                            "heartbeatSeconds", worker.heartbeatTimeout().toSeconds(),
                            "taskToken.$", "$$.Task.Token"))))
            .build();
    return new TaskWorkers(queue, deadLetter, handOff);
  }

  /**
   * What the hand-off calls as the state machine: {@code sqs:SendMessage} on the worker queue and,
   * for a customer-managed key, {@code kms:GenerateDataKey} and {@code kms:Decrypt} on it (SQS
   * developer guide, "Key management": a producer needs both).
   */
  void grantHandOff(StateMachine machine) {
    machine.addToRolePolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("sqs:SendMessage"))
            .resources(List.of(queue.getQueueArn()))
            .build());
    IKey queueKey = queue.getEncryptionMasterKey();
    if (queueKey != null) {
      queueKey.grant(machine, "kms:GenerateDataKey", "kms:Decrypt");
    }
  }

  /**
   * What a worker calls: receive, delete and hide its message (and decrypt it with a customer key),
   * answer the task, and record progress on its item (GetItem to say why a write was refused).
   */
  Grant grantWork(IGrantable grantee, StateMachine machine, ITable table) {
    IKey queueKey = queue.getEncryptionMasterKey();
    if (queueKey != null) {
      queueKey.grant(grantee, "kms:Decrypt");
    }
    queue.grant(grantee, WORKER_QUEUE_ACTIONS);
    if (table.getEncryptionKey() != null) {
      table.getEncryptionKey().grant(grantee, "kms:Decrypt");
    }
    Grant.addToPrincipal(
        GrantOnPrincipalOptions.builder()
            .grantee(grantee)
            .actions(List.of("dynamodb:UpdateItem", "dynamodb:GetItem"))
            .resourceArns(List.of(table.getTableArn()))
            .build());
    return Grant.addToPrincipal(
        GrantOnPrincipalOptions.builder()
            .grantee(grantee)
            .actions(TASK_RESPONSE_ACTIONS)
            .resourceArns(List.of(machine.getStateMachineArn()))
            .build());
  }
}
