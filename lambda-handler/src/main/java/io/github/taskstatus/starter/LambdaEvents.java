package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells what the function was invoked with. An event is an SQS batch only when its records say so:
 * its first field is {@code Records}, whose first record is an object with {@code "eventSource":
 * "aws:sqs"}, as Lambda's SQS event source writes it. Anything else is a direct event, even with a
 * {@code Records} field, and must be {@code {"taskId": "..."}}. A direct event over {@link
 * StartRequest#MAX_EVENT_BYTES} is rejected without being read further.
 */
final class LambdaEvents {
  static final String SQS_EVENT_SOURCE = "aws:sqs";

  private LambdaEvents() {}

  /** What the function was invoked with. */
  sealed interface LambdaEvent permits Direct, SqsBatch {}

  /** A direct invocation, as sent: to be parsed as a {@link StartRequest}. */
  record Direct(byte[] event) implements LambdaEvent {}

  /**
   * An SQS batch: the messages to start and the records that are not usable messages.
   *
   * @param messages the records with a message id and a body
   * @param rejected the other records, each with why
   */
  record SqsBatch(List<SQSEvent.SQSMessage> messages, List<Rejected> rejected)
      implements LambdaEvent {}

  /**
   * A record that is not a usable SQS message.
   *
   * @param index its position in {@code Records}
   * @param messageId its message id, or {@code null} if it has none to report
   * @param reason what is wrong with it
   */
  record Rejected(int index, String messageId, String reason) {}

  /**
   * Classifies an event.
   *
   * @throws InvalidTaskException if a direct event is too large, or the event is not JSON
   */
  static LambdaEvent classify(byte[] event) {
    try (JsonParser parser = Json.FACTORY.createParser(event)) {
      if (parser.nextToken() != JsonToken.START_OBJECT
          || parser.nextToken() != JsonToken.FIELD_NAME
          || !"Records".equals(parser.currentName())
          || parser.nextToken() != JsonToken.START_ARRAY) {
        return direct(event);
      }
      List<SQSEvent.SQSMessage> messages = new ArrayList<>();
      List<Rejected> rejected = new ArrayList<>();
      for (int index = 0; parser.nextToken() != JsonToken.END_ARRAY; index++) {
        SQSEvent.SQSMessage record = readRecord(parser);
        if (index == 0 && (record == null || !SQS_EVENT_SOURCE.equals(record.getEventSource()))) {
          return direct(event);
        }
        String problem = problem(record, index);
        if (problem == null) {
          messages.add(record);
        } else {
          rejected.add(new Rejected(index, record == null ? null : record.getMessageId(), problem));
        }
      }
      if (messages.isEmpty() && rejected.isEmpty()) {
        return direct(event);
      }
      return new SqsBatch(messages, rejected);
    } catch (JsonProcessingException e) {
      StartRequest.checkSize(event.length);
      throw new InvalidTaskException("event is not valid JSON: " + Json.syntaxError(e));
    } catch (IOException e) {
      throw new InvalidTaskException(
          "event could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Direct direct(byte[] event) {
    StartRequest.checkSize(event.length);
    return new Direct(event);
  }

  /** Reads the record at the parser's current token; {@code null} if it is not an object. */
  private static SQSEvent.SQSMessage readRecord(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return null;
    }
    SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      if (parser.nextToken() == JsonToken.VALUE_STRING) {
        switch (field) {
          case "messageId" -> message.setMessageId(parser.getText());
          case "body" -> message.setBody(parser.getText());
          case "eventSource" -> message.setEventSource(parser.getText());
          default -> {}
        }
      } else {
        parser.skipChildren();
      }
    }
    if (message.getMessageId() != null && message.getMessageId().isBlank()) {
      message.setMessageId(null);
    }
    return message;
  }

  /**
   * Why a record is not a usable SQS message, or {@code null} if it is one. The reason names the
   * record by its position, never by what it holds.
   */
  private static String problem(SQSEvent.SQSMessage record, int index) {
    if (record == null) {
      return "record " + index + " is not an object";
    }
    if (record.getMessageId() == null) {
      return "record " + index + " has no messageId";
    }
    if (!SQS_EVENT_SOURCE.equals(record.getEventSource())) {
      return "record " + index + " is not an SQS message (its eventSource is not aws:sqs)";
    }
    if (record.getBody() == null) {
      return "record " + index + " has no body";
    }
    return null;
  }
}
