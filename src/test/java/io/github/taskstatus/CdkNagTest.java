package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.Pass;

/** cdk-nag's AwsSolutions pack finds nothing, with the defaults and with every feature on. */
class CdkNagTest {

  private static List<String> findings(Consumer<Stack> body) {
    Synth synth = Synth.stack(stack -> {
      body.accept(stack);
      Aspects.of(stack).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
    });
    Annotations annotations = Annotations.fromStack(synth.stack);
    List<SynthesisMessage> messages = new java.util.ArrayList<>();
    messages.addAll(annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")));
    messages.addAll(annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")));
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
  }

  @Test
  void theDefaultsPassAwsSolutions() {
    assertThat(findings(stack -> new TaskStatusWorkflow(stack, "Tasks"))).isEmpty();
  }

  @Test
  void everyFeatureOnPassesAwsSolutions() {
    assertThat(findings(stack -> {
      Key key = Key.Builder.create(stack, "Key").enableKeyRotation(true).build();
      Topic topic = Topic.Builder.create(stack, "Ops").masterKey(key).enforceSsl(true).build();
      new TaskStatusWorkflow(stack, "Tasks", TaskStatusWorkflowProps.builder()
          .encryptionKey(key)
          .alarmTopic(topic)
          .includeExecutionData(true)
          .logRetention(RetentionDays.ONE_YEAR)
          .queue(true)
          .work(Pass.Builder.create(stack, "Cook").build())
          .build());
    })).isEmpty();
  }

  @Test
  void queueModeWithDefaultsPassesAwsSolutions() {
    assertThat(findings(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder().queue(true).build()))).isEmpty();
  }

  @Test
  void theChecksDoRunAndFlagAWeakerConfiguration() {
    assertThat(findings(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder().tracing(false).build())))
        .anySatisfy(f -> assertThat(f).contains("AwsSolutions-SF2"));
  }
}
