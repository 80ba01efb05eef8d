package io.github.taskstatus;

import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/** The state machine that records and runs each task, with its logs, traces and key grant. */
final class TaskStateMachine {
  private TaskStateMachine() {}

  static StateMachine create(Construct scope, ITable table, IChainable work, Settings settings,
      TaskStatusLogs logs) {
    StateMachine machine = StateMachine.Builder.create(scope, "StateMachine")
        .definitionBody(DefinitionBody.fromChainable(
            TaskStatusDefinition.create(scope, table, work, settings.waitDuration())))
        .stateMachineType(settings.type())
        .timeout(settings.timeout())
        .logs(LogOptions.builder()
            .destination(logs.stateMachine("StateMachineLogs"))
            .level(settings.logLevel())
            .includeExecutionData(settings.includeExecutionData())
            .build())
        .tracingEnabled(settings.tracing())
        .build();
    if (table.getEncryptionKey() != null) {
      // Named actions, not grantEncryptDecrypt's wildcards (kms:ReEncrypt*, kms:GenerateDataKey*).
      table.getEncryptionKey().grant(machine,
          "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey");
    }
    NagSuppressions.wildcardsAwsRequires(machine.getRole(),
        NagSuppressions.STATE_MACHINE_WILDCARDS);
    return machine;
  }
}
