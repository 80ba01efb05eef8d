package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Writes small JSON objects with Jackson's streaming API: answers and log lines. */
final class Json {
  static final JsonFactory FACTORY = new JsonFactory();

  /**
   * The kinds of syntax error, by the start of Jackson's message: the rest of that message quotes
   * the offending input, which is why it is never used.
   */
  private static final List<Map.Entry<String, String>> SYNTAX_ERRORS =
      List.of(
          Map.entry("Unrecognized token", "a token that is not JSON"),
          Map.entry("Unrecognized character escape", "an invalid escape in a string"),
          Map.entry("Unexpected character", "an unexpected character"),
          Map.entry("Illegal unquoted character", "a control character inside a string"),
          Map.entry("Invalid UTF-8", "bytes that are not UTF-8"),
          Map.entry("Invalid numeric value", "an invalid number"),
          Map.entry("Leading zeroes", "an invalid number"),
          Map.entry("Unexpected close marker", "a closing bracket that closes nothing open"),
          Map.entry("Unexpected end-of-input", "an end before the JSON is complete"));

  private Json() {}

  /** Writes the fields of one JSON object. */
  @FunctionalInterface
  interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  /** One JSON object with these fields. */
  static String object(Fields fields) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * What is wrong with JSON that did not parse, and where, without any of its content: Jackson's
   * messages quote the offending token, which may be any part of a message body.
   *
   * @return for example {@code "a token that is not JSON at line 1, column 12"}
   */
  static String syntaxError(JsonProcessingException e) {
    String kind;
    if (e instanceof JsonEOFException) {
      kind = "an end before the JSON is complete";
    } else if (e instanceof StreamConstraintsException) {
      kind = "a value or nesting over the parser's limits";
    } else {
      String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      kind =
          SYNTAX_ERRORS.stream()
              .filter(entry -> message.startsWith(entry.getKey()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse("invalid JSON");
    }
    JsonLocation where = e.getLocation();
    return where == null || where.getLineNr() < 1
        ? kind
        : kind + " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
