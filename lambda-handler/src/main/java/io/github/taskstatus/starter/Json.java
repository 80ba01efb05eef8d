package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Writes small JSON objects with Jackson's streaming API: answers and log lines. */
final class Json {
  static final JsonFactory FACTORY = new JsonFactory();

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
}
