package io.github.taskstatus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.taskstatus.TaskStatusWorkflow;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.constructs.Construct;

/**
 * The kit finds the workflows of the user's stack and asks the local cloud to resolve their client
 * variables as extra outputs of the template it is given; the user's stack itself is unchanged.
 */
class SynthesizedStackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SynthesizedStack synthesized;

  @AfterEach
  void delete() {
    if (synthesized != null) {
      synthesized.delete();
    }
  }

  /** A stack with two workflows, one of them queued with the failed-task index, and roles. */
  static Stack twoWorkflows(App app) {
    Stack stack = new Stack(app, "Kitchen");
    new TaskStatusWorkflow(stack, "Tasks");
    Construct orders = new Construct(stack, "Orders");
    TaskStatusWorkflow.Builder.create(orders, "Tasks")
        .queue(true)
        .failedTaskIndex(true)
        .work(Pass.Builder.create(stack, "Cook").build())
        .build();
    Role.Builder.create(stack, "AppRole").assumedBy(new AccountRootPrincipal()).build();
    return stack;
  }

  private JsonNode template(String file) throws IOException {
    return JSON.readTree(synthesized.assembly.resolve(file).toFile());
  }

  @Test
  void eachWorkflowsClientVariablesBecomeOutputsOfTheTemplateGivenToTheCloud() throws IOException {
    synthesized = SynthesizedStack.of(SynthesizedStackTest::twoWorkflows, Map.of());
    JsonNode outputs = template(synthesized.template.getFileName().toString()).get("Outputs");

    Map<String, String> first = synthesized.clientOutputs("Tasks");
    assertThat(first)
        .containsOnlyKeys(
            "TASK_STATUS_TABLE",
            "TASK_STATUS_STARTER",
            "TASK_STATUS_OPEN_INDEX",
            "TASK_STATUS_RECONCILER");
    assertThat(outputs.get(first.get("TASK_STATUS_RECONCILER")).get("Value").toString())
        .matches("\\{\"Ref\":\"TasksReconciler[0-9A-F]{8}\"}");
    assertThat(outputs.get(first.get("TASK_STATUS_TABLE")).get("Value").toString())
        .matches("\\{\"Ref\":\"TasksTable[0-9A-F]{8}\"}");
    assertThat(outputs.get(first.get("TASK_STATUS_STARTER")).get("Value").toString())
        .matches("\\{\"Ref\":\"TasksStarterAlias[0-9A-F]{8}\"}");

    Map<String, String> queued = synthesized.clientOutputs("Orders/Tasks");
    assertThat(queued)
        .containsOnlyKeys(
            "TASK_STATUS_TABLE",
            "TASK_STATUS_STARTER",
            "TASK_STATUS_QUEUE_URL",
            "TASK_STATUS_FAILED_INDEX",
            "TASK_STATUS_OPEN_INDEX",
            "TASK_STATUS_RECONCILER");
    assertThat(outputs.get(queued.get("TASK_STATUS_QUEUE_URL")).get("Value").toString())
        .matches("\\{\"Ref\":\"OrdersTasksQueue[0-9A-F]{8}\"}");
    assertThat(outputs.get(queued.get("TASK_STATUS_FAILED_INDEX")).get("Value").asText())
        .isEqualTo("FailedTasks");
  }

  @Test
  void theSynthesizedTemplateItselfIsLeftAsTheAppWroteIt() throws IOException {
    synthesized = SynthesizedStack.of(SynthesizedStackTest::twoWorkflows, Map.of());

    assertThat(template("Kitchen.template.json").has("Outputs")).isFalse();
  }

  @Test
  void withoutAPathTheStackMustHaveExactlyOneWorkflow() {
    synthesized = SynthesizedStack.of(SynthesizedStackTest::twoWorkflows, Map.of());

    assertThatThrownBy(() -> synthesized.clientOutputs(null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the stack Kitchen has 2 TaskStatusWorkflows [Tasks, Orders/Tasks]: name one with"
                + " client(path)");
    assertThatThrownBy(() -> synthesized.clientOutputs("Orders"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "no TaskStatusWorkflow at 'Orders' in the stack Kitchen; its workflows are at [Tasks,"
                + " Orders/Tasks]");
  }

  @Test
  void aRoleIsFoundByItsPathOrByItsFunctionsPath() {
    synthesized = SynthesizedStack.of(SynthesizedStackTest::twoWorkflows, Map.of());

    assertThat(synthesized.roleLogicalId("AppRole")).matches("AppRole[0-9A-F]{8}");
    assertThat(synthesized.roleLogicalId("Tasks/Starter"))
        .as("a function's role")
        .matches("TasksStarterRole[0-9A-F]{8}");
    assertThatThrownBy(() -> synthesized.roleLogicalId("Tasks/Table"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the construct at 'Tasks/Table' is neither an IAM role of this stack nor a function"
                + " with one");
    assertThatThrownBy(() -> synthesized.roleLogicalId("Nobody"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no construct at 'Nobody' in the stack Kitchen");
  }

  @Test
  void contextReachesTheAppAndAStackOutsideItIsRefused() {
    synthesized =
        SynthesizedStack.of(
            app -> {
              assertThat(app.getNode().tryGetContext("waitSeconds")).isEqualTo("2");
              return twoWorkflows(app);
            },
            Map.of("waitSeconds", "2"));

    assertThatThrownBy(() -> SynthesizedStack.of(app -> twoWorkflows(new App()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the stack function must create its stack in the App it is given");
  }
}
