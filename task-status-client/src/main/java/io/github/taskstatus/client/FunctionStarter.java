package io.github.taskstatus.client;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Starts a task by invoking the starter function synchronously. Every start sends a fresh
 * idempotency key: the SDK retries an {@code Invoke} that timed out, and the retry, carrying the
 * same key, asks for the same execution name, so the starter answers it as a duplicate instead of
 * starting the task twice.
 */
final class FunctionStarter implements TaskStarter {

  private final LambdaClient lambda;
  private final String function;
  private final Clock clock;

  FunctionStarter(LambdaClient lambda, String function, Clock clock) {
    this.lambda = Objects.requireNonNull(lambda, "lambda");
    this.function = Objects.requireNonNull(function, "function");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public TaskStart start(String taskId) {
    String key = UUID.randomUUID().toString();
    Instant requestedAt = clock.instant();
    InvokeResponse response =
        lambda.invoke(
            request ->
                request
                    .functionName(function)
                    .invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(
                        SdkBytes.fromByteArray(Json.write(new Json.StartRequest(taskId, key)))));
    byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArray();
    if (response.functionError() != null) {
      throw startFailed(taskId, response.functionError(), payload);
    }
    Json.StartAnswer answer = answer(taskId, payload);
    return TaskStart.direct(
        taskId, answer.timestamp(), answer.executionArn(), answer.duplicate(), key, requestedAt);
  }

  /**
   * The starter's answer. A payload that is not the documented answer is described (what is wrong,
   * where, its size), never quoted: an error message must not carry what the function returned.
   */
  private static Json.StartAnswer answer(String taskId, byte[] payload) {
    Json.StartAnswer answer;
    try {
      answer = Json.read(payload, Json.StartAnswer.class);
    } catch (IOException e) {
      throw new TaskStatusException(
          "the starter's answer for task '"
              + taskId
              + "' is not the JSON object it documents: "
              + Json.problem(e)
              + "; "
              + payload.length
              + " bytes");
    }
    if (answer == null || answer.executionArn() == null || answer.executionArn().isBlank()) {
      throw new TaskStatusException(
          "the starter's answer for task '"
              + taskId
              + "' has no executionArn; "
              + payload.length
              + " bytes");
    }
    return answer;
  }

  /** The function error as an exception; a payload that is not Lambda's error JSON is described. */
  private static TaskStartException startFailed(
      String taskId, String functionError, byte[] payload) {
    Json.FunctionError error;
    try {
      error = Json.read(payload, Json.FunctionError.class);
    } catch (IOException e) {
      error = null;
    }
    String type = error != null && error.errorType() != null ? error.errorType() : functionError;
    String message;
    if (error != null && error.errorMessage() != null) {
      message = error.errorMessage();
    } else if (error != null) {
      message = "the error payload has no errorMessage";
    } else {
      message = "the error payload (" + payload.length + " bytes) is not Lambda's error JSON";
    }
    return new TaskStartException(taskId, functionError, type, message);
  }
}
