package io.github.taskstatus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/** The JSON the client exchanges with the starter, bound with Jackson. */
final class Json {

  /** Unknown fields are ignored: a newer starter may answer with more. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Json() {}

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
}
