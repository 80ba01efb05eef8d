package io.github.taskstatus;

import static io.github.taskstatus.StateMachineTest.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries, catches and conditions: every task ends DONE or FAILED, or the execution says why. */
class FailureHandlingTest {
  private static final Synth SYNTH = Synth.workflow(null);
  private static final JsonNode TRANSIENT_RETRY =
      Synth.parse(
          """
      [{"ErrorEquals": [
          "DynamoDB.AmazonDynamoDBException",
          "DynamoDB.ProvisionedThroughputExceededException",
          "DynamoDB.RequestLimitExceeded",
          "DynamoDB.RequestLimitExceededException",
          "DynamoDB.ThrottlingException",
          "DynamoDB.InternalServerError",
          "DynamoDB.InternalServerErrorException",
          "DynamoDB.ServiceUnavailable",
          "DynamoDB.ServiceUnavailableException",
          "DynamoDB.TransactionConflictException"],
        "IntervalSeconds": 1, "MaxAttempts": 6, "BackoffRate": 2, "MaxDelaySeconds": 20,
        "JitterStrategy": "FULL"}]""");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RecordStarted",
        "RecordStartedMoved",
        "ReadTakenItem",
        "RecordDone",
        "RecordFailed"
      })
  void everyDynamoDbStepRetriesOnlyThrottlingAndTransientErrorsWithJitteredBackoff(String name) {
    assertThat(state(name).get("Retry")).isEqualTo(TRANSIENT_RETRY);
  }

  /**
   * Error names a retry must never list: answers (a failed condition) and requests that are wrong.
   */
  private static final List<String> NEVER_RETRIED =
      List.of(
          "DynamoDB.ConditionalCheckFailedException",
          "DynamoDb.ConditionalCheckFailedException",
          "DynamoDB.ValidationException",
          "DynamoDb.ValidationException",
          "DynamoDB.ResourceNotFoundException",
          "DynamoDb.ResourceNotFoundException",
          "DynamoDB.AccessDeniedException",
          "DynamoDb.AccessDeniedException",
          "States.ALL",
          "States.TaskFailed");

  /** The Task states of a definition that call DynamoDB, optimized or AWS SDK integration alike. */
  private static Map<String, JsonNode> dynamoDbSteps(JsonNode definition) {
    Map<String, JsonNode> steps = new LinkedHashMap<>();
    Synth.taskStates(definition)
        .forEach(
            (name, state) -> {
              if (state.path("Resource").asText().contains(":dynamodb:")) {
                steps.put(name, state);
              }
            });
    return steps;
  }

  private static List<String> retriedNames(JsonNode state) {
    List<String> names = new ArrayList<>();
    state.path("Retry").forEach(r -> r.get("ErrorEquals").forEach(e -> names.add(e.asText())));
    return names;
  }

  @Test
  void everyDynamoDbStepOfTheReconcilerRetriesExactlyTheTransientErrors() {
    Map<String, JsonNode> steps = dynamoDbSteps(SYNTH.reconcilerDefinition());

    assertThat(steps.keySet())
        .as("the walk finds every write and read of the item")
        .containsExactlyInAnyOrder(
            TaskStatusReconciler.MARK_FAILED,
            TaskStatusReconciler.MARK_CANCELLED,
            TaskStatusReconciler.REOPEN,
            TaskStatusReconciler.READ_ITEM);
    steps.forEach(
        (name, state) -> {
          assertThat(state.get("Resource").asText())
              .as(name)
              .startsWith("arn:aws:states:::dynamodb:");
          assertThat(state.get("Retry")).as(name).isEqualTo(TRANSIENT_RETRY);
          assertThat(retriedNames(state))
              .as(name)
              .contains("DynamoDB.AmazonDynamoDBException")
              .doesNotContainAnyElementsOf(NEVER_RETRIED);
        });
  }

  @Test
  void everyDynamoDbStepOfTheTaskStateMachineRetriesExactlyTheTransientErrors() {
    Map<String, JsonNode> steps = dynamoDbSteps(SYNTH.definition());

    assertThat(steps).hasSizeGreaterThanOrEqualTo(5);
    steps.forEach(
        (name, state) -> {
          assertThat(state.get("Retry")).as(name).isEqualTo(TRANSIENT_RETRY);
          assertThat(retriedNames(state)).as(name).doesNotContainAnyElementsOf(NEVER_RETRIED);
        });
  }

  /**
   * The sweeper's queries are AWS SDK integrations, whose errors are {@code DynamoDb.} (the SDK's
   * service name) plus the error's name with the {@code Exception} suffix, never the optimized
   * integration's {@code DynamoDB.} names, which would never match: they retry Query's throttling
   * and server errors (DynamoDB's API reference) under those names, and nothing a retry cannot fix.
   */
  @Test
  void theSweepersQueriesRetryThrottlingAndServerErrorsByTheNamesSdkIntegrationsGive() {
    Map<String, JsonNode> steps = dynamoDbSteps(SYNTH.sweeperDefinition());

    assertThat(steps.keySet())
        .containsExactlyInAnyOrder(TaskStatusSweeper.FIND_OVERDUE, TaskStatusSweeper.NEXT_PAGE);
    steps.forEach(
        (name, state) -> {
          assertThat(state.get("Resource").asText())
              .as(name)
              .isEqualTo("arn:aws:states:::aws-sdk:dynamodb:query");
          assertThat(state.get("Retry")).as(name).hasSize(1);
          assertThat(retriedNames(state))
              .as(name)
              .containsExactly(
                  "DynamoDb.DynamoDbException",
                  "DynamoDb.ProvisionedThroughputExceededException",
                  "DynamoDb.RequestLimitExceededException",
                  "DynamoDb.ThrottlingException",
                  "DynamoDb.InternalServerErrorException")
              .allSatisfy(error -> assertThat(error).startsWith("DynamoDb.").endsWith("Exception"))
              .doesNotContainAnyElementsOf(NEVER_RETRIED);
        });
  }

  @Test
  void aDoneUpdateOnAnItemFinishedElsewhereIsAConflictAndAnyOtherErrorRecordsFailed() {
    assertThat(state("RecordDone").get("Catch"))
        .isEqualTo(
            Synth.parse(
                """
        [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
          "ResultPath": "$.error", "Next": "TaskStatusConflict"},
         {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailureDefaults"}]"""));
    assertThat(state("TaskStatusConflict").get("Error").asText()).isEqualTo("TaskStatusConflict");
  }

  @Test
  void aFailureWithoutErrorOrCauseGetsDefaultsBeforeRecordFailed() {
    assertThat(state("FailureDefaults").get("Result"))
        .isEqualTo(
            Synth.parse("{\"Error\": \"States.Unknown\", \"Cause\": \"The error gave no cause\"}"));
    assertThat(state("FailureDefaults").get("ResultPath").asText()).isEqualTo("$.failureDefaults");
    assertThat(state("DescribeFailure").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId.$": "$.taskId", "timestamp.$": "$.timestamp", "deadline.$": "$.deadline",
         "error.$": "States.JsonMerge($.failureDefaults, $.error, false)"}"""));
    assertThat(state("DescribeFailure").get("Next").asText()).isEqualTo("RecordFailed");
  }

  @Test
  void recordFailedStoresErrorAndCause() {
    JsonNode parameters = state("RecordFailed").get("Parameters");

    assertThat(parameters.get("UpdateExpression").asText())
        .isEqualTo(
            "SET #Status = :status, UpdatedAt = :updatedAt, RedriveCount = :attempt,"
                + " #Error = :error, #Cause = :cause,"
                + " Attempts = list_append(if_not_exists(Attempts, :noAttempts), :attempts),"
                + " ExecutionArn = :self REMOVE OpenIndexKey");
    assertThat(parameters.at("/ExpressionAttributeValues/:attempts/L/0/M/Error"))
        .as("the attempt's history entry names its error")
        .isEqualTo(Synth.parse("{\"S.$\": \"$.error.Error\"}"));
    assertThat(parameters.at("/ExpressionAttributeValues/:attempts/L/0/M/Status/S").asText())
        .isEqualTo("FAILED");
    assertThat(parameters.at("/ExpressionAttributeValues/:error"))
        .isEqualTo(Synth.parse("{\"S.$\": \"$.error.Error\"}"));
    assertThat(parameters.at("/ExpressionAttributeValues/:cause"))
        .isEqualTo(Synth.parse("{\"S.$\": \"$.error.Cause\"}"));
  }

  @Test
  void afterRecordingFailedTheExecutionFailsWithTheOriginalError() {
    assertThat(state("RecordFailed").get("Next").asText()).isEqualTo("TaskFailed");
    assertThat(state("RecordFailed").get("Catch"))
        .isEqualTo(
            Synth.parse(
                """
        [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.recordFailedError",
          "Next": "TaskFailed"}]"""));
    assertThat(state("TaskFailed").get("Type").asText()).isEqualTo("Fail");
    assertThat(state("TaskFailed").get("ErrorPath").asText()).isEqualTo("$.error.Error");
    assertThat(state("TaskFailed").get("CausePath").asText()).isEqualTo("$.error.Cause");
  }

  @Test
  void aStartThatFindsEverySecondTakenGivesUpAsTaskAlreadyRecorded() {
    assertThat(state("TaskAlreadyRecorded").get("Type").asText()).isEqualTo("Fail");
    assertThat(state("TaskAlreadyRecorded").get("Error").asText()).isEqualTo("TaskAlreadyRecorded");
  }
}
