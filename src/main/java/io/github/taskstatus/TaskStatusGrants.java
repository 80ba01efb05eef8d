package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * What the applications that use a workflow need: where to find it, and grants that each cover
 * exactly the calls one job makes (as aws-stepfunctions' {@code state-machine-grants.ts} does for a
 * state machine).
 */
final class TaskStatusGrants {

  /** The variables {@code TaskStatusClient.fromEnvironment()} reads. */
  static final String CLIENT_TABLE = "TASK_STATUS_TABLE";

  static final String CLIENT_STARTER = "TASK_STATUS_STARTER";
  static final String CLIENT_QUEUE_URL = "TASK_STATUS_QUEUE_URL";
  static final String CLIENT_FAILED_INDEX = "TASK_STATUS_FAILED_INDEX";
  static final String CLIENT_OPEN_INDEX = "TASK_STATUS_OPEN_INDEX";
  static final String CLIENT_RECONCILER = "TASK_STATUS_RECONCILER";
  static final String CLIENT_WORKER_QUEUE_URL = "TASK_STATUS_WORKER_QUEUE_URL";

  /** Moving dead letters back: the task, its listing and cancelling, reading and deleting. */
  static final String[] REDRIVE_SOURCE_ACTIONS = {
    "sqs:StartMessageMoveTask",
    "sqs:ListMessageMoveTasks",
    "sqs:CancelMessageMoveTask",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes"
  };

  private final ITable table;
  private final StateMachine stateMachine;
  private final IFunction starter;
  private final TaskQueues queues;
  private final boolean failedTaskIndex;
  private final boolean openTaskIndex;
  private final TaskWorkers workers;
  private final StateMachine reconciler;

  TaskStatusGrants(
      ITable table,
      StateMachine stateMachine,
      IFunction starter,
      TaskQueues queues,
      boolean failedTaskIndex,
      boolean openTaskIndex,
      TaskWorkers workers,
      StateMachine reconciler) {
    this.table = table;
    this.stateMachine = stateMachine;
    this.starter = starter;
    this.queues = queues;
    this.failedTaskIndex = failedTaskIndex;
    this.openTaskIndex = openTaskIndex;
    this.workers = workers;
    this.reconciler = reconciler;
  }

  /** The variables {@code TaskStatusClient.fromEnvironment()} reads. */
  Map<String, String> clientEnvironment() {
    Map<String, String> environment = new TreeMap<>();
    environment.put(CLIENT_TABLE, table.getTableName());
    environment.put(CLIENT_STARTER, starter.getFunctionArn());
    if (queues.queue() != null) {
      environment.put(CLIENT_QUEUE_URL, queues.queue().getQueueUrl());
    }
    if (failedTaskIndex) {
      environment.put(CLIENT_FAILED_INDEX, TaskTable.FAILED_INDEX);
    }
    if (openTaskIndex) {
      environment.put(CLIENT_OPEN_INDEX, TaskTable.OPEN_INDEX);
    }
    if (reconciler != null && standard()) {
      environment.put(CLIENT_RECONCILER, reconciler.getStateMachineArn());
    }
    if (workers != null) {
      environment.put(CLIENT_WORKER_QUEUE_URL, workers.queue().getQueueUrl());
    }
    return environment;
  }

  Grant sendTasks(IGrantable grantee) {
    return requireQueue("grantSendTasks").grantSendMessages(grantee);
  }

  /** Invoke the starter or, in queue mode, send to the queue (and encrypt for it). */
  Grant startTask(IGrantable grantee) {
    IQueue queue = queues.queue();
    if (queue == null) {
      return starter.grantInvoke(grantee);
    }
    grantKey(queue.getEncryptionMasterKey(), grantee, "kms:GenerateDataKey", "kms:Decrypt");
    return queue.grant(grantee, "sqs:SendMessage");
  }

