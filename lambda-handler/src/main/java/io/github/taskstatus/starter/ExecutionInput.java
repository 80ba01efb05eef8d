package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;

/** Reads the {@code timestamp} back from an execution's input, exactly as it was written. */
final class ExecutionInput {
  private ExecutionInput() {}

  /**
   * The input's top-level {@code timestamp}.
   *
   * @throws IllegalArgumentException if the input has no numeric timestamp
   */
  static BigDecimal timestamp(String input) {
    try (JsonParser parser = Json.FACTORY.createParser(input)) {
      if (parser.nextToken() == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          JsonToken value = parser.nextToken();
          if ("timestamp".equals(field) && value.isNumeric()) {
            return parser.getDecimalValue();
          }
          parser.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("execution input is not JSON", e);
    }
    throw new IllegalArgumentException("execution input has no numeric timestamp");
  }
}
