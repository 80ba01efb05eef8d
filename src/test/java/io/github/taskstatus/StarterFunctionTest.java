package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The starter Lambda and the two roles, statement by statement. */
class StarterFunctionTest {
  private static final Synth DEFAULT = Synth.workflow(null);

  private static JsonNode function() {
    return DEFAULT.only("AWS::Lambda::Function").get("Properties");
  }

  private static JsonNode policyOfRole(String rolePrefix) {
    for (JsonNode resource : DEFAULT.resources()) {
      if (resource.path("Type").asText().equals("AWS::IAM::Policy")
          && resource.at("/Properties/Roles/0/Ref").asText().startsWith(rolePrefix)) {
        return resource.at("/Properties/PolicyDocument/Statement");
      }
    }
    throw new AssertionError("no policy for " + rolePrefix);
  }

  @Test
  void runsTheEmbeddedJavaHandlerOnArm64WithTheCurrentJavaRuntime() {
    JsonNode fn = function();

    assertThat(fn.get("Runtime").asText()).isEqualTo("java25");
    assertThat(fn.get("Architectures")).isEqualTo(Synth.parse("[\"arm64\"]"));
    assertThat(fn.get("Handler").asText())
        .isEqualTo("io.github.taskstatus.starter.StarterHandler::handleRequest");
    assertThat(fn.get("MemorySize").asInt()).isEqualTo(512);
    assertThat(fn.get("Timeout").asInt()).isEqualTo(30);
    assertThat(fn.at("/Code/S3Key").asText()).matches("[0-9a-f]{64}\\.jar");
  }

  @Test
  void getsTheStateMachineArnFromTheEnvironment() {
    String stateMachine = DEFAULT.logicalId("AWS::StepFunctions::StateMachine");

    assertThat(function().at("/Environment/Variables")).isEqualTo(Synth.parse(
        "{\"STATE_MACHINE_ARN\":{\"Ref\":\"" + stateMachine + "\"}}"));
  }

  @Test
  void mayOnlyStartExecutionsOfThisStateMachine() {
    String stateMachine = DEFAULT.logicalId("AWS::StepFunctions::StateMachine");

    assertThat(policyOfRole("TasksStarter")).isEqualTo(Synth.parse("""
        [{"Action": "states:StartExecution", "Effect": "Allow",
          "Resource": {"Ref": "%s"}}]""".formatted(stateMachine)));
  }

  @Test
  void theStateMachineMayOnlyPutAndUpdateItemsOfThisTable() {
    String table = DEFAULT.logicalId("AWS::DynamoDB::Table");
    String arn = """
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
          ":dynamodb:eu-west-1:123456789012:table/", {"Ref": "%s"}]]}""".formatted(table);

    assertThat(policyOfRole("TasksStateMachine")).isEqualTo(Synth.parse("""
        [{"Action": "dynamodb:PutItem", "Effect": "Allow", "Resource": %s},
         {"Action": "dynamodb:UpdateItem", "Effect": "Allow", "Resource": %s}]"""
        .formatted(arn, arn)));
  }

  @Test
  void theEmbeddedJarIsTheSameAssetOnEverySynth() {
    String key = function().at("/Code/S3Key").asText();
    String again = Synth.workflow(null).only("AWS::Lambda::Function").at("/Properties/Code/S3Key")
        .asText();
    assertThat(again).isEqualTo(key);
  }
}
