package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/** IAM statement by statement, KMS, and the cdk-nag suppressions. */
class SecurityTest {
  private static final Synth DEFAULT = Synth.workflow(null);
  private static final String TABLE_ARN =
      """
      {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
        ":dynamodb:eu-west-1:123456789012:table/", {"Ref": "TasksTable45D1B62D"}]]}""";
  static final String LOG_DELIVERY =
      """
      {"Action": ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                  "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                  "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
       "Effect": "Allow", "Resource": "*"}""";
  static final String TRACING =
      """
      {"Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                  "xray:GetSamplingRules", "xray:GetSamplingTargets"],
       "Effect": "Allow", "Resource": "*"}""";

  /** The role's DefaultPolicy, where grants to the role and a state machine's states add theirs. */
  static JsonNode policy(Synth synth, String rolePrefix) {
    return synth.only("AWS::IAM::Policy", rolePrefix + "DefaultPolicy");
  }

  /** The statements of a policy of the construct's own, by its logical id's prefix. */
  static JsonNode ownPolicyStatements(Synth synth, String logicalIdPrefix) {
    return synth
        .only("AWS::IAM::Policy", logicalIdPrefix)
        .at("/Properties/PolicyDocument/Statement");
  }

  static JsonNode statements(Synth synth, String rolePrefix) {
    return policy(synth, rolePrefix).at("/Properties/PolicyDocument/Statement");
  }

