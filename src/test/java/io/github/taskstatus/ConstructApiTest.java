package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Function;

/** The three ways to create the construct give the same result; the getters expose the parts. */
class ConstructApiTest {

  @Test
  void constructorBuilderAndPropsAgree() {
    JsonNode viaProps =
        Synth.stack(
                s ->
                    new TaskStatusWorkflow(
                        s,
                        "Tasks",
                        TaskStatusWorkflowProps.builder()
                            .waitDuration(Duration.seconds(45))
                            .build()))
            .json;
    JsonNode viaBuilder =
        Synth.stack(
                s ->
                    TaskStatusWorkflow.Builder.create(s, "Tasks")
                        .waitDuration(Duration.seconds(45))
                        .build())
            .json;
    JsonNode viaDefaults = Synth.stack(s -> new TaskStatusWorkflow(s, "Tasks")).json;
    JsonNode viaNull = Synth.workflow(null).json;

    assertThat(viaBuilder).isEqualTo(viaProps);
    assertThat(viaNull).isEqualTo(viaDefaults);
    assertThat(viaDefaults).isNotEqualTo(viaProps);
  }

  @Test
  void gettersExposeTheChildrenUnderStableIds() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
          assertThat(workflow.getStateMachine().getNode().getId()).isEqualTo("StateMachine");
          assertThat(workflow.getStarterFunction()).isInstanceOf(Alias.class);
          assertThat(workflow.getStarterFunction().getNode().getId()).isEqualTo("StarterAlias");
          TaskStatusWorkflow plain =
              new TaskStatusWorkflow(
                  stack, "Plain", TaskStatusWorkflowProps.builder().snapStart(false).build());
          assertThat(plain.getStarterFunction()).isInstanceOf(Function.class);
          assertThat(plain.getStarterFunction().getNode().getId()).isEqualTo("Starter");
          assertThat(workflow.getTable().getNode().getId()).isEqualTo("Table");
        });
  }
}
