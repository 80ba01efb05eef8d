package io.github.taskstatus;

import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.EventSourceMapping;
import software.amazon.awscdk.services.lambda.EventSourceMappingOptions;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Queue mode: the queue of tasks (created, or the user's) and its dead-letter queue, feeding the
 * starter through an event source mapping that reports partial batch failures.
 *
 * @param queue the queue of tasks
 * @param deadLetterQueue where tasks go that could not be started, if this construct knows it
 */
record TaskQueues(IQueue queue, IQueue deadLetterQueue) {

  /** The queues when queue mode is off. */
  static final TaskQueues NONE = new TaskQueues(null, null);

  /** What Lambda's SQS event source calls with the function's role. */
  static final String[] CONSUME_ACTIONS = {
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"
  };

  static TaskQueues create(Construct scope, TaskStatusWorkflowProps props, Settings settings) {
    QueueSettings options = settings.queue();
    if (options == null) {
      return NONE;
    }
    IQueue existing = props.getExistingQueue();
    if (existing != null) {
      IQueue deadLetter =
          existing instanceof Queue created && created.getDeadLetterQueue() != null
              ? created.getDeadLetterQueue().getQueue()
              : null;
      if (deadLetter == null) {
        Annotations.of(scope)
            .addWarningV2(
                "task-status-workflow:no-dead-letter-queue",
                "existingQueue has no dead-letter queue this construct can see: give it a redrive"
                    + " policy, or messages that keep failing are deleted when their retention"
                    + " ends");
      }
      return new TaskQueues(existing, deadLetter);
    }
    IKey key = props.getEncryptionKey();
    Queue deadLetter = deadLetterQueue(scope, "DeadLetterQueue", key, settings.removalPolicy());
    Queue created =
        secureQueue(scope, "Queue", key, settings.removalPolicy(), options.retentionPeriod())
            .visibilityTimeout(options.visibilityTimeout())
            .deadLetterQueue(
                DeadLetterQueue.builder()
                    .queue(deadLetter)
                    .maxReceiveCount(options.maxReceiveCount())
                    .build())
            .build();
    return new TaskQueues(created, deadLetter);
  }

  /**
   * A dead-letter queue: a {@link #secureQueue} that keeps messages for 14 days, with the cdk-nag
   * acknowledgment that it has no redrive policy of its own.
   */
  static Queue deadLetterQueue(Construct scope, String id, IKey key, RemovalPolicy removal) {
    Queue queue = secureQueue(scope, id, key, removal, QueueSettings.DEAD_LETTER_RETENTION).build();
    Nag.acknowledge(queue, "Serverless-SQSRedrivePolicy", null, Nag.DEAD_LETTER_QUEUE);
    return queue;
  }

  /**
   * An SSL-only queue encrypted with the key if there is one, else by SQS; kept like the table when
   * the stack is deleted, so waiting tasks are not lost.
   */
  static Queue.Builder secureQueue(
      Construct scope, String id, IKey key, RemovalPolicy removal, Duration retention) {
    return Queue.Builder.create(scope, id)
        .encryption(key != null ? QueueEncryption.KMS : QueueEncryption.SQS_MANAGED)
        .encryptionMasterKey(key)
        .enforceSsl(true)
        .retentionPeriod(retention)
        .removalPolicy(removal);
  }

  /**
   * Feeds the queue's batches to the starter, reporting partial batch failures. The starter's role
   * gets what Lambda's SQS event source uses (Lambda developer guide, "Execution role permissions":
   * sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes, and kms:Decrypt for an encrypted
   * queue), not CDK's SqsEventSource grant, which adds ChangeMessageVisibility and GetQueueUrl. The
   * mapping keeps the id SqsEventSource gives it, so its logical id stays.
   */
  void feed(IFunction starter, QueueSettings options, IKey starterKey) {
    if (queue == null) {
      return;
    }
    EventSourceMapping mapping =
        starter.addEventSourceMapping(
            "SqsEventSource:" + Names.nodeUniqueId(queue.getNode()),
            EventSourceMappingOptions.builder()
                .eventSourceArn(queue.getQueueArn())
                .batchSize(options.batchSize())
                .maxBatchingWindow(options.maxBatchingWindow())
                .maxConcurrency(options.maxConcurrency())
                .reportBatchItemFailures(true)
                .build());
    queue.grant(starter, CONSUME_ACTIONS);
    IKey queueKey = queue.getEncryptionMasterKey();
    if (queueKey != null && queueKey != starterKey) {
      queueKey.grant(starter, "kms:Decrypt");
    }
    // The mapping must not start polling before the role may poll.
    mapping.getNode().addDependency(starter.getRole() != null ? starter.getRole() : starter);
    Nag.acknowledge(
        mapping,
        "Serverless-LambdaEventSourceMappingDestination",
        null,
        Nag.EVENT_SOURCE_DESTINATION);
  }
}
