package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the worker queue's messages, as the workflow's state machine sends them: a JSON object
 * {@code {"taskId": "...", "timestamp": <Unix seconds, up to 5 decimals>, "executionArn": "...",
 * "attempt": <redrive count>, "heartbeatSeconds": <seconds>, "taskToken": "..."}}. Each field is
 * required with its type and range; a field twice or anything after the object is refused; fields
 * this client does not know are ignored, so that a newer workflow may send more. What is wrong is
 * described by field and kind, never quoted: a body carries a task token.
 */
final class WorkMessages {

  /** Step Functions' limit on a task token, in characters. */
  static final int MAX_TOKEN_LENGTH = 1024;

  /** The most decimals a timestamp has: the starter's ten microseconds. */
  static final int MAX_TIMESTAMP_DECIMALS = 5;

  private WorkMessages() {}

  /** A message whose body is not a task of the workflow, with what is wrong. */
  static final class NotWork extends Exception {
    private static final long serialVersionUID = 1L;

    NotWork(String problem) {
      super(problem, null, false, false);
    }
  }

  /**
   * The work a message carries.
   *
   * @throws NotWork if its body is not the documented JSON object
   */
  static TaskWork parse(Message message) throws NotWork {
    JsonNode body;
    try {
      body = Json.readStrict(message.body() == null ? "" : message.body());
    } catch (IOException e) {
      throw new NotWork(Json.problem(e));
    }
    if (!body.isObject()) {
      throw new NotWork("it is not a JSON object");
    }
    String taskId = text(body, "taskId");
    try {
      Arguments.taskId(taskId);
    } catch (IllegalArgumentException e) {
      throw new NotWork("taskId is no task id: " + e.getMessage());
    }
    return new TaskWork(
        taskId,
        timestamp(field(body, "timestamp")),
        text(body, "executionArn"),
        whole(body, "attempt", 0, Integer.MAX_VALUE),
        Duration.ofSeconds(
            whole(body, "heartbeatSeconds", 1, (int) TaskWork.MAX_HEARTBEAT.toSeconds())),
        token(text(body, "taskToken")),
        message.receiptHandle(),
        message.messageId());
  }

  private static JsonNode field(JsonNode body, String name) throws NotWork {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      throw new NotWork("it has no " + name);
    }
    return value;
  }

  private static String text(JsonNode body, String name) throws NotWork {
    JsonNode value = field(body, name);
    if (!value.isTextual()) {
      throw new NotWork(name + " is not a string");
    }
    if (value.asText().isBlank()) {
      throw new NotWork(name + " is blank");
    }
    return value.asText();
  }

  private static BigDecimal timestamp(JsonNode value) throws NotWork {
    if (value.isNumber()) {
      BigDecimal seconds = value.decimalValue();
      if (seconds.signum() >= 0 && seconds.stripTrailingZeros().scale() <= MAX_TIMESTAMP_DECIMALS) {
        return seconds;
      }
    }
    throw new NotWork(
        "timestamp is not a number of Unix seconds (0 or more, at most "
            + MAX_TIMESTAMP_DECIMALS
            + " decimals)");
  }

  private static int whole(JsonNode body, String name, int min, int max) throws NotWork {
    JsonNode value = field(body, name);
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      int whole = value.intValue();
      if (whole >= min && whole <= max) {
        return whole;
      }
    }
    throw new NotWork(name + " is not a whole number from " + min + " to " + max);
  }

  private static String token(String token) throws NotWork {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new NotWork(
          "taskToken is "
              + token.length()
              + " characters; Step Functions' tokens have at most "
              + MAX_TOKEN_LENGTH);
    }
    return token;
  }
}
