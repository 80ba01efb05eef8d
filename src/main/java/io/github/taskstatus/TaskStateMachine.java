package io.github.taskstatus;

import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * The state machine that records and runs each task, with its logs, traces and key grants.
 *
 * @param machine the state machine
 * @param config its logging, tracing and encryption
 */
record TaskStateMachine(StateMachine machine, StateMachineConfig config) {

  static TaskStateMachine create(
      Construct scope,
      TaskItems items,
      IChainable work,
      Settings settings,
      TaskStatusLogs logs,
      IKey key) {
    ILogGroup logGroup = logs.stateMachine("StateMachineLogs", "");
    StateMachine machine =
        StateMachine.Builder.create(scope, "StateMachine")
            .definitionBody(
                DefinitionBody.fromChainable(
                    TaskStatusDefinition.create(scope, items, work, settings.waitDuration())))
            .stateMachineType(settings.type())
            .timeout(settings.timeout())
            .build();
    grantTableKey(items.table(), machine);
    StateMachineConfig config =
        StateMachineConfig.apply(scope, "StateMachine", machine, logGroup, settings, logs, key);
    return new TaskStateMachine(machine, config);
  }

  /**
   * Lets a state machine use the table's customer-managed key, if it has one: {@code kms:Decrypt}
   * alone. A caller's item reads and writes ask KMS only to decrypt the table key ("When you access
   * an encrypted DynamoDB table, DynamoDB needs to decrypt the table key ... The user is the
   * principal in your AWS account who is accessing the table", KMS developer guide, "How Amazon
   * DynamoDB uses AWS KMS"); DynamoDB makes the table key itself, under grants of its own.
   */
  static void grantTableKey(ITable table, IGrantable machine) {
    if (table.getEncryptionKey() != null) {
      table.getEncryptionKey().grant(machine, "kms:Decrypt");
    }
  }
}
