package io.github.taskstatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Policy;
import software.constructs.IConstruct;

/**
 * The cdk-nag acknowledgments for the findings that do not apply to this construct, written so that
 * a consumer's cdk-nag honours them whichever major it runs, without this library depending on
 * cdk-nag: cdk-nag 2 reads {@code cdk_nag} resource metadata on the finding's CloudFormation
 * resource; cdk-nag 3, a CDK policy-validation plugin, reads CDK's acknowledgments ({@link
 * Validations#ACKNOWLEDGED_RULES_METADATA_KEY}) on the resource or its ancestors.
 *
 * <p>The acknowledgment ids carry cdk-nag 3's {@code annotation::} prefix. Without it, aws-cdk-lib
 * up to at least 2.263 matches an id that contains {@code ::} (such as {@code
 * AwsSolutions-IAM5[Resource::*]}) anywhere in the app (aws/aws-cdk#38495), so this library's
 * acknowledgment would hide the same finding on the consumer's own resources.
 */
final class Nag {

  /** Why the state machines' roles have {@code Resource: *} statements. */
  static final String STATE_MACHINE_WILDCARDS =
      "Step Functions log delivery to CloudWatch Logs"
          + " (logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery,"
          + " logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy,"
          + " logs:DescribeResourcePolicies, logs:DescribeLogGroups) and X-Ray"
          + " (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules,"
          + " xray:GetSamplingTargets) do not support resource-level permissions: AWS requires"
          + " Resource '*'";

  /** Why a state machine's role has a {@code Resource: *} statement when it does not trace. */
  static final String STATE_MACHINE_LOG_DELIVERY =
      "Step Functions log delivery to CloudWatch Logs"
          + " (logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery,"
          + " logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy,"
          + " logs:DescribeResourcePolicies, logs:DescribeLogGroups) does not support"
          + " resource-level permissions: AWS requires Resource '*'";

  /** Why the starter role has a {@code Resource: *} statement. */
  static final String STARTER_WILDCARDS =
      "X-Ray tracing (xray:PutTraceSegments,"
          + " xray:PutTelemetryRecords) does not support resource-level permissions: AWS requires"
          + " Resource '*'";

  /** Why a dead-letter queue has no redrive policy of its own. */
  static final String DEAD_LETTER_QUEUE =
      "This queue is itself a dead-letter queue: it keeps"
          + " what could not be processed for 14 days, alarmed, for a replay; a redrive policy on"
          + " it would only move dead letters to yet another queue";

  /** Why the SQS event source mapping has no on-failure destination. */
  static final String EVENT_SOURCE_DESTINATION =
      "SQS event source mappings do not support"
          + " on-failure destinations (Lambda supports them for Kinesis, DynamoDB and Kafka); a"
          + " message that keeps failing goes to the queue's dead-letter queue through its redrive"
          + " policy";

  /** Why the reconciler may describe any execution of the task state machine. */
  static final String EXECUTIONS_OF_TASK_MACHINE =
      "DescribeExecution's resource is an execution, whose ARN ends with the execution's name: the"
          + " reconciler reads how any execution of this one state machine stands, so the grant"
          + " ends with ':*' after the state machine's name";

  /** Why the sweep schedule's target has no dead-letter queue. */
  static final String SCHEDULE_WITHOUT_DEAD_LETTERS =
      "A schedule's event carries nothing to replay: the next sweep, one interval later, does the"
          + " same work; a sweep EventBridge could not start is alarmed (SweepScheduleFailedAlarm)";

  /** Why the status event pipe's role may list streams on {@code *}. */
  static final String LIST_STREAMS =
      "dynamodb:ListStreams has no resource type (Service Authorization Reference): it is"
          + " granted on * alone, in this policy; the stream itself is read with grants on its ARN";

  private Nag() {}

  /**
   * The AwsSolutions-IAM5 finding cdk-nag reports for a grant on every execution of a state machine
   * ({@code arn:<partition>:states:<region>:<account>:execution:<name>:*}), as it renders the ARN:
   * references in angle brackets, the stack's region and account as they are.
   */
  static String executionsFinding(CfnResource stateMachine) {
    Stack stack = Stack.of(stateMachine);
    String region = Token.isUnresolved(stack.getRegion()) ? "<AWS::Region>" : stack.getRegion();
    String account =
        Token.isUnresolved(stack.getAccount()) ? "<AWS::AccountId>" : stack.getAccount();
    return "Resource::arn:<AWS::Partition>:states:"
        + region
        + ":"
        + account
        + ":execution:<"
        + stack.getLogicalId(stateMachine)
        + ".Name>:*";
  }

  /**
   * Acknowledges a finding on a construct: {@code finding} narrows the rule to one finding ({@code
   * Resource::*}), or is {@code null} for the rule on this resource.
   */
  static void acknowledge(IConstruct scope, String rule, String finding, String reason) {
    Map<String, Object> suppression = new LinkedHashMap<>();
    suppression.put("id", rule);
    suppression.put("reason", reason);
    if (finding != null) {
      suppression.put("applies_to", List.of(finding));
    }
    CfnResource resource =
        scope instanceof CfnResource cfn ? cfn : (CfnResource) scope.getNode().getDefaultChild();
    List<Object> suppressions = new ArrayList<>();
    if (resource.getMetadata("cdk_nag") instanceof Map<?, ?> existing
        && existing.get("rules_to_suppress") instanceof List<?> earlier) {
      suppressions.addAll(earlier);
    }
    suppressions.add(suppression);
    resource.addMetadata("cdk_nag", Map.of("rules_to_suppress", suppressions));
    String id = finding == null ? rule : rule + "[" + finding + "]";
    resource
        .getNode()
        .addMetadata(
            Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of("annotation::" + id, reason));
  }

  /**
   * Acknowledges AwsSolutions-IAM5 for {@code Resource::*} on a policy whose only wildcard
   * statements are ones AWS requires. Never a role's {@code DefaultPolicy}: anyone may add to that
   * one (a state machine's states, the user's {@code work} among them, add their statements there),
   * and the acknowledgment would hide their findings too.
   */
  static void wildcardsAwsRequires(Policy policy, String reason) {
    acknowledge(policy, "AwsSolutions-IAM5", "Resource::*", reason);
  }
}
