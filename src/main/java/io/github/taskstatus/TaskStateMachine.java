package io.github.taskstatus;

import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * The state machine that records and runs each task, with its logs, traces and key grant.
 *
 * @param machine the state machine
 * @param config its logging and tracing
 */
record TaskStateMachine(StateMachine machine, StateMachineConfig config) {

  static TaskStateMachine create(
      Construct scope, TaskItems items, IChainable work, Settings settings, TaskStatusLogs logs) {
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
        StateMachineConfig.apply(scope, "StateMachine", machine, logGroup, settings);
    return new TaskStateMachine(machine, config);
  }

  /**
   * Lets a state machine use the table's customer-managed key, if it has one: named actions, not
   * grantEncryptDecrypt's wildcards (kms:ReEncrypt*, kms:GenerateDataKey*).
   */
  static void grantTableKey(ITable table, IGrantable machine) {
    if (table.getEncryptionKey() != null) {
      table
          .getEncryptionKey()
          .grant(machine, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey");
    }
  }
}
