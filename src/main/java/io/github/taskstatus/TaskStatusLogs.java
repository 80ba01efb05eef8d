package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The construct's log groups and what CloudWatch Logs needs of the encryption key. Log group names
 * are fixed and unique per construct path, so the key policy can name them without depending on the
 * log groups that depend on the key.
 */
final class TaskStatusLogs {
  private final Construct scope;
  private final RetentionDays retention;
  private final IKey key;
  private final String baseName;
  private final List<String> names = new ArrayList<>();
  private boolean logDeliveryDecrypts;

  TaskStatusLogs(Construct scope, RetentionDays retention, IKey key) {
    this.scope = scope;
    this.retention = retention;
    this.key = key;
    this.baseName =
        Names.uniqueResourceName(scope, UniqueResourceNameOptions.builder().maxLength(200).build());
  }

  /** A state machine's group: the vended-logs prefix keeps Logs' resource policy small. */
  LogGroup stateMachine(String id, String suffix) {
    return create(id, "/aws/vendedlogs/states/" + baseName + suffix);
  }

  /** The starter's group, where Lambda would put it by default. */
  LogGroup function(String id, String suffix) {
    return create(id, "/aws/lambda/" + baseName + suffix);
  }

  /**
   * A log group with a fixed, unique name. It is removed with the stack: a retained group would
   * keep its name taken and block creating the stack again.
   */
  private LogGroup create(String id, String name) {
    names.add(name);
    return LogGroup.Builder.create(scope, id)
        .logGroupName(name)
        .retention(retention)
        .encryptionKey(key)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build();
  }

  /**
   * Lets CloudWatch Logs' delivery service decrypt with the key: Step Functions delivers the logs
   * of a state machine encrypted with a customer managed key only then.
   */
  void allowLogDeliveryToDecrypt() {
    logDeliveryDecrypts = true;
  }

  /**
   * With a key, lets CloudWatch Logs use it for this construct's log groups only, and log delivery
   * decrypt if an encrypted state machine logs; for an imported key, whose policy cannot change
   * here, warns with the statements to add.
   */
  void allowLogsToUseKey() {
    if (key == null) {
      return;
    }
    Stack stack = Stack.of(scope);
    List<String> arns = new ArrayList<>();
    for (String name : names) {
      arns.add(
          stack.formatArn(
              ArnComponents.builder()
                  .service("logs")
                  .resource("log-group")
                  .resourceName(name)
                  .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                  .build()));
    }
    boolean added =
        key.addToResourcePolicy(
                PolicyStatement.Builder.create()
                    .sid("AllowTaskStatusWorkflowLogs" + Names.uniqueId(scope))
                    .principals(
                        List.of(
                            new ServicePrincipal("logs." + stack.getRegion() + ".amazonaws.com")))
                    .actions(
                        List.of(
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*"))
                    .resources(List.of("*"))
                    .conditions(
                        Map.of("ArnEquals", Map.of("kms:EncryptionContext:aws:logs:arn", arns)))
                    .build())
            .getStatementAdded();
    if (logDeliveryDecrypts) {
      // As the developer guide shows it ("Data at rest encryption in Step Functions", step 3):
      // kms:Decrypt, with no condition documented for it.
      added &=
          key.addToResourcePolicy(
                  PolicyStatement.Builder.create()
                      .sid("AllowTaskStatusWorkflowLogDelivery")
                      .principals(List.of(new ServicePrincipal("delivery.logs.amazonaws.com")))
                      .actions(List.of("kms:Decrypt"))
                      .resources(List.of("*"))
                      .build())
              .getStatementAdded();
    }
    if (!added) {
      Annotations.of(scope)
          .addWarningV2(
              "task-status-workflow:imported-key",
              "encryptionKey is imported, so its key policy cannot be changed here: allow the"
                  + " service principal logs."
                  + stack.getRegion()
                  + ".amazonaws.com kms:Encrypt*,"
                  + " kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* for"
                  + " the log groups "
                  + String.join(", ", arns)
                  + (logDeliveryDecrypts
                      ? ", and the service principal delivery.logs.amazonaws.com kms:Decrypt (Step"
                          + " Functions' log delivery for the state machines the key encrypts)"
                      : "")
                  + ", or the stack will fail");
    }
  }
}
