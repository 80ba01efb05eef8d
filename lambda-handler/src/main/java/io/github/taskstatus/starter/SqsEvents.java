package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an SQS event and writes an {@link SQSBatchResponse}, with Jackson's streaming API into
 * and out of the aws-lambda-java-events types: only the fields the starter uses are read.
 */
public final class SqsEvents {
  private static final JsonFactory JSON = new JsonFactory();

  private SqsEvents() {}

  /**
   * Parses an SQS event.
   *
   * @param json a Lambda event
   * @return the event, or {@code null} if {@code json} is not an object with {@code Records}
   * @throws InvalidTaskException if it has {@code Records} but they are malformed
   */
  public static SQSEvent parse(byte[] json) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("Records".equals(field) && value == JsonToken.START_ARRAY) {
          SQSEvent event = new SQSEvent();
          event.setRecords(records(parser));
          return event;
        }
        parser.skipChildren();
      }
      return null;
    } catch (JsonProcessingException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<SQSEvent.SQSMessage> records(JsonParser parser) throws IOException {
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING && "messageId".equals(field)) {
          message.setMessageId(parser.getText());
        } else if (value == JsonToken.VALUE_STRING && "body".equals(field)) {
          message.setBody(parser.getText());
        } else {
          parser.skipChildren();
        }
      }
      if (message.getMessageId() == null || message.getMessageId().isBlank()) {
        throw new InvalidTaskException("SQS record " + records.size() + " has no messageId");
      }
      records.add(message);
    }
    return records;
  }

  /**
   * Renders the partial batch response Lambda's SQS event source reads.
   *
   * @param response the messages that failed
   * @return {@code {"batchItemFailures": [{"itemIdentifier": "..."}]}}
   */
  public static String toJson(SQSBatchResponse response) {
    return TaskStarter.json(g -> {
      g.writeArrayFieldStart("batchItemFailures");
      for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
        g.writeStartObject();
        g.writeStringField("itemIdentifier", failure.getItemIdentifier());
        g.writeEndObject();
      }
      g.writeEndArray();
    });
  }
}
