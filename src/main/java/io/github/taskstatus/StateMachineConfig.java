package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.stepfunctions.CfnStateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * A state machine's logging and tracing, and the role statements they need, in a policy of its own.
 *
 * <p>They are set on the CloudFormation resource rather than with the L2's {@code logs} and {@code
 * tracingEnabled}, which would add the log delivery and X-Ray statements to the role's {@code
 * DefaultPolicy}. That policy is where every state of the definition adds its statements, the
 * user's {@code work} included, so acknowledging its {@code Resource: *} would hide the user's own
 * wildcards from them. The statements AWS requires on {@code Resource: *} go in {@code
 * <id>LogsAndTracesPolicy} instead, acknowledged there alone; the state machine depends on it,
 * since Step Functions checks the log delivery permissions when it creates the state machine.
 *
 * @param logsAndTraces log delivery and X-Ray
 */
record StateMachineConfig(Policy logsAndTraces) {

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

  /**
   * Configures {@code machine}, which was built without {@code logs} or {@code tracingEnabled}.
   *
   * @param id the prefix of the policy's construct id
   */
  static StateMachineConfig apply(
      Construct scope, String id, StateMachine machine, ILogGroup logGroup, Settings settings) {
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

    List<PolicyStatement> statements = new ArrayList<>();
    statements.add(PolicyStatement.Builder.create().actions(LOG_DELIVERY).resources(all()).build());
    if (settings.tracing()) {
      statements.add(PolicyStatement.Builder.create().actions(TRACING).resources(all()).build());
    }
    Policy logsAndTraces =
        Policy.Builder.create(scope, id + "LogsAndTracesPolicy")
            .roles(List.of(machine.getRole()))
            .statements(statements)
            .build();
    resource.addDependency((CfnResource) logsAndTraces.getNode().getDefaultChild());
    Nag.wildcardsAwsRequires(
        logsAndTraces,
        settings.tracing() ? Nag.STATE_MACHINE_WILDCARDS : Nag.STATE_MACHINE_LOG_DELIVERY);
    return new StateMachineConfig(logsAndTraces);
  }

  private static List<String> all() {
    return List.of("*");
  }
}
