package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/** The task state machine's definition, parsed from the template and asserted state by state. */
class StateMachineTest {
  static final String TABLE = "${TasksTable45D1B62D}";
  static final JsonNode DEFAULT = Synth.workflow(null).definition();

  static JsonNode state(String name) {
    return DEFAULT.get("States").get(name);
  }

  @Test
  void theDefaultTaskCostsThreeTransitionsLikeTheReferenceDesign() {
    List<String> path = new ArrayList<>();
    for (String name = DEFAULT.get("StartAt").asText(); name != null; ) {
      path.add(name);
      JsonNode state = state(name);
      name = state.has("Next") ? state.get("Next").asText() : null;
    }

    assertThat(path).containsExactly("RecordStarted", "Wait", "RecordDone");
    assertThat(state("Wait").get("Type").asText()).isEqualTo("Wait");
    assertThat(state("Wait").get("Seconds").asInt()).isEqualTo(30);
    assertThat(DEFAULT.get("States").has("Work")).as("no Parallel around a Wait").isFalse();
  }

  @Test
  void recordStartedPutsTheStartedItemForItsAttemptOnlyWhereNoOtherStartHasOne() {
    JsonNode put = state("RecordStarted");

    assertThat(put.get("Resource").asText()).isEqualTo("arn:aws:states:::dynamodb:putItem");
    assertThat(put.get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"Item": {
           "taskId": {"S.$": "$.taskId"},
           "timestamp": {"N.$": "States.Format('{}', $.timestamp)"},
           "Status": {"S": "STARTED"},
           "ExecutionArn": {"S.$": "$$.Execution.Id"},
           "UpdatedAt": {"S.$": "$$.State.EnteredTime"},
           "RedriveCount": {"N.$": "States.Format('{}', $$.Execution.RedriveCount)"},
           "OpenIndexKey": {"S": "STARTED"},
           "Deadline": {"S.$": "$.deadline"}},
         "TableName": "%s",
         "ConditionExpression":
           "attribute_not_exists(taskId) OR (ExecutionArn = :self AND #Status = :started)",
         "ExpressionAttributeNames": {"#Status": "Status"},
         "ExpressionAttributeValues": {":self": {"S.$": "$$.Execution.Id"},
                                       ":started": {"S": "STARTED"}}}"""
                    .formatted(TABLE)));
    assertThat(put.get("ResultPath").isNull()).isTrue();
  }

  @Test
  void aTakenTimestampIsReadToTellThisExecutionsOwnItemFromAnotherStarts() {
    for (String put : new String[] {"RecordStarted", "RecordStartedMoved"}) {
      assertThat(state(put).get("Catch"))
          .isEqualTo(
              Synth.parse(
                  """
          [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.error",
            "Next": "ReadTakenItem"}]"""));
    }
    JsonNode read = state("ReadTakenItem");
    assertThat(read.get("Resource").asText()).isEqualTo("arn:aws:states:::dynamodb:getItem");
    assertThat(read.at("/Parameters/ConsistentRead").asBoolean()).isTrue();
    assertThat(read.at("/Parameters/ProjectionExpression").asText())
        .isEqualTo("ExecutionArn,#Status");
    assertThat(read.get("ResultSelector"))
        .isEqualTo(Synth.parse("{\"found.$\": \"$\", \"self.$\": \"$$.Execution.Id\"}"));
    assertThat(read.get("ResultPath").asText()).isEqualTo("$.taken");
    JsonNode choices = state("WhoseItemIsIt").get("Choices");
    assertThat(choices.get(0).get("Next").asText()).isEqualTo("Wait");
    assertThat(choices.get(0).toString())
        .contains("\"StringEqualsPath\":\"$.taken.self\"")
        .contains("\"StringEquals\":\"STARTED\"");
    // Its own item, finished: a redriven attempt reopens it; any other run leaves it.
    assertThat(choices.get(1).get("Next").asText()).isEqualTo("ReopenForRedrive");
    JsonNode reopen = state("ReopenForRedrive");
    assertThat(reopen.at("/Parameters/ConditionExpression").asText())
        .isEqualTo("ExecutionArn = :self AND #Status <> :started AND RedriveCount < :attempt");
    assertThat(reopen.at("/Parameters/UpdateExpression").asText())
        .isEqualTo(
            "SET #Status = :started, UpdatedAt = :updatedAt, RedriveCount = :attempt,"
                + " OpenIndexKey = :started REMOVE Progress, ProgressMessage, ProgressAt");
    assertThat(reopen.at("/Parameters/ExpressionAttributeValues/:attempt"))
        .isEqualTo(Synth.parse("{\"N.$\": \"States.Format('{}', $$.Execution.RedriveCount)\"}"));
    assertThat(reopen.get("Next").asText()).isEqualTo("Wait");
    assertThat(reopen.get("Catch"))
        .isEqualTo(
            Synth.parse(
                """
        [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.error",
          "Next": "AlreadyFinished"}]"""));
    assertThat(choices.get(2))
        .isEqualTo(
            Synth.parse(
                "{\"Variable\": \"$.move\", \"IsPresent\": true, \"Next\": \"MovedTooFar\"}"));
    assertThat(state("WhoseItemIsIt").get("Default").asText()).isEqualTo("MoveToNextSecond");
    assertThat(state("AlreadyFinished").get("Type").asText()).isEqualTo("Succeed");
  }

  @Test
  void theStateMachineMovesAsFarAsTheStarterListsAndTheClientSearches() {
    assertThat(TaskStatusDefinition.MAX_MOVES)
        .isEqualTo(io.github.taskstatus.client.TaskStart.MAX_MOVE_SECONDS);
    assertThat(state("TaskAlreadyRecorded").get("Cause").asText())
        .contains(TaskStatusDefinition.MAX_MOVES + " whole seconds");
  }

  @Test
  void anotherStartsItemMovesThisStartThroughTheSecondsTheStarterListed() {
    assertThat(state("MoveToNextSecond").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId.$": "$.taskId", "timestamp.$": "$.timestamp", "deadline.$": "$.deadline",
         "moves.$": "$.moves", "requestedTimestamp.$": "$.timestamp", "move": -1,
         "lastMove.$": "States.MathAdd(States.ArrayLength($.moves), -1)"}"""));
    assertThat(state("MoveToNextSecond").get("Next").asText()).isEqualTo("MovedTooFar");
    assertThat(state("MovedTooFar").get("Choices"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Variable": "$.move", "NumericGreaterThanEqualsPath": "$.lastMove",
          "Next": "TaskAlreadyRecorded"}]"""));
    assertThat(state("MovedTooFar").get("Default").asText()).isEqualTo("TryTheSecondAfter");
    assertThat(state("TryTheSecondAfter").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId.$": "$.taskId",
         "timestamp.$": "States.ArrayGetItem($.moves, States.MathAdd($.move, 1))",
         "deadline.$": "$.deadline", "moves.$": "$.moves", "requestedTimestamp.$": "$.requestedTimestamp",
         "move.$": "States.MathAdd($.move, 1)", "lastMove.$": "$.lastMove"}"""));
    assertThat(state("TryTheSecondAfter").get("Next").asText()).isEqualTo("RecordStartedMoved");
    JsonNode moved = state("RecordStartedMoved");
    assertThat(moved.at("/Parameters/Item/RequestedTimestamp"))
        .isEqualTo(Synth.parse("{\"N.$\": \"States.Format('{}', $.requestedTimestamp)\"}"));
    assertThat(moved.get("Next").asText()).isEqualTo("Wait");
  }

  @Test
  void noStateAddsToAUnixTimeForMathAddTakes32BitIntegers() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .retention(Duration.days(3653))
                .failedTaskIndex(true)
                .build());
    List<String> sums = new ArrayList<>();
    for (JsonNode definition : List.of(synth.definition(), synth.reconcilerDefinition())) {
      collectMathAdds(definition, sums);
    }

    assertThat(sums)
        .isNotEmpty()
        .allSatisfy(
            sum ->
                assertThat(sum)
                    .as("only counters are added to, never a timestamp or an expiry")
                    .matches(
                        "States\\.MathAdd\\((\\$\\.move|States\\.ArrayLength\\(\\$\\.moves\\)"
                            + "|\\$\\.execution\\.RedriveCount), -?1\\)"));
    assertThat(synth.definition().toString()).doesNotContain("MathAdd($.timestamp");
  }

  private static void collectMathAdds(JsonNode node, List<String> sums) {
    if (node.isTextual()) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("States\\.MathAdd\\((?:[^()]|\\([^()]*\\))*\\)")
              .matcher(node.asText());
      while (m.find()) {
        sums.add(m.group());
      }
    }
    node.forEach(child -> collectMathAdds(child, sums));
  }

  @ParameterizedTest
  @CsvSource({"RecordDone, DONE", "RecordFailed, FAILED"})
  void finishingChangesOnlyThisExecutionsItemNeverALaterAttemptsAndIsIdempotent(
      String name, String status) {
    JsonNode parameters = state(name).get("Parameters");

    assertThat(state(name).get("Resource").asText())
        .isEqualTo("arn:aws:states:::dynamodb:updateItem");
    assertThat(parameters.get("Key"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId": {"S.$": "$.taskId"},
         "timestamp": {"N.$": "States.Format('{}', $.timestamp)"}}"""));
    assertThat(parameters.get("ConditionExpression").asText())
        .isEqualTo(
            "ExecutionArn = :self AND ((#Status = :started AND (attribute_not_exists(RedriveCount)"
                + " OR RedriveCount <= :attempt)) OR RedriveCount < :attempt"
                + " OR (#Status = :status AND RedriveCount = :attempt))");
    assertThat(parameters.at("/ExpressionAttributeValues/:attempt"))
        .isEqualTo(Synth.parse("{\"N.$\": \"States.Format('{}', $$.Execution.RedriveCount)\"}"));
    assertThat(parameters.at("/ExpressionAttributeValues/:status/S").asText()).isEqualTo(status);
    assertThat(parameters.at("/ExpressionAttributeValues/:self/S.$").asText())
        .isEqualTo("$$.Execution.Id");
  }

  @Test
  void recordDoneSetsDoneTheTimeAndTheAttemptAndLeavesTheOpenTaskIndex() {
    assertThat(state("RecordDone").at("/Parameters/UpdateExpression").asText())
        .isEqualTo(
            "SET #Status = :status, UpdatedAt = :updatedAt, RedriveCount = :attempt,"
                + " Attempts = list_append(if_not_exists(Attempts, :noAttempts), :attempts),"
                + " ExecutionArn = :self REMOVE OpenIndexKey");
    assertThat(state("RecordDone").at("/Parameters/ExpressionAttributeValues"))
        .as("one entry for this attempt, appended to the history or to an empty one")
        .isEqualTo(
            Synth.parse(
                """
        {":status": {"S": "DONE"}, ":started": {"S": "STARTED"},
         ":self": {"S.$": "$$.Execution.Id"},
         ":attempt": {"N.$": "States.Format('{}', $$.Execution.RedriveCount)"},
         ":updatedAt": {"S.$": "$$.State.EnteredTime"},
         ":attempts": {"L": [{"M": {
             "Attempt": {"N.$": "States.Format('{}', $$.Execution.RedriveCount)"},
             "Status": {"S": "DONE"}, "At": {"S.$": "$$.State.EnteredTime"}}}]},
         ":noAttempts": {"L": []}}"""));
    assertThat(state("RecordDone").get("End").asBoolean()).isTrue();
  }

  @Test
  void everyAttributeValueIsSentAsAStringOrAStringPath() {
    for (String name :
        List.of("RecordStarted", "RecordStartedMoved", "RecordDone", "RecordFailed")) {
      state(name)
          .get("Parameters")
          .findParents("N.$")
          .forEach(n -> assertThat(n.get("N.$").asText()).startsWith("States.Format("));
      assertThat(state(name).get("Parameters").findValues("N")).isEmpty();
    }
  }

  @Test
  void theDefinitionIsTheSameOnEverySynth() {
    assertThat(Synth.workflow(null).definition().toString()).isEqualTo(DEFAULT.toString());
  }

  @Test
  void theWaitEqualsTheWaitDurationProp() {
    JsonNode definition =
        Synth.workflow(TaskStatusWorkflowProps.builder().waitDuration(Duration.minutes(2)).build())
            .definition();

    assertThat(definition.at("/States/Wait/Seconds").asInt()).isEqualTo(120);
  }

  @Test
  void customWorkRunsInAParallelWhoseCatchSeesEveryError() {
    JsonNode definition =
        Synth.workflowWith(
                stack ->
                    TaskStatusWorkflowProps.builder()
                        .work(Pass.Builder.create(stack, "Cook").build()))
            .definition();

    JsonNode work = definition.at("/States/Work");
    assertThat(work.get("Type").asText()).isEqualTo("Parallel");
    assertThat(work.at("/Branches/0/StartAt").asText()).isEqualTo("Cook");
    assertThat(work.get("Catch"))
        .isEqualTo(
            Synth.parse(
                """
        [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailureDefaults"}]"""));
    assertThat(definition.at("/States/RecordStarted/Next").asText()).isEqualTo("Work");
    assertThat(definition.at("/States/Wait").isMissingNode()).isTrue();
    assertThat(definition.get("TimeoutSeconds").asInt()).isEqualTo(3600);
  }

  @Test
  void isAStandardWorkflowByDefaultWithATimeoutOfTheWaitPlusFiveMinutes() {
    Synth synth = Synth.workflow(null);

    assertThat(
            synth
                .only("AWS::StepFunctions::StateMachine", "TasksStateMachine")
                .at("/Properties/StateMachineType")
                .asText())
        .isEqualTo("STANDARD");
    assertThat(DEFAULT.get("TimeoutSeconds").asInt()).isEqualTo(330);
  }

  @Test
  void expressWorkflowsDefaultToAFiveMinuteTimeout() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .stateMachineType(StateMachineType.EXPRESS)
                .waitDuration(Duration.seconds(10))
                .build());

    assertThat(
            synth
                .only("AWS::StepFunctions::StateMachine", "TasksStateMachine")
                .at("/Properties/StateMachineType")
                .asText())
        .isEqualTo("EXPRESS");
    assertThat(synth.definition().get("TimeoutSeconds").asInt()).isEqualTo(300);
  }

  @Test
  void anExplicitTimeoutIsUsed() {
    JsonNode definition =
        Synth.workflow(TaskStatusWorkflowProps.builder().timeout(Duration.minutes(10)).build())
            .definition();

    assertThat(definition.get("TimeoutSeconds").asInt()).isEqualTo(600);
  }
}
