package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A validated start request: the task id and, if the caller gave one, its idempotency key.
 *
 * <p>Parsed with Jackson's streaming parser: the event is small and flat, so a data-binding
 * layer would only add start-up time.
 */
public record StartRequest(String taskId, String idempotencyKey) {

  /** Partition keys are limited to 2048 bytes; half of that leaves room for the future. */
  public static final int MAX_TASK_ID_BYTES = 1024;

  /** Longest accepted caller-supplied idempotency key, in characters. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

  /** Largest accepted event, in bytes: a task id and a key never need more. */
  public static final int MAX_EVENT_BYTES = 64 * 1024;

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Creates a request after checking both values.
   *
   * @throws InvalidTaskException if the task id is blank, too long, or the key is invalid
   */
  public StartRequest {
    if (taskId == null || taskId.isBlank()) {
      throw new InvalidTaskException("taskId must be a non-blank string");
    }
    int bytes = taskId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_TASK_ID_BYTES) {
      throw new InvalidTaskException(
          "taskId is " + bytes + " bytes in UTF-8; the maximum is " + MAX_TASK_ID_BYTES);
    }
    if (idempotencyKey != null
        && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      throw new InvalidTaskException(
          "idempotencyKey must be a non-blank string of at most "
              + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
  }

  /**
   * Parses a JSON object such as {@code {"taskId": "Breakfast"}}; unknown fields are ignored.
   *
   * @param json the event, UTF-8
   * @return the validated request
   * @throws InvalidTaskException if the event is not such an object or a field is invalid
   */
  public static StartRequest parse(byte[] json) {
    if (json.length > MAX_EVENT_BYTES) {
      throw new InvalidTaskException(
          "event is " + json.length + " bytes; the maximum is " + MAX_EVENT_BYTES);
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidTaskException("event must be a JSON object like {\"taskId\": \"...\"}");
      }
      String taskId = null;
      String key = null;
      boolean sawTaskId = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("taskId".equals(field)) {
          sawTaskId = true;
          taskId = stringValue(parser, value, "taskId");
        } else if ("idempotencyKey".equals(field)) {
          key = stringValue(parser, value, "idempotencyKey");
        } else {
          parser.skipChildren();
        }
      }
      if (!sawTaskId) {
        throw new InvalidTaskException("event has no taskId; expected {\"taskId\": \"...\"}");
      }
      return new StartRequest(taskId, key);
    } catch (JsonProcessingException e) {
      throw new InvalidTaskException("event is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidTaskException("event could not be read: " + e.getMessage());
    }
  }

  private static String stringValue(JsonParser parser, JsonToken token, String field)
      throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw new InvalidTaskException(
          field + " must be a string, got " + describe(token) + " " + parser.getText());
    }
    return parser.getText();
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.name();
    };
  }
}
