package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/** Bad props fail at synth with a message naming the prop, the value and what is allowed. */
class ValidationTest {

  private static void assertInvalid(TaskStatusWorkflowProps props, String... messages) {
    assertThatThrownBy(() -> Synth.workflow(props))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid TaskStatusWorkflow props:")
        .hasMessageContainingAll(messages);
  }

  @Test
  void waitDurationMustBeWholeSeconds() {
    assertInvalid(TaskStatusWorkflowProps.builder().waitDuration(Duration.millis(1500)).build(),
        "waitDuration must be whole seconds from 1 to 31535990", "got 1.5 s");
  }

  @Test
  void waitDurationMustBeAtLeastOneSecond() {
    assertInvalid(TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(0)).build(),
        "waitDuration must be whole seconds from 1 to 31535990", "got 0 s");
  }

  @Test
  void waitDurationMustFitAStandardExecution() {
    assertInvalid(TaskStatusWorkflowProps.builder().waitDuration(Duration.days(366)).build(),
        "waitDuration must be whole seconds from 1 to 31535990 (STANDARD executions last at most"
            + " 31536000 s", "got 31622400 s");
  }

  @Test
  void waitDurationMustFitAnExpressExecution() {
    assertInvalid(TaskStatusWorkflowProps.builder().stateMachineType(StateMachineType.EXPRESS)
            .waitDuration(Duration.minutes(5)).build(),
        "waitDuration must be whole seconds from 1 to 290 (EXPRESS executions last at most 300 s",
        "got 300 s");
  }

  @Test
  void theDefaultWaitFitsBothWorkflowTypes() {
    assertThatNoException().isThrownBy(() -> Synth.workflow(TaskStatusWorkflowProps.builder()
        .stateMachineType(StateMachineType.EXPRESS).build()));
  }

  @Test
  void timeoutMustLeaveRoomAfterTheWait() {
    assertInvalid(TaskStatusWorkflowProps.builder().waitDuration(Duration.seconds(60))
            .timeout(Duration.seconds(65)).build(),
        "timeout must be whole seconds from 70 to 31536000", "got 65 s");
  }

  @Test
  void expressTimeoutIsAtMostFiveMinutes() {
    assertInvalid(TaskStatusWorkflowProps.builder().stateMachineType(StateMachineType.EXPRESS)
            .timeout(Duration.minutes(6)).build(),
        "timeout must be whole seconds from 40 to 300", "EXPRESS maximum); got 360 s");
  }

  @Test
  void workAndWaitDurationAreExclusive() {
    assertThatThrownBy(() -> Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder().work(Pass.Builder.create(stack, "Cook").build())
            .waitDuration(Duration.seconds(5)).build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("work and waitDuration cannot both be set");
  }

  @Test
  void existingTableExcludesTableNameAndRemovalPolicy() {
    assertThatThrownBy(() -> Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder()
            .existingTable(Table.fromTableName(stack, "Existing", "mine"))
            .removalPolicy(RemovalPolicy.DESTROY).build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("existingTable cannot be combined with tableName or removalPolicy");
  }

  @Test
  void tableNameMustBeAValidDynamoDbName() {
    assertInvalid(TaskStatusWorkflowProps.builder().tableName("no spaces!").build(),
        "tableName must be 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.'; got 'no spaces!'");
  }

  @Test
  void allProblemsAreReportedTogether() {
    assertInvalid(TaskStatusWorkflowProps.builder().tableName("x")
            .waitDuration(Duration.millis(10)).timeout(Duration.millis(20)).build(),
        "tableName must be", "waitDuration must be", "timeout must be");
  }

  @Test
  void unresolvedTokensAreNotValidated() {
    assertThatNoException().isThrownBy(() -> Synth.workflow(TaskStatusWorkflowProps.builder()
        .tableName(Lazy.string(() -> "resolved-later")).build()));
  }
}
