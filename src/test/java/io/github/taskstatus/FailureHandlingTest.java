package io.github.taskstatus;

import static io.github.taskstatus.StateMachineTest.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries, catches and conditions: every task ends DONE or FAILED, or the execution says why. */
class FailureHandlingTest {
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
