package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Retries, catches and conditions: every task ends DONE or FAILED, or the execution says why. */
class FailureHandlingTest {
  private static final JsonNode DEFAULT = Synth.workflow(null).definition();
  private static final JsonNode TRANSIENT_RETRY = Synth.parse("""
      [{"ErrorEquals": [
          "DynamoDB.ProvisionedThroughputExceededException",
          "DynamoDB.RequestLimitExceeded",
          "DynamoDB.ThrottlingException",
          "DynamoDB.InternalServerErrorException",
          "DynamoDB.ServiceUnavailableException"],
        "IntervalSeconds": 1, "MaxAttempts": 6, "BackoffRate": 2, "MaxDelaySeconds": 20,
        "JitterStrategy": "FULL"}]""");

  private static JsonNode state(String name) {
    return DEFAULT.get("States").get(name);
  }

  @Test
  void everyDynamoDbStepRetriesOnlyThrottlingAndTransientErrorsWithJitteredBackoff() {
    assertThat(state("RecordStarted").get("Retry")).isEqualTo(TRANSIENT_RETRY);
    assertThat(state("RecordDone").get("Retry")).isEqualTo(TRANSIENT_RETRY);
    assertThat(state("RecordFailed").get("Retry")).isEqualTo(TRANSIENT_RETRY);
  }

  @Test
  void anExistingItemStopsTheExecutionWithoutTouchingIt() {
    assertThat(state("RecordStarted").get("Catch")).isEqualTo(Synth.parse("""
        [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
          "ResultPath": "$.error", "Next": "TaskAlreadyRecorded"}]"""));
    assertThat(state("TaskAlreadyRecorded").get("Type").asText()).isEqualTo("Fail");
    assertThat(state("TaskAlreadyRecorded").get("Error").asText())
        .isEqualTo("TaskAlreadyRecorded");
  }

  @Test
  void anyErrorInTheWorkRecordsFailed() {
    assertThat(state("Work").get("Catch")).isEqualTo(Synth.parse("""
        [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailed"}]"""));
  }

  @Test
  void aDoneUpdateOnAMissingOrFinishedItemIsAConflictAndAnyOtherErrorRecordsFailed() {
    assertThat(state("RecordDone").get("Catch")).isEqualTo(Synth.parse("""
        [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
          "ResultPath": "$.error", "Next": "TaskStatusConflict"},
         {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailed"}]"""));
    assertThat(state("TaskStatusConflict").get("Error").asText()).isEqualTo("TaskStatusConflict");
  }

  @Test
  void recordFailedStoresErrorAndCauseOnlyOnAStartedItem() {
    JsonNode parameters = state("RecordFailed").get("Parameters");

    assertThat(parameters.get("UpdateExpression").asText()).isEqualTo(
        "SET #Status = :status, UpdatedAt = :updatedAt, #Error = :Error, #Cause = :Cause");
    assertThat(parameters.get("ConditionExpression").asText())
        .isEqualTo("attribute_exists(taskId) AND #Status = :started");
    assertThat(parameters.get("ExpressionAttributeNames")).isEqualTo(Synth.parse(
        "{\"#Status\":\"Status\",\"#Error\":\"Error\",\"#Cause\":\"Cause\"}"));
    assertThat(parameters.get("ExpressionAttributeValues")).isEqualTo(Synth.parse("""
        {":status": {"S": "FAILED"}, ":started": {"S": "STARTED"},
         ":updatedAt": {"S.$": "$$.State.EnteredTime"},
         ":Error": {"S.$": "$.error.Error"}, ":Cause": {"S.$": "$.error.Cause"}}"""));
  }

  @Test
  void afterRecordingFailedTheExecutionFailsWithTheOriginalError() {
    assertThat(state("RecordFailed").get("Next").asText()).isEqualTo("TaskFailed");
    assertThat(state("RecordFailed").get("Catch")).isEqualTo(Synth.parse("""
        [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.recordFailedError",
          "Next": "TaskFailed"}]"""));
    assertThat(state("TaskFailed").get("Type").asText()).isEqualTo("Fail");
    assertThat(state("TaskFailed").get("ErrorPath").asText()).isEqualTo("$.error.Error");
    assertThat(state("TaskFailed").get("CausePath").asText()).isEqualTo("$.error.Cause");
  }
}