  /**
   * Query the table and its indexes, the only read the client makes ({@code FailedTasks} with
   * {@code failedTaskIndex}, {@code OpenTasks} with the sweeper's index, for the client's {@code
   * open()}); decrypt with a customer key. The index is named, not left to {@code ITable.grant}:
   * CDK adds {@code index/*} only for tables it knows have indexes, and an imported {@code
   * existingTable} has none it knows of, so the client's {@code failedSince} would be denied.
   */
  Grant readStatus(IGrantable grantee) {
    grantKey(table.getEncryptionKey(), grantee, "kms:Decrypt");
    List<String> resources = new ArrayList<>(List.of(table.getTableArn()));
    if (failedTaskIndex) {
      resources.add(table.getTableArn() + "/index/" + TaskTable.FAILED_INDEX);
    }
    if (openTaskIndex) {
      resources.add(table.getTableArn() + "/index/" + TaskTable.OPEN_INDEX);
    }
    return Grant.addToPrincipal(
        GrantOnPrincipalOptions.builder()
            .grantee(grantee)
            .actions(List.of("dynamodb:Query"))
            .resourceArns(resources)
            .build());
  }

  /**
   * What SQS's dead-letter queue redrive needs (SQS developer guide, "Configuring queue permissions
   * for dead-letter queue redrive"): on the dead-letter queue, the move task and reading and
   * deleting its messages; on the queue of tasks, sending; with a customer key, decrypting the one
   * and encrypting for the other.
   */
  Grant redriveDeadLetters(IGrantable grantee) {
    IQueue queue = requireQueue("grantRedriveDeadLetters");
    IQueue deadLetter = queues.deadLetterQueue();
    if (deadLetter == null) {
      throw new IllegalStateException(
          "grantRedriveDeadLetters needs a dead-letter queue this"
              + " construct knows: existingQueue has none defined in this app; grant on your own"
              + " dead-letter queue instead");
    }
    IKey destinationKey = queue.getEncryptionMasterKey();
    if (deadLetter.getEncryptionMasterKey() != destinationKey) {
      grantKey(deadLetter.getEncryptionMasterKey(), grantee, "kms:Decrypt");
    }
    grantKey(destinationKey, grantee, "kms:GenerateDataKey", "kms:Decrypt");
    queue.grant(grantee, "sqs:SendMessage");
    return deadLetter.grant(grantee, REDRIVE_SOURCE_ACTIONS);
  }

  /** RedriveExecution on this state machine's executions: what the client's redrive calls. */
  Grant redrive(IGrantable grantee) {
    if (!standard()) {
      throw new IllegalStateException(
          "grantRedrive needs a STANDARD workflow: Step Functions redrives no EXPRESS execution");
    }
    return stateMachine.grantExecution(grantee, "states:RedriveExecution");
  }

  /**
   * StopExecution on this state machine's executions, and StartExecution on the reconciler, which
   * the client starts to record the cancellation at once: what the client's cancel calls.
   */
  Grant cancel(IGrantable grantee) {
    if (!standard()) {
      throw new IllegalStateException(
          "grantCancel needs a STANDARD workflow: Step Functions stops no EXPRESS execution");
    }
    if (reconciler != null) {
      reconciler.grantStartExecution(grantee);
    }
    return stateMachine.grantExecution(grantee, "states:StopExecution");
  }

  /** What a worker calls: see {@link TaskWorkers#grantWork}. */
  Grant work(IGrantable grantee) {
    if (workers == null) {
      throw new IllegalStateException("grantWork needs a worker: set worker(...)");
    }
    return workers.grantWork(grantee, stateMachine, table);
  }

  private boolean standard() {
    return stateMachine.getStateMachineType() == StateMachineType.STANDARD;
  }

  private IQueue requireQueue(String grant) {
    if (queues.queue() == null) {
      throw new IllegalStateException(grant + " needs queue mode: set queue(true)");
    }
    return queues.queue();
  }

  private static void grantKey(IKey key, IGrantable grantee, String... actions) {
    if (key != null) {
      key.grant(grantee, actions);
    }
  }
}
