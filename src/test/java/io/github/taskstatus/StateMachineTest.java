package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/** The state machine definition, parsed from the template and asserted state by state. */
class StateMachineTest {
  private static final String TABLE = "${TasksTable45D1B62D}";
  private static final JsonNode DEFAULT = Synth.workflow(null).definition();

  private static JsonNode state(String name) {
    return DEFAULT.get("States").get(name);
  }

  @Test
  void startsByRecordingTheTask() {
    assertThat(DEFAULT.get("StartAt").asText()).isEqualTo("RecordStarted");
  }

  @Test
  void recordStartedPutsExactlyTheStartedItemWithTheTimestampAsANumberString() {
    JsonNode put = state("RecordStarted");

    assertThat(put.get("Type").asText()).isEqualTo("Task");
    assertThat(put.get("Resource").asText()).isEqualTo("arn:aws:states:::dynamodb:putItem");
    assertThat(put.get("Parameters")).isEqualTo(Synth.parse("""
        {"Item": {
           "taskId": {"S.$": "$.taskId"},
           "timestamp": {"N.$": "States.Format('{}', $.timestamp)"},
           "Status": {"S": "STARTED"},
           "ExecutionArn": {"S.$": "$$.Execution.Id"},
           "UpdatedAt": {"S.$": "$$.State.EnteredTime"}},
         "TableName": "%s",
         "ConditionExpression": "attribute_not_exists(taskId)"}""".formatted(TABLE)));
    assertThat(put.get("ResultPath").isNull()).isTrue();
    assertThat(put.get("Next").asText()).isEqualTo("Work");
  }

  @Test
  void theWorkIsAWaitOfThirtySecondsByDefault() {
    JsonNode work = state("Work");

    assertThat(work.get("Type").asText()).isEqualTo("Parallel");
    assertThat(work.get("ResultPath").isNull()).isTrue();
    assertThat(work.get("Next").asText()).isEqualTo("RecordDone");
    assertThat(work.get("Branches")).hasSize(1);
    JsonNode branch = work.get("Branches").get(0);
    assertThat(branch.get("StartAt").asText()).isEqualTo("Wait");
    assertThat(branch.at("/States/Wait/Type").asText()).isEqualTo("Wait");
    assertThat(branch.at("/States/Wait/Seconds").asInt()).isEqualTo(30);
    assertThat(branch.at("/States/Wait/End").asBoolean()).isTrue();
  }

  @Test
  void theWaitEqualsTheWaitDurationProp() {
    JsonNode definition = Synth.workflow(TaskStatusWorkflowProps.builder()
        .waitDuration(Duration.minutes(2)).build()).definition();

    assertThat(definition.at("/States/Work/Branches/0/States/Wait/Seconds").asInt())
        .isEqualTo(120);
  }

  @Test
  void recordDoneSetsDoneOnTheSameKeyOnlyIfTheTaskIsStillStarted() {
    JsonNode update = state("RecordDone");

    assertThat(update.get("Resource").asText()).isEqualTo("arn:aws:states:::dynamodb:updateItem");
    assertThat(update.get("Parameters")).isEqualTo(Synth.parse("""
        {"Key": {
           "taskId": {"S.$": "$.taskId"},
           "timestamp": {"N.$": "States.Format('{}', $.timestamp)"}},
         "TableName": "%s",
         "ConditionExpression": "attribute_exists(taskId) AND #Status = :started",
         "ExpressionAttributeNames": {"#Status": "Status"},
         "ExpressionAttributeValues": {
           ":status": {"S": "DONE"},
           ":started": {"S": "STARTED"},
           ":updatedAt": {"S.$": "$$.State.EnteredTime"}},
         "UpdateExpression": "SET #Status = :status, UpdatedAt = :updatedAt"}"""
        .formatted(TABLE)));
    assertThat(update.get("ResultPath").isNull()).isTrue();
    assertThat(update.get("End").asBoolean()).isTrue();
  }

  @Test
  void everyAttributeValueIsSentAsAStringOrAPath() {
    for (String name : new String[] {"RecordStarted", "RecordDone", "RecordFailed"}) {
      state(name).get("Parameters").findParents("N.$").forEach(n ->
          assertThat(n.get("N.$").asText()).startsWith("States.Format("));
      assertThat(state(name).get("Parameters").findValues("N")).isEmpty();
    }
  }

  @Test
  void theDefinitionIsTheSameOnEverySynth() {
    String again = Synth.workflow(null).definition().toString();
    assertThat(again).isEqualTo(DEFAULT.toString());
  }

  @Test
  void isAStandardWorkflowByDefaultWithATimeoutOfTheWaitPlusFiveMinutes() {
    Synth synth = Synth.workflow(null);

    assertThat(synth.only("AWS::StepFunctions::StateMachine").at("/Properties/StateMachineType")
        .asText()).isEqualTo("STANDARD");
    assertThat(synth.definition().get("TimeoutSeconds").asInt()).isEqualTo(330);
  }

  @Test
  void customWorkReplacesTheWait() {
    Synth synth = Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks",
        TaskStatusWorkflowProps.builder()
            .work(Pass.Builder.create(stack, "Cook").build()).build()));

    JsonNode branch = synth.definition().at("/States/Work/Branches/0");
    assertThat(branch.get("StartAt").asText()).isEqualTo("Cook");
    assertThat(branch.at("/States/Cook/Type").asText()).isEqualTo("Pass");
    assertThat(branch.at("/States/Wait").isMissingNode()).isTrue();
    assertThat(synth.definition().get("TimeoutSeconds").asInt()).isEqualTo(3600);
  }

  @Test
  void expressWorkflowsDefaultToAFiveMinuteTimeout() {
    Synth synth = Synth.workflow(TaskStatusWorkflowProps.builder()
        .stateMachineType(StateMachineType.EXPRESS).waitDuration(Duration.seconds(10)).build());

    assertThat(synth.only("AWS::StepFunctions::StateMachine").at("/Properties/StateMachineType")
        .asText()).isEqualTo("EXPRESS");
    assertThat(synth.definition().get("TimeoutSeconds").asInt()).isEqualTo(300);
  }

  @Test
  void anExplicitTimeoutIsUsed() {
    JsonNode definition = Synth.workflow(TaskStatusWorkflowProps.builder()
        .timeout(Duration.minutes(10)).build()).definition();

    assertThat(definition.get("TimeoutSeconds").asInt()).isEqualTo(600);
  }
}
