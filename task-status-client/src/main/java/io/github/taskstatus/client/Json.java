package io.github.taskstatus.client;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * The JSON the client exchanges with the starter, the reconciler and the worker queue, bound with
 * Jackson.
 */
final class Json {

  /** Unknown fields are ignored: a newer starter may answer with more. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * For JSON that must be exactly as documented: a field twice or anything after the value is an
   * error, and decimals keep every digit as written.
   */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private Json() {}

  /**
   * Reads {@code json} as a tree, strictly.
   *
   * @throws IOException if it is not one JSON value, or an object has a field twice
   */
  static JsonNode readStrict(String json) throws IOException {
    JsonNode tree = STRICT.readTree(json);
    if (tree == null || tree.isMissingNode()) {
      throw new JsonEOFException(null, null, "no JSON value");
    }
    return tree;
  }

  /**
   * What the starter reads, from a direct invocation and from a queue message alike: {@code
   * {"taskId": "...", "idempotencyKey": "..."}}.
   */
  record StartRequest(String taskId, String idempotencyKey) {}

  /**
   * The starter's answer. {@code timestamp} binds to {@link BigDecimal} from the number's text, so
   * its decimals arrive exactly as sent; it is null for a duplicate, whose item is found by its
   * {@code executionArn}.
   */
  record StartAnswer(
      String taskId,
      BigDecimal timestamp,
      String executionArn,
      String executionName,
      boolean duplicate) {}

  /**
   * The event the library's reconciler is started with after a cancellation: {@code {"source":
   * "task-status-workflow.cancel", "detail": {"executionArn": "...", "status": "ABORTED"}}}, the
   * shape of Step Functions' own status change event where the reconciler reads it.
   */
  record CancelEvent(String source, CancelDetail detail) {}

  /** The cancelled execution, and the status {@code StopExecution} left it in. */
  record CancelDetail(String executionArn, String status) {}

  /** Lambda's payload for a function error. */
  record FunctionError(String errorType, String errorMessage) {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a record of strings always serializes", e);
    }
  }

  static String writeString(Object value) {
    return new String(write(value), StandardCharsets.UTF_8);
  }

  /**
   * Reads {@code json} as {@code type}.
   *
   * @throws IOException if it is not JSON of that shape
   */
  static <T> T read(byte[] json, Class<T> type) throws IOException {
    return MAPPER.readValue(json, type);
  }

  /**
   * What is wrong with JSON that did not read as {@link #read(byte[], Class)} expected, and where,
   * without any of its content: Jackson's messages quote the offending token or value.
   *
   * @return for example {@code "a value of the wrong type for timestamp"}
   */
  static String problem(IOException e) {
    if (e instanceof StreamReadException read
        && read.getOriginalMessage() != null
        && read.getOriginalMessage().startsWith("Duplicate field")) {
      return "an object has a field twice" + where(read);
    }
    if (e instanceof JsonProcessingException processing
        && processing.getOriginalMessage() != null
        && processing.getOriginalMessage().startsWith("Trailing token")) {
      return "there is more after the JSON value" + where(processing);
    }
    if (e instanceof JsonEOFException) {
      return "it ends before the JSON is complete" + where(((JsonProcessingException) e));
    }
    if (e instanceof JsonMappingException mapping) {
      String path =
          mapping.getPath().stream()
              .map(
                  reference ->
                      reference.getFieldName() != null
                          ? reference.getFieldName()
                          : "[" + reference.getIndex() + "]")
              .collect(Collectors.joining("."));
      return path.isEmpty() ? "it is not a JSON object" : "a value of the wrong type for " + path;
    }
    if (e instanceof JsonProcessingException processing) {
      return "it is not JSON" + where(processing);
    }
    return "it could not be read (" + e.getClass().getSimpleName() + ")";
  }

  private static String where(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    return location == null || location.getLineNr() < 1
        ? ""
        : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
