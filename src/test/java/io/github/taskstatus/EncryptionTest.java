package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * What {@code encryptionKey} encrypts besides the table, the log groups and the queues: the state
 * machines' data, and what each principal may do with the key for it; and the key of the alarm
 * topic, which CloudWatch must be able to use.
 */
class EncryptionTest {
  private static final JsonNode KEY_ARN =
      Synth.parse("{\"Fn::GetAtt\": [\"Key961B73FD\", \"Arn\"]}");
  private static final String CUSTOMER_MANAGED =
      """
      {"KmsKeyId": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}, "Type": "CUSTOMER_MANAGED_KMS_KEY"}""";
  private static final String LOG_DELIVERY_DATA_KEYS =
      """
      {"Action": "kms:GenerateDataKey",
       "Condition": {"StringEquals": {"kms:EncryptionContext:SourceArn": {"Fn::Join": ["",
         ["arn:", {"Ref": "AWS::Partition"}, ":logs:eu-west-1:123456789012:*"]]}}},
       "Effect": "Allow", "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}""";
  private static final Synth WITH_KEY =
      Synth.workflowWith(
          stack -> TaskStatusWorkflowProps.builder().encryptionKey(Synth.key(stack)));
  private static final Synth EXPRESS_WITH_KEY =
      Synth.workflowWith(
          stack ->
              TaskStatusWorkflowProps.builder()
                  .stateMachineType(StateMachineType.EXPRESS)
                  .encryptionKey(Synth.key(stack)));

  /** The key policy's statement with this Sid, or {@code null}. */
  private static JsonNode keyStatement(Synth synth, String keyLogicalId, String sid) {
    for (JsonNode statement :
        synth.resources().get(keyLogicalId).at("/Properties/KeyPolicy/Statement")) {
      if (statement.path("Sid").asText().equals(sid)) {
        return statement;
      }
    }
    return null;
  }

  private static JsonNode stateMachine(Synth synth, String logicalIdPrefix) {
    return synth.only("AWS::StepFunctions::StateMachine", logicalIdPrefix);
  }

  private static String encryptionGrant(String stateMachineLogicalId) {
    return """
        [{"Action": ["kms:Decrypt", "kms:GenerateDataKey"],
          "Condition": {"StringEquals":
            {"kms:EncryptionContext:aws:states:stateMachineArn": {"Ref": "%s"}}},
          "Effect": "Allow", "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}]"""
        .formatted(stateMachineLogicalId);
  }

  @Test
  void theReconcilerEncryptsItsDataWithTheKeyAndItsRoleMayUseItForThatStateMachineOnly() {
    JsonNode reconciler = stateMachine(WITH_KEY, "TasksReconciler");
    String grant = WITH_KEY.logicalId("AWS::IAM::Policy", "TasksReconcilerEncryptionPolicy");

    assertThat(reconciler.at("/Properties/EncryptionConfiguration"))
        .isEqualTo(Synth.parse(CUSTOMER_MANAGED));
    assertThat(WITH_KEY.resources().get(grant).at("/Properties/Roles"))
        .isEqualTo(Synth.parse("[{\"Ref\": \"TasksReconcilerRoleB91B1727\"}]"));
    assertThat(SecurityTest.ownPolicyStatements(WITH_KEY, "TasksReconcilerEncryptionPolicy"))
        .isEqualTo(Synth.parse(encryptionGrant("TasksReconcilerDCFA3312")));
    assertThat(SecurityTest.ownPolicyStatements(WITH_KEY, "TasksReconcilerLogsAndTracesPolicy"))
        .isEqualTo(
            Synth.parse(
                "[%s, %s, %s]"
                    .formatted(
                        SecurityTest.LOG_DELIVERY, SecurityTest.TRACING, LOG_DELIVERY_DATA_KEYS)));
  }

