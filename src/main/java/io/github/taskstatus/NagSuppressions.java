package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.IConstruct;

/**
 * cdk-nag suppressions as plain resource metadata, which any consumer's cdk-nag honours without
 * this library depending on cdk-nag. Each is scoped to one resource, one rule and one finding.
 */
final class NagSuppressions {

  /** Why the state machine role has {@code Resource: *} statements. */
  static final String STATE_MACHINE_WILDCARDS = "Step Functions log delivery to CloudWatch Logs"
      + " (logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery,"
      + " logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy,"
      + " logs:DescribeResourcePolicies, logs:DescribeLogGroups) and X-Ray"
      + " (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules,"
      + " xray:GetSamplingTargets) do not support resource-level permissions: AWS requires"
      + " Resource '*'";

  /** Why the starter role has a {@code Resource: *} statement. */
  static final String STARTER_WILDCARDS = "X-Ray tracing (xray:PutTraceSegments,"
      + " xray:PutTelemetryRecords) does not support resource-level permissions: AWS requires"
      + " Resource '*'";

  private NagSuppressions() {}

  /**
   * Suppresses AwsSolutions-IAM5 for {@code Resource::*} on a role's default policy, where the
   * only wildcard statements are ones AWS requires.
   */
  static void wildcardsAwsRequires(IRole role, String reason) {
    IConstruct policy = role.getNode().tryFindChild("DefaultPolicy");
    if (policy == null) {
      return;
    }
    CfnResource resource = (CfnResource) policy.getNode().getDefaultChild();
    resource.addMetadata("cdk_nag", Map.of("rules_to_suppress", List.of(Map.of(
        "id", "AwsSolutions-IAM5",
        "reason", reason,
        "applies_to", List.of("Resource::*")))));
  }
}
