package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A validated start request: the task id and, if the caller gave one, its idempotency key.
 *
 * <p>Parsed with Jackson's streaming parser: the event is small and flat, so a data-binding layer
 * would only add start-up time. Every message says what is wrong and where (the field, the kind of
 * value, the line and column), never what the event contains: the messages reach logs and callers,
 * and the event may be any message body.
 */
record StartRequest(String taskId, String idempotencyKey) {

  /** Partition keys are limited to 2048 bytes; half of that leaves room for the future. */
  static final int MAX_TASK_ID_BYTES = 1024;

  /** Longest accepted caller-supplied idempotency key, in characters. */
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

  /** Largest accepted direct event or message body, in bytes: a task never needs more. */
  static final int MAX_EVENT_BYTES = 64 * 1024;

  /**
   * Creates a request after checking both values.
   *
   * @throws InvalidTaskException if the task id is blank, too long or not printable text, or the
   *     key is invalid
   */
  StartRequest {
    if (taskId == null || taskId.isBlank()) {
      throw new InvalidTaskException("taskId must be a non-blank string");
    }
    checkText("taskId", taskId);
    int bytes = taskId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_TASK_ID_BYTES) {
      throw new InvalidTaskException(
          "taskId is " + bytes + " bytes in UTF-8; the maximum is " + MAX_TASK_ID_BYTES);
    }
    if (idempotencyKey != null) {
      if (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw new InvalidTaskException(
            "idempotencyKey must be a non-blank string of at most "
                + MAX_IDEMPOTENCY_KEY_LENGTH
                + " characters");
      }
      checkText("idempotencyKey", idempotencyKey);
    }
  }

  /**
   * Rejects what would not survive as a DynamoDB string and an execution name digest: an unpaired
   * surrogate (not valid Unicode; UTF-8 would turn it into '?', so two different ids would become
   * one) and control characters (invisible in consoles and logs).
   */
  private static void checkText(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidTaskException(
            String.format(
                "%s has an unpaired surrogate U+%04X at index %d; it must be valid Unicode text",
                field, (int) c, i));
      } else if (Character.isISOControl(c)) {
        throw new InvalidTaskException(
            String.format(
                "%s has the control character U+%04X at index %d; it must be printable text",
                field, (int) c, i));
      }
    }
  }

  /**
   * Parses a JSON object such as {@code {"taskId": "Breakfast"}}; unknown fields are ignored,
   * anything after the object is not.
   *
   * @param json the event, UTF-8
   * @return the validated request
   * @throws InvalidTaskException if the event is too large, not such an object, or a field is
   *     invalid
   */
  static StartRequest parse(byte[] json) {
    checkSize(json.length);
    try (JsonParser parser = Json.FACTORY.createParser(json)) {
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
      if (parser.nextToken() != null) {
        throw new InvalidTaskException(
            "event has more after its JSON object, from line "
                + parser.currentTokenLocation().getLineNr()
                + ", column "
                + parser.currentTokenLocation().getColumnNr());
      }
      if (!sawTaskId) {
        throw new InvalidTaskException("event has no taskId; expected {\"taskId\": \"...\"}");
      }
      return new StartRequest(taskId, key);
    } catch (JsonProcessingException e) {
      throw new InvalidTaskException("event is not valid JSON: " + Json.syntaxError(e));
    } catch (IOException e) {
      throw new InvalidTaskException(
          "event could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Rejects a direct event or message body over the limit, before reading it. */
  static void checkSize(int bytes) {
    if (bytes > MAX_EVENT_BYTES) {
      throw new InvalidTaskException(
          "event is " + bytes + " bytes; the maximum is " + MAX_EVENT_BYTES);
    }
  }

  /** The field's string; a value of another type is named by its kind, never quoted. */
  private static String stringValue(JsonParser parser, JsonToken token, String field)
      throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw new InvalidTaskException(field + " must be a string, got " + describe(token));
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
