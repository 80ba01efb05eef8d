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

/** The key of the alarm topic, which CloudWatch must be able to use. */
class EncryptionTest {
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
    String arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
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
