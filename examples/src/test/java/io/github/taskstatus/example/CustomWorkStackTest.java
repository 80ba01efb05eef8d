package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The second example uses an existing table and runs its own chain instead of the wait. */
class CustomWorkStackTest {

  @Test
  void usesTheExistingTableAndTheCustomChain() {
    Template template =
        Template.fromStack(new CustomWorkStack(new App(), "Custom", StackProps.builder().build()));

    template.resourceCountIs("AWS::DynamoDB::Table", 0);
    String definition = template.findResources("AWS::StepFunctions::StateMachine").toString();
    assertThat(definition)
        .contains("\"TableName\":\"orders-tasks\"")
        .contains("\"StartAt\":\"Prepare\"")
        .contains("\"Cook\":{\"Type\":\"Wait\"")
        .contains("\"Serve\":{\"Type\":\"Pass\"")
        .doesNotContain("\"StartAt\":\"Wait\"");
    template.hasOutput("TableName", Map.of("Value", "orders-tasks"));
    template.hasOutput("StarterFunctionName", Match.anyValue());
  }

  @Test
  void theExistingTableNameComesFromContext() {
    App app =
        new App(
            software.amazon.awscdk.AppProps.builder()
                .context(Map.of(CustomWorkStack.TABLE_NAME, "breakfast"))
                .build());
    Template template =
        Template.fromStack(new CustomWorkStack(app, "Custom", StackProps.builder().build()));

    template.hasOutput("TableName", Map.of("Value", "breakfast"));
  }
}