  @Test
  void theRuleStartsTheReconcilerOnlyOnceItsRoleMayUseTheKey() {
    String grant = WITH_KEY.logicalId("AWS::IAM::Policy", "TasksReconcilerEncryptionPolicy");

    assertThat(WITH_KEY.only("AWS::Events::Rule", "TasksReconcileRule").get("DependsOn"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder(
            grant, WITH_KEY.logicalId("AWS::IAM::Policy", "TasksReconcilerReadsExecutionsPolicy"));
    // The grant names the state machine, so the state machine cannot wait for it.
    assertThat(stateMachine(WITH_KEY, "TasksReconciler").get("DependsOn"))
        .extracting(JsonNode::asText)
        .doesNotContain(grant);
  }

  @Test
  void cloudWatchLogsDeliveryMayDecryptTheLogsOfTheEncryptedStateMachine() {
    assertThat(keyStatement(WITH_KEY, "Key961B73FD", "AllowTaskStatusWorkflowLogDelivery"))
        .isEqualTo(
            Synth.parse(
                """
        {"Action": "kms:Decrypt", "Effect": "Allow",
         "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Resource": "*",
         "Sid": "AllowTaskStatusWorkflowLogDelivery"}"""));
  }

  @Test
  void aStandardTaskStateMachineEncryptsItsDataAndTheReconcilerMayReadItsExecutionsOnly() {
    String grant = WITH_KEY.logicalId("AWS::IAM::Policy", "TasksStateMachineEncryptionPolicy");

    assertThat(
            stateMachine(WITH_KEY, "TasksStateMachine").at("/Properties/EncryptionConfiguration"))
        .isEqualTo(Synth.parse(CUSTOMER_MANAGED));
    assertThat(SecurityTest.ownPolicyStatements(WITH_KEY, "TasksStateMachineEncryptionPolicy"))
        .isEqualTo(Synth.parse(encryptionGrant("TasksStateMachineA4CB7752")));
    assertThat(WITH_KEY.only("AWS::Lambda::Function").get("DependsOn"))
        .extracting(JsonNode::asText)
        .contains(grant);
    // Its status change events carry no input, error or cause: the reconciler reads them with
    // DescribeExecution, which decrypts them with the key, for this state machine only.
    assertThat(SecurityTest.statements(WITH_KEY, "TasksReconcilerRole"))
        .contains(
            Synth.parse(
                """
        {"Action": "kms:Decrypt",
         "Condition": {"StringEquals":
           {"kms:EncryptionContext:aws:states:stateMachineArn": {"Ref": "TasksStateMachineA4CB7752"}}},
         "Effect": "Allow", "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}"""));
  }

  @Test
  void anExpressTaskStateMachineEncryptsItsDataAndTheStarterWaitsForTheGrant() {
    String grant =
        EXPRESS_WITH_KEY.logicalId("AWS::IAM::Policy", "TasksStateMachineEncryptionPolicy");

    assertThat(
            stateMachine(EXPRESS_WITH_KEY, "TasksStateMachine")
                .at("/Properties/EncryptionConfiguration"))
        .isEqualTo(Synth.parse(CUSTOMER_MANAGED));
    assertThat(
            SecurityTest.ownPolicyStatements(EXPRESS_WITH_KEY, "TasksStateMachineEncryptionPolicy"))
        .isEqualTo(Synth.parse(encryptionGrant("TasksStateMachineA4CB7752")));
    assertThat(
            SecurityTest.ownPolicyStatements(
                EXPRESS_WITH_KEY, "TasksStateMachineLogsAndTracesPolicy"))
        .isEqualTo(
            Synth.parse(
                "[%s, %s, %s]"
                    .formatted(
                        SecurityTest.LOG_DELIVERY, SecurityTest.TRACING, LOG_DELIVERY_DATA_KEYS)));
    assertThat(EXPRESS_WITH_KEY.only("AWS::Lambda::Function").get("DependsOn"))
        .extracting(JsonNode::asText)
        .contains(grant);
    assertThat(keyStatement(EXPRESS_WITH_KEY, "Key961B73FD", "AllowTaskStatusWorkflowLogDelivery"))
        .isNotNull();
  }

  @Test
  void callersNeedNoKeyGrantForTheStepFunctionsCallsTheyMake() {
    // StartExecution needs nothing of the caller (the developer guide's table): the starter and
    // the rule's role keep exactly what they had.
    assertThat(SecurityTest.statements(WITH_KEY, "TasksReconcilerEventsRole"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "states:StartExecution", "Effect": "Allow",
          "Resource": {"Ref": "TasksReconcilerDCFA3312"}}]"""));
    assertThat(SecurityTest.statements(EXPRESS_WITH_KEY, "TasksStarterRole").toString())
        .doesNotContain("aws:states:stateMachineArn");
  }

  @Test
  void anImportedKeysWarningAsksForTheLogDeliveryStatementToo() {
    Synth synth = Synth.workflowWithImportedKey();

    Annotations.fromStack(synth.stack)
        .hasWarning(
            "/Test/Tasks",
            Match.stringLikeRegexp(
                "encryptionKey is imported.*, and the service principal"
                    + " delivery.logs.amazonaws.com kms:Decrypt .*"));
    assertThat(stateMachine(synth, "TasksReconciler").at("/Properties/EncryptionConfiguration"))
        .isEqualTo(
            Synth.parse(
                """
        {"KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
         "Type": "CUSTOMER_MANAGED_KMS_KEY"}"""));
  }

  @Test
  void withoutLoggingThereIsNoLogDeliveryKeyGrant() {
    Synth synth =
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .encryptionKey(Synth.key(stack))
                    .logLevel(LogLevel.OFF));

    assertThat(SecurityTest.ownPolicyStatements(synth, "TasksReconcilerLogsAndTracesPolicy"))
        .isEqualTo(
            Synth.parse("[%s, %s]".formatted(SecurityTest.LOG_DELIVERY, SecurityTest.TRACING)));
    assertThat(keyStatement(synth, "Key961B73FD", "AllowTaskStatusWorkflowLogDelivery")).isNull();
    assertThat(stateMachine(synth, "TasksReconciler").at("/Properties/EncryptionConfiguration"))
        .isEqualTo(Synth.parse(CUSTOMER_MANAGED));
  }

  @Test
  void withoutAKeyStepFunctionsKeepsItsAwsOwnedKeys() {
    Synth synth = Synth.workflow(null);

    for (String machine : List.of("TasksStateMachine", "TasksReconciler")) {
      assertThat(stateMachine(synth, machine).at("/Properties").has("EncryptionConfiguration"))
          .as(machine)
          .isFalse();
    }
    assertThat(synth.json.toString()).doesNotContain("EncryptionPolicy", "kms:");
  }

  @Test
  void anAlarmTopicEncryptedWithTheWorkflowsKeyLetsCloudWatchAlarmsUseIt() {
    Synth synth =
        Synth.stack(
            stack -> {
              Key key = Synth.key(stack);
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .encryptionKey(key)
                  .alarmTopic(Topic.Builder.create(stack, "Ops").masterKey(key).build())
                  .build();
            });

    assertThat(keyStatement(synth, "Key961B73FD", "AllowCloudWatchAlarmsToEncryptedTopic"))
        .isEqualTo(
            Synth.parse(
                """
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
         "Condition": {
           "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
             ":cloudwatch:eu-west-1:123456789012:alarm:*"]]}},
           "StringEquals": {"aws:SourceAccount": "123456789012"}},
         "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Resource": "*", "Sid": "AllowCloudWatchAlarmsToEncryptedTopic"}"""));
    assertThat(topicKeyWarnings(synth)).isEmpty();
  }

  @Test
  void anAlarmTopicEncryptedWithAnotherKeyGetsAWarningWithTheStatementToAdd() {
    Synth synth =
        Synth.stack(
            stack -> {
              Key other = Key.Builder.create(stack, "OpsKey").enableKeyRotation(true).build();
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .encryptionKey(Synth.key(stack))
                  .alarmTopic(Topic.Builder.create(stack, "Ops").masterKey(other).build())
                  .build();
            });

    assertThat(topicKeyWarnings(synth))
        .containsExactly(
            "alarmTopic is encrypted with the KMS key Test/OpsKey, whose key policy this"
                + " construct does not change: CloudWatch cannot publish the alarms to the topic"
                + " until that key policy has the statement {\"Sid\":"
                + " \"AllowCloudWatchAlarmsToEncryptedTopic\", \"Effect\": \"Allow\","
                + " \"Principal\": {\"Service\": \"cloudwatch.amazonaws.com\"}, \"Action\":"
                + " [\"kms:Decrypt\", \"kms:GenerateDataKey*\"], \"Resource\": \"*\","
                + " \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"},"
                + " \"ArnLike\": {\"aws:SourceArn\":"
                + " \"arn:<partition>:cloudwatch:eu-west-1:123456789012:alarm:*\"}}}"
                + " [ack: task-status-workflow:alarm-topic-key]");
    assertThat(synth.resources().get(synth.logicalId("AWS::KMS::Key", "OpsKey")).toString())
        .doesNotContain("cloudwatch.amazonaws.com");
  }

  @Test
  void anAlarmTopicWithAnImportedKeyGetsTheWarningWithTheKeysArn() {
    String arn = Synth.IMPORTED_KEY_ARN;
    Synth synth =
        Synth.stack(
            stack ->
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .alarmTopic(
                        Topic.Builder.create(stack, "Ops")
                            .masterKey(Key.fromKeyArn(stack, "OpsKey", arn))
                            .build())
                    .build());

    assertThat(topicKeyWarnings(synth))
        .singleElement()
        .asString()
        .startsWith(
            "alarmTopic is encrypted with the KMS key Test/OpsKey (" + arn + "), whose key policy");
  }

  @Test
  void anUnencryptedAlarmTopicAddsNothingToTheKeyPolicy() {
    Synth synth =
        Synth.stack(
            stack ->
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .encryptionKey(Synth.key(stack))
                    .alarmTopic(Topic.Builder.create(stack, "Ops").build())
                    .build());

    assertThat(synth.only("AWS::KMS::Key").toString()).doesNotContain("cloudwatch.amazonaws.com");
    assertThat(topicKeyWarnings(synth)).isEmpty();
  }

  private static List<String> topicKeyWarnings(Synth synth) {
    return Annotations.fromStack(synth.stack)
        .findWarning("*", Match.stringLikeRegexp(".*" + TaskStatusAlarms.TOPIC_KEY_WARNING + ".*"))
        .stream()
        .map(SynthesisMessage::getEntry)
        .map(entry -> String.valueOf(entry.getData()))
        .toList();
  }
}
