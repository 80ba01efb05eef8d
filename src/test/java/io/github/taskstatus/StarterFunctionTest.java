package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;

/** The starter Lambda: code, runtime, configuration. IAM is in {@link SecurityTest}. */
class StarterFunctionTest {
  private static final Synth DEFAULT = Synth.workflow(null);

  private static JsonNode function() {
    return DEFAULT.only("AWS::Lambda::Function").get("Properties");
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
  void getsTheStateMachineArnItsJvmOptionsTheTimeoutAndTheDeadlinesGraceFromTheEnvironment() {
    String stateMachine =
        DEFAULT.logicalId("AWS::StepFunctions::StateMachine", "TasksStateMachine");

    assertThat(function().at("/Environment/Variables"))
        .isEqualTo(
            Synth.parse(
                "{\"DEADLINE_GRACE_SECONDS\":\"300\","
                    + "\"JAVA_TOOL_OPTIONS\":\"-XX:+TieredCompilation -XX:TieredStopAtLevel=1\","
                    + "\"STATE_MACHINE_ARN\":{\"Ref\":\""
                    + stateMachine
                    + "\"},\"TASK_TIMEOUT_SECONDS\":\"330\"}"));
  }

  @Test
  void withRetentionTheStarterIsToldItToComputeEachItemsExpiry() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .waitDuration(Duration.minutes(2))
                .retention(Duration.days(3653))
                .build());

    JsonNode variables =
        synth.only("AWS::Lambda::Function", "TasksStarter").at("/Properties/Environment/Variables");
    assertThat(variables.get("TASK_TIMEOUT_SECONDS").asText()).isEqualTo("420");
    assertThat(variables.get("RETENTION_SECONDS").asText()).isEqualTo("315619200");
  }

  @Test
  void anAsynchronousInvocationThatFailsEveryRetryGoesToAnEncryptedRetainedQueue() {
    String queue = DEFAULT.logicalId("AWS::SQS::Queue", "TasksStarterDeadLetterQueue");

    assertThat(function().at("/DeadLetterConfig/TargetArn"))
        .isEqualTo(Synth.parse("{\"Fn::GetAtt\": [\"" + queue + "\", \"Arn\"]}"));
    JsonNode dlq = DEFAULT.resources().get(queue);
    assertThat(dlq.get("Properties"))
        .isEqualTo(
            Synth.parse("{\"MessageRetentionPeriod\": 1209600, \"SqsManagedSseEnabled\": true}"));
    assertThat(dlq.get("DeletionPolicy").asText()).isEqualTo("Retain");
    assertThat(SecurityTest.statements(DEFAULT, "TasksStarterRole"))
        .contains(
            Synth.parse(
                "{\"Action\": \"sqs:SendMessage\", \"Effect\": \"Allow\", \"Resource\":"
                    + " {\"Fn::GetAtt\": [\""
                    + queue
                    + "\", \"Arn\"]}}"));
  }

  @Test
  void theSnapStartPublishWarningIsAcknowledgedSoADefaultSynthIsQuiet() {
    Synth synth = Synth.workflow(null);

    assertThat(
            software.amazon.awscdk.assertions.Annotations.fromStack(synth.stack)
                .findWarning("*", software.amazon.awscdk.assertions.Match.anyValue()))
        .isEmpty();
    assertThat(
            software.amazon.awscdk.assertions.Annotations.fromStack(
                    Synth.workflow(
                            TaskStatusWorkflowProps.builder()
                                .queue(true)
                                .retention(software.amazon.awscdk.Duration.days(1))
                                .dashboard(true)
                                .build())
                        .stack)
                .findWarning("*", software.amazon.awscdk.assertions.Match.anyValue()))
        .isEmpty();
  }

  @Test
  void theEmbeddedJarIsTheSameAssetOnEverySynth() {
    String key = function().at("/Code/S3Key").asText();
    String again =
        Synth.workflow(null).only("AWS::Lambda::Function").at("/Properties/Code/S3Key").asText();
    assertThat(again).isEqualTo(key);
  }
}
