package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.stepfunctions.CfnStateMachine;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * A state machine's logging, tracing and encryption, and the role statements each needs, in
 * policies of their own.
 *
 * <p>They are set on the CloudFormation resource rather than with the L2's {@code logs} and {@code
 * tracingEnabled}, which would add the log delivery and X-Ray statements to the role's {@code
 * DefaultPolicy}. That policy is where every state of the definition adds its statements, the
 * user's {@code work} included, so acknowledging its {@code Resource: *} would hide the user's own
 * wildcards from them. The statements AWS requires on {@code Resource: *} go in {@code
 * <id>LogsAndTracesPolicy} instead, acknowledged there alone; the state machine depends on it,
 * since Step Functions checks the log delivery permissions when it creates the state machine.
 *
 * <p>With a key, Step Functions encrypts the state machine's definition and execution data with it
 * (AWS Step Functions developer guide, "Data at rest encryption in Step Functions"): the role may
 * use the key for this state machine's encryption context ({@code <id>EncryptionPolicy}), and, when
 * it logs, generate data keys for log delivery; CloudWatch Logs' delivery service may decrypt (a
 * key policy statement, added by {@link TaskStatusLogs}).
 *
 * @param logsAndTraces log delivery and X-Ray, and the log delivery's data keys with a key
 * @param encryption the key for this state machine's data, or {@code null} without a key
 */
record StateMachineConfig(Policy logsAndTraces, Policy encryption) {

  /** The actions Step Functions' log delivery needs, none of which takes a resource. */
  static final List<String> LOG_DELIVERY =
      List.of(
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups");

  /** The actions X-Ray tracing needs, none of which takes a resource. */
  static final List<String> TRACING =
      List.of(
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets");

  /** The encryption context key Step Functions sets on its KMS calls for a state machine. */
  static final String STATE_MACHINE_CONTEXT = "kms:EncryptionContext:aws:states:stateMachineArn";

  /**
   * Configures {@code machine}, which was built without {@code logs} or {@code tracingEnabled}.
   *
   * @param id the prefix of the policies' construct ids
   * @param key the key for the state machine's data, or {@code null} for AWS owned keys
   */
  static StateMachineConfig apply(
      Construct scope,
      String id,
      StateMachine machine,
      ILogGroup logGroup,
      Settings settings,
      TaskStatusLogs logs,
      IKey key) {
    CfnStateMachine resource = (CfnStateMachine) machine.getNode().getDefaultChild();
    resource.setLoggingConfiguration(
        CfnStateMachine.LoggingConfigurationProperty.builder()
            .destinations(
                List.of(
                    CfnStateMachine.LogDestinationProperty.builder()
                        .cloudWatchLogsLogGroup(
                            CfnStateMachine.CloudWatchLogsLogGroupProperty.builder()
                                .logGroupArn(logGroup.getLogGroupArn())
                                .build())
                        .build()))
            .includeExecutionData(settings.includeExecutionData())
            .level(settings.logLevel().name())
            .build());
    resource.setTracingConfiguration(
        CfnStateMachine.TracingConfigurationProperty.builder().enabled(settings.tracing()).build());

    boolean logged = settings.logLevel() != LogLevel.OFF;
    List<PolicyStatement> statements = new ArrayList<>();
    statements.add(PolicyStatement.Builder.create().actions(LOG_DELIVERY).resources(all()).build());
    if (settings.tracing()) {
      statements.add(PolicyStatement.Builder.create().actions(TRACING).resources(all()).build());
    }
    if (key != null) {
      // Not the L2's CustomerManagedEncryptionConfiguration: it would put its grant in the
      // DefaultPolicy, with a condition built from the physical name, which renders as
      // "...:stateMachine:" (no name) for these unnamed state machines (aws-cdk-lib 2.263).
      resource.setEncryptionConfiguration(
          CfnStateMachine.EncryptionConfigurationProperty.builder()
              .type("CUSTOMER_MANAGED_KMS_KEY")
              .kmsKeyId(key.getKeyArn())
              .build());
      if (logged) {
        // The developer guide's statement for an encrypted state machine that logs, condition and
        // all: StringEquals on the literal "arn:<partition>:logs:<region>:<account>:*".
        statements.add(
            PolicyStatement.Builder.create()
                .actions(List.of("kms:GenerateDataKey"))
                .resources(List.of(key.getKeyArn()))
                .conditions(
                    Map.of(
                        "StringEquals",
                        Map.of("kms:EncryptionContext:SourceArn", logsInThisAccount(scope))))
                .build());
        logs.allowLogDeliveryToDecrypt();
      }
    }
    Policy logsAndTraces =
        Policy.Builder.create(scope, id + "LogsAndTracesPolicy")
            .roles(List.of(machine.getRole()))
            .statements(statements)
            .build();
    resource.addResourceDependency((CfnResource) logsAndTraces.getNode().getDefaultChild());
    Nag.wildcardsAwsRequires(
        logsAndTraces,
        settings.tracing() ? Nag.STATE_MACHINE_WILDCARDS : Nag.STATE_MACHINE_LOG_DELIVERY);

    Policy encryption = null;
    if (key != null) {
      // Names this state machine's ARN, so it cannot be in a policy the state machine depends on.
      encryption =
          Policy.Builder.create(scope, id + "EncryptionPolicy")
              .roles(List.of(machine.getRole()))
              .statements(
                  List.of(
                      PolicyStatement.Builder.create()
                          .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                          .resources(List.of(key.getKeyArn()))
                          .conditions(
                              Map.of(
                                  "StringEquals",
                                  Map.of(STATE_MACHINE_CONTEXT, machine.getStateMachineArn())))
                          .build()))
              .build();
    }
    return new StateMachineConfig(logsAndTraces, encryption);
  }

  /**
   * What reading an encrypted state machine's execution data needs ({@code DescribeExecution}):
   * {@code kms:Decrypt} on its key, for its encryption context only.
   */
  static PolicyStatement readsDataOf(StateMachine machine, IKey key) {
    return PolicyStatement.Builder.create()
        .actions(List.of("kms:Decrypt"))
        .resources(List.of(key.getKeyArn()))
        .conditions(
            Map.of("StringEquals", Map.of(STATE_MACHINE_CONTEXT, machine.getStateMachineArn())))
        .build();
  }

  /**
   * Makes {@code starter} wait for the key grant: an execution started before the role may use the
   * key would fail. Nothing to wait for without a key.
   */
  void startedBy(IConstruct starter) {
    if (encryption != null) {
      starter.getNode().addDependency(encryption);
    }
  }

  private static List<String> all() {
    return List.of("*");
  }

  private static String logsInThisAccount(Construct scope) {
    return Stack.of(scope)
        .formatArn(
            ArnComponents.builder()
                .service("logs")
                .resource("*")
                .arnFormat(ArnFormat.NO_RESOURCE_NAME)
                .build());
  }
}
