package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The example synthesizes against the installed library, with its outputs. */
class ExampleStackTest {

  private static Template synth(Map<String, Object> context) {
    App app = new App(AppProps.builder().context(context).build());
    return Template.fromStack(new ExampleStack(app, "Example", StackProps.builder().build()));
  }

  @Test
  void hasTheWorkflowAndItsOutputs() {
    Template template = synth(Map.of());

    template.resourceCountIs("AWS::DynamoDB::Table", 1);
    // The tasks', the reconciler and the sweeper.
    template.resourceCountIs("AWS::StepFunctions::StateMachine", 3);
    template.hasResourceProperties("AWS::Lambda::Function", Map.of("Runtime", "java25"));
    template.hasOutput("StarterFunctionName", Match.anyValue());
    template.hasOutput("TableName", Match.anyValue());
    template.hasOutput("StateMachineArn", Match.anyValue());
    for (String output :
        new String[] {
          "StarterDeadLetterQueueUrl",
          "ReconcilerDeadLetterQueueUrl",
          "ReconcilerArn",
          "TASKSTATUSTABLE",
          "TASKSTATUSSTARTER",
          "TASKSTATUSOPENINDEX",
          "TASKSTATUSRECONCILER"
        }) {
      template.hasOutput(output, Match.anyValue());
    }
    template.hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Delete"));
  }

  @Test
  void theWaitComesFromContext() {
    String definition =
        synth(Map.of(ExampleStack.WAIT_SECONDS, "5"))
            .findResources("AWS::StepFunctions::StateMachine")
            .toString();

    assertThat(definition).contains("\"Seconds\":5,");
  }
}