  @Test
  void theStarterMayOnlyWriteItsLogsTraceAndStartThisStateMachine() {
    assertThat(statements(DEFAULT, "TasksStarterRole"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["TasksStarterLogsE8868112", "Arn"]}},
         {"Action": "sqs:SendMessage", "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["TasksStarterDeadLetterQueue6023790D", "Arn"]}},
         {"Action": "states:StartExecution", "Effect": "Allow",
          "Resource": {"Ref": "TasksStateMachineA4CB7752"}}]"""));
    assertThat(ownPolicyStatements(DEFAULT, "TasksStarterTracingPolicy"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Effect": "Allow",
          "Resource": "*"}]"""));
  }

  @Test
  void theStarterTracesWithAPolicyOfItsOwnThatTheFunctionWaitsFor() {
    JsonNode tracing = DEFAULT.only("AWS::IAM::Policy", "TasksStarterTracingPolicy");
    JsonNode function = DEFAULT.only("AWS::Lambda::Function");
    String id = DEFAULT.logicalId("AWS::IAM::Policy", "TasksStarterTracingPolicy");

    assertThat(tracing.at("/Properties/Roles"))
        .isEqualTo(Synth.parse("[{\"Ref\": \"TasksStarterRole600BA228\"}]"));
    assertThat(function.at("/Properties/TracingConfig"))
        .isEqualTo(Synth.parse("{\"Mode\": \"Active\"}"));
    assertThat(function.get("DependsOn")).extracting(JsonNode::asText).contains(id);
  }

  @Test
  void theStateMachineMayOnlyPutReadAndUpdateThisTableAndDeliverLogsAndTraces() {
    assertThat(statements(DEFAULT, "TasksStateMachineRole"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "dynamodb:PutItem", "Effect": "Allow", "Resource": %s},
         {"Action": "dynamodb:GetItem", "Effect": "Allow", "Resource": %s},
         {"Action": "dynamodb:UpdateItem", "Effect": "Allow", "Resource": %s}]"""
                    .formatted(TABLE_ARN, TABLE_ARN, TABLE_ARN)));
    assertThat(ownPolicyStatements(DEFAULT, "TasksStateMachineLogsAndTracesPolicy"))
        .isEqualTo(Synth.parse("[%s, %s]".formatted(LOG_DELIVERY, TRACING)));
  }

  /** The sweeper's: a Query of the open-task index, and starting the reconciler. */
  private static final String SWEEPER_STATEMENTS =
      """
      {"Action": "dynamodb:Query", "Effect": "Allow",
       "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["TasksTable45D1B62D", "Arn"]},
         "/index/OpenTasks"]]}},
      {"Action": "states:StartExecution", "Effect": "Allow",
       "Resource": {"Ref": "TasksReconcilerDCFA3312"}}""";

  @Test
  void theSweeperMayOnlyQueryTheOpenTaskIndexAndStartTheReconciler() {
    assertThat(statements(DEFAULT, "TasksSweeperRole"))
        .isEqualTo(Synth.parse("[" + SWEEPER_STATEMENTS + "]"));
    assertThat(ownPolicyStatements(DEFAULT, "TasksSweeperLogsAndTracesPolicy"))
        .isEqualTo(Synth.parse("[%s, %s]".formatted(LOG_DELIVERY, TRACING)));
  }

  @Test
  void withAKeyTheSweeperMayAlsoDecryptWhatTheIndexGivesIt() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().encryptionKey(Synth.key(stack)));

    assertThat(statements(synth, "TasksSweeperRole"))
        .isEqualTo(
            Synth.parse(
                "["
                    + SWEEPER_STATEMENTS
                    + """
        , {"Action": "kms:Decrypt", "Effect": "Allow",
           "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}]"""));
  }

  @Test
  void logDeliveryAndTracesAreInPoliciesOfTheirOwnThatTheStateMachinesDependOn() {
    for (String[] machine :
        new String[][] {
          {"TasksStateMachine", "TasksStateMachineRole7BFD82C3"},
          {"TasksReconciler", "TasksReconcilerRoleB91B1727"},
          {"TasksSweeper", "TasksSweeperRole5B11F51F"}
        }) {
      String id = DEFAULT.logicalId("AWS::IAM::Policy", machine[0] + "LogsAndTracesPolicy");
      JsonNode policy = DEFAULT.resources().get(id);

      assertThat(policy.at("/Properties/Roles"))
          .as(id)
          .isEqualTo(Synth.parse("[{\"Ref\": \"%s\"}]".formatted(machine[1])));
      assertThat(policy.at("/Properties/PolicyDocument/Statement"))
          .as(id)
          .isEqualTo(Synth.parse("[%s, %s]".formatted(LOG_DELIVERY, TRACING)));
      assertThat(DEFAULT.only("AWS::StepFunctions::StateMachine", machine[0]).get("DependsOn"))
          .as("what %s waits for", machine[0])
          .extracting(JsonNode::asText)
          .contains(id, machine[1]);
      assertThat(policy(DEFAULT, machine[1].replaceAll("[0-9A-F]{8}$", "")).toString())
          .as("the role's DefaultPolicy")
          .doesNotContain("logs:", "xray:", "cdk_nag");
    }
  }

  @Test
  void withoutTracingThereIsNoXrayStatementAndNoStarterSuppression() {
    Synth synth = Synth.workflow(TaskStatusWorkflowProps.builder().tracing(false).build());

    assertThat(statements(synth, "TasksStarterRole").toString()).doesNotContain("xray:");
    assertThat(synth.json.toString()).doesNotContain("xray:", "StarterTracingPolicy");
    assertThat(ownPolicyStatements(synth, "TasksStateMachineLogsAndTracesPolicy"))
        .isEqualTo(Synth.parse("[%s]".formatted(LOG_DELIVERY)));
    assertThat(policy(synth, "TasksStarterRole").has("Metadata")).isFalse();
  }

  @Test
  void noRoleHasAManagedPolicyAndEachIsAssumedOnlyByItsService() {
    List<String> services = new java.util.ArrayList<>();
    for (JsonNode resource : DEFAULT.resources()) {
      if (resource.path("Type").asText().equals("AWS::IAM::Role")) {
        assertThat(resource.at("/Properties/ManagedPolicyArns").isMissingNode()).isTrue();
        assertThat(resource.at("/Properties/AssumeRolePolicyDocument/Statement")).hasSize(1);
        services.add(
            resource
                .at("/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service")
                .asText());
      }
    }
    assertThat(services)
        .containsExactlyInAnyOrder(
            "states.amazonaws.com",
            "lambda.amazonaws.com",
            "states.amazonaws.com",
            "events.amazonaws.com",
            "states.amazonaws.com",
            "events.amazonaws.com");
  }

  @Test
  void eachWildcardAcknowledgmentIsScopedToOnePolicyOneRuleAndResourceStar() {
    for (String[] policy :
        new String[][] {
          {"TasksStateMachineLogsAndTracesPolicy", Nag.STATE_MACHINE_WILDCARDS},
          {"TasksReconcilerLogsAndTracesPolicy", Nag.STATE_MACHINE_WILDCARDS},
          {"TasksSweeperLogsAndTracesPolicy", Nag.STATE_MACHINE_WILDCARDS},
          {"TasksStarterTracingPolicy", Nag.STARTER_WILDCARDS}
        }) {
      assertThat(DEFAULT.only("AWS::IAM::Policy", policy[0]).get("Metadata"))
          .as(policy[0])
          .isEqualTo(
              Synth.parse(
                  """
          {"cdk_nag": {"rules_to_suppress": [{"id": "AwsSolutions-IAM5",
            "reason": "%s", "applies_to": ["Resource::*"]}]}}"""
                      .formatted(policy[1])));
    }
    List<String> acknowledged = new java.util.ArrayList<>();
    for (var e : DEFAULT.resources().properties()) {
      if (e.getValue().has("Metadata") && e.getValue().get("Metadata").has("cdk_nag")) {
        e.getValue()
            .at("/Metadata/cdk_nag/rules_to_suppress")
            .forEach(
                rule -> {
                  acknowledged.add(
                      e.getKey().replaceAll("[0-9A-F]{8}$", "") + " " + rule.get("id").asText());
                  assertThat(rule.get("reason").asText()).hasSizeGreaterThan(40);
                });
      }
    }
    assertThat(acknowledged)
        .containsExactlyInAnyOrder(
            "TasksStateMachineLogsAndTracesPolicy AwsSolutions-IAM5",
            "TasksStarterTracingPolicy AwsSolutions-IAM5",
            "TasksReconcilerLogsAndTracesPolicy AwsSolutions-IAM5",
            "TasksSweeperLogsAndTracesPolicy AwsSolutions-IAM5",
            "TasksReconcilerReadsExecutionsPolicy AwsSolutions-IAM5",
            "TasksStarterDeadLetterQueue Serverless-SQSRedrivePolicy",
            "TasksReconcilerDeadLetterQueue Serverless-SQSRedrivePolicy",
            "TasksReconcilerDeadLetterQueue AwsSolutions-SQS3",
            "TasksSweepSchedule Serverless-EventBusDLQ");
  }

  @Test
  void cdkNag3AcknowledgmentsAreScopedToTheResourceAndMirrorTheCdkNag2Ones() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
          List<String> found = new java.util.ArrayList<>();
          for (software.constructs.IConstruct c : workflow.getNode().findAll()) {
            for (software.constructs.MetadataEntry entry : c.getNode().getMetadata()) {
              if (entry
                  .getType()
                  .equals(software.amazon.awscdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
                ((java.util.Map<?, ?>) entry.getData())
                    .forEach(
                        (id, reason) -> {
                          found.add(c.getNode().getPath() + " " + id);
                          assertThat((String) reason).hasSizeGreaterThan(40);
                        });
              }
            }
          }
          assertThat(found)
              .containsExactlyInAnyOrder(
                  "Test/Tasks/StateMachineLogsAndTracesPolicy/Resource"
                      + " annotation::AwsSolutions-IAM5[Resource::*]",
                  "Test/Tasks/StarterTracingPolicy/Resource"
                      + " annotation::AwsSolutions-IAM5[Resource::*]",
                  "Test/Tasks/ReconcilerLogsAndTracesPolicy/Resource"
                      + " annotation::AwsSolutions-IAM5[Resource::*]",
                  "Test/Tasks/SweeperLogsAndTracesPolicy/Resource"
                      + " annotation::AwsSolutions-IAM5[Resource::*]",
                  "Test/Tasks/ReconcilerReadsExecutionsPolicy/Resource"
                      + " annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:"
                      + "eu-west-1:123456789012:execution:<TasksStateMachineA4CB7752.Name>:*]",
                  "Test/Tasks/SweepSchedule/Resource annotation::Serverless-EventBusDLQ",
                  "Test/Tasks/StarterDeadLetterQueue/Resource annotation::Serverless-SQSRedrivePolicy",
                  "Test/Tasks/ReconcilerDeadLetterQueue/Resource annotation::Serverless-SQSRedrivePolicy",
                  "Test/Tasks/ReconcilerDeadLetterQueue/Resource annotation::AwsSolutions-SQS3");
        });
  }

  @Test
  void aCustomerManagedKeyEncryptsTheTableAndBothLogGroups() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().encryptionKey(Synth.key(stack)));
    JsonNode keyArn = Synth.parse("{\"Fn::GetAtt\": [\"Key961B73FD\", \"Arn\"]}");

    assertThat(synth.only("AWS::DynamoDB::Table").at("/Properties/SSESpecification"))
        .isEqualTo(
            Synth.parse(
                "{\"KMSMasterKeyId\": "
                    + keyArn
                    + ", \"SSEEnabled\": true,"
                    + " \"SSEType\": \"KMS\"}"));
    for (JsonNode resource : synth.resources()) {
      if (resource.path("Type").asText().equals("AWS::Logs::LogGroup")) {
        assertThat(resource.at("/Properties/KmsKeyId")).isEqualTo(keyArn);
      }
    }
    assertThat(statements(synth, "TasksStateMachineRole"))
        .contains(
            Synth.parse(
                """
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": %s}"""
                    .formatted(keyArn)));
  }

  @Test
  void theKeyPolicyLetsCloudWatchLogsUseTheKeyForThisConstructsLogGroupsOnly() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().encryptionKey(Synth.key(stack)));

    JsonNode statement = null;
    for (JsonNode s : synth.only("AWS::KMS::Key").at("/Properties/KeyPolicy/Statement")) {
      if (s.path("Sid").asText().startsWith("AllowTaskStatusWorkflowLogs")) {
        statement = s;
      }
    }
    assertThat(statement)
        .isEqualTo(
            Synth.parse(
                """
        {"Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                    "kms:Describe*"],
         "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": [
           {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
             ":logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/TestTasks4E3E2E29"]]},
           {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
             ":logs:eu-west-1:123456789012:log-group:/aws/lambda/TestTasks4E3E2E29"]]},
           {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
             ":logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/TestTasks4E3E2E29-reconciler"]]},
           {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
             ":logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/TestTasks4E3E2E29-sweeper"]]}]}},
         "Effect": "Allow", "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
         "Resource": "*", "Sid": "AllowTaskStatusWorkflowLogsTestTasks4E3E2E29"}"""));
  }

  @Test
  void theKeyPolicyNamesEveryLogGroupTheConstructCreates() {
    Synth synth =
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .encryptionKey(Synth.key(stack))
                    .worker(TaskWorkerOptions.builder().build())
                    .statusEvents(true));
    String policy = synth.only("AWS::KMS::Key").at("/Properties/KeyPolicy").toString();
    List<String> groups = new ArrayList<>();
    synth
        .resources()
        .properties()
        .forEach(
            e -> {
              if (e.getValue().path("Type").asText().equals("AWS::Logs::LogGroup")) {
                groups.add(e.getValue().at("/Properties/LogGroupName").asText());
              }
            });
    assertThat(groups).hasSizeGreaterThanOrEqualTo(5);
    for (String group : groups) {
      assertThat(policy)
          .as("the key policy names %s", group)
          .contains(":log-group:" + group + "\"");
    }
  }

  @Test
  void anImportedKeyGetsAWarningAboutItsKeyPolicy() {
    Synth synth = Synth.workflowWithImportedKey();

    Annotations.fromStack(synth.stack)
        .hasWarning(
            "/Test/Tasks",
            Match.stringLikeRegexp("encryptionKey is imported.*logs.eu-west-1.amazonaws.com.*"));
  }

  @Test
  void grantStartTaskAllowsInvokingTheStarterAliasOnly() {
    Synth synth =
        Synth.stack(
            stack -> {
              TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
              workflow.grantStartTask(Synth.role(stack, "Caller"));
            });

    assertThat(statements(synth, "Caller"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "lambda:InvokeFunction", "Effect": "Allow",
          "Resource": {"Ref": "TasksStarterAlias984FA83F"}}]"""));
  }

  @Test
  void withoutSnapStartGrantStartTaskAllowsInvokingTheFunction() {
    Synth synth =
        Synth.stack(
            stack -> {
              TaskStatusWorkflow workflow =
                  new TaskStatusWorkflow(
                      stack, "Tasks", TaskStatusWorkflowProps.builder().snapStart(false).build());
              workflow.grantStartTask(Synth.role(stack, "Caller"));
            });

    assertThat(statements(synth, "Caller"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "lambda:InvokeFunction", "Effect": "Allow",
          "Resource": [{"Fn::GetAtt": ["TasksStarter986E6848", "Arn"]},
                       {"Fn::Join": ["", [{"Fn::GetAtt": ["TasksStarter986E6848", "Arn"]}, ":*"]]}]}]"""));
  }
}
