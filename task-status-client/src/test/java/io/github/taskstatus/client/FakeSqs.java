package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Standard SQS queues as the API reference documents them, over the JSON 1.0 protocol ({@code
 * X-Amz-Target: AmazonSQS.<operation>}): {@code SendMessage}, {@code ReceiveMessage}, {@code
 * DeleteMessage} and {@code ChangeMessageVisibility}, with the MD5 of each body, which the SDK
 * checks.
 *
 * <ul>
 *   <li>A received message is hidden for the queue's visibility timeout (or the request's), then
 *       visible again; each receive counts ({@code ApproximateReceiveCount}) and issues a new
 *       receipt handle. A message received {@code maxReceiveCount} times moves to the dead-letter
 *       queue on the next receive, as a redrive policy does.
 *   <li>{@code DeleteMessage} with the latest receipt handle deletes the message; with an earlier
 *       one of the same message it succeeds without deleting it, as AWS documents for standard
 *       queues; with one never issued it is {@code ReceiptHandleIsInvalid}.
 *   <li>{@code ChangeMessageVisibility} works on a message in flight with its latest handle, for 0
 *       to 43200 seconds and at most 12 hours after its first receive; otherwise {@code
 *       InvalidParameterValue} ("Message does not exist or is not available for visibility timeout
 *       change"), or {@code ReceiptHandleIsInvalid} for a handle never issued.
 * </ul>
 *
 * <p>Time is the fake's own clock ({@link #now(Instant)}, {@link #advance(Duration)}). Long polling
 * ({@code WaitTimeSeconds}) is checked and recorded but not waited for: an empty queue answers at
 * once.
 */
final class FakeSqs {
  private static final Duration MAX_VISIBILITY = Duration.ofHours(12);

  /** One message: its body, the handles issued for it, when it is visible again. */
  private static final class Message {
    final String id = UUID.randomUUID().toString();
    final String body;
    final Set<String> handles = new HashSet<>();
    String latestHandle;
    Instant visibleAt;
    Instant firstReceived;
    int receiveCount;
    boolean deleted;

    Message(String body, Instant now) {
      this.body = body;
      this.visibleAt = now;
    }
  }

  /** One queue and its settings. */
  private static final class Queue {
    final List<Message> messages = new ArrayList<>();
    final List<Message> deadLetters = new ArrayList<>();
    Duration visibilityTimeout = Duration.ofSeconds(30);
    int maxReceiveCount = Integer.MAX_VALUE;
  }

  /** A ChangeMessageVisibility that succeeded: the message and the timeout set. */
  record VisibilityChange(String messageId, int seconds) {}

  private final Map<String, Queue> queues = new HashMap<>();
  private final List<VisibilityChange> visibilityChanges = new ArrayList<>();
  private Instant now = Instant.parse("2026-11-26T10:00:00Z");

  FakeSqs(String... queueUrls) {
    for (String url : queueUrls) {
      queues.put(url, new Queue());
    }
  }

  /** The queue's visibility timeout and redrive policy. */
  synchronized FakeSqs queue(String url, Duration visibilityTimeout, int maxReceiveCount) {
    Queue queue = queues.get(url);
    queue.visibilityTimeout = visibilityTimeout;
    queue.maxReceiveCount = maxReceiveCount;
    return this;
  }

  synchronized FakeSqs now(Instant now) {
    this.now = now;
    return this;
  }

  synchronized FakeSqs advance(Duration duration) {
    this.now = now.plus(duration);
    return this;
  }

  /** Sends a message, as a producer (the state machine) would; returns its id. */
  synchronized String send(String url, String body) {
    Message message = new Message(body, now);
    queues.get(url).messages.add(message);
    return message.id;
  }

  /** The bodies of the messages still on the queue (in flight or not), in the order sent. */
  synchronized List<String> bodies(String url) {
    return queues.get(url).messages.stream().filter(m -> !m.deleted).map(m -> m.body).toList();
  }

  /** The ids of the messages still on the queue. */
  synchronized List<String> messageIds(String url) {
    return queues.get(url).messages.stream().filter(m -> !m.deleted).map(m -> m.id).toList();
  }

  /** The bodies moved to the queue's dead-letter queue. */
  synchronized List<String> deadLetters(String url) {
    return queues.get(url).deadLetters.stream().map(m -> m.body).toList();
  }

  /** The visibility changes so far, in order. */
  synchronized List<VisibilityChange> visibilityChanges() {
    return List.copyOf(visibilityChanges);
  }

  synchronized FakeAws.Reply handle(String operation, JsonNode request) {
    Queue queue = queues.get(request.path("QueueUrl").asText());
    if (queue == null) {
      return error("QueueDoesNotExist", "The specified queue does not exist.");
    }
    return switch (operation) {
      case "SendMessage" -> sendMessage(queue, request);
      case "ReceiveMessage" -> receiveMessage(queue, request);
      case "DeleteMessage" -> deleteMessage(queue, request);
      case "ChangeMessageVisibility" -> changeVisibility(queue, request);
      default -> error("UnsupportedOperation", "not served here: " + operation);
    };
  }

  private FakeAws.Reply sendMessage(Queue queue, JsonNode request) {
    Message message = new Message(request.path("MessageBody").asText(), now);
    queue.messages.add(message);
    return FakeAws.Reply.json(
        200, Map.of("MessageId", message.id, "MD5OfMessageBody", md5(message.body)));
  }

  private FakeAws.Reply receiveMessage(Queue queue, JsonNode request) {
    int max = request.path("MaxNumberOfMessages").asInt(1);
    if (max < 1 || max > 10) {
      return error(
          "InvalidParameterValue",
          "Value "
              + max
              + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10,"
              + " if provided.");
    }
    int wait = request.path("WaitTimeSeconds").asInt(0);
    if (wait < 0 || wait > 20) {
      return error(
          "InvalidParameterValue",
          "Value "
              + wait
              + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if"
              + " provided.");
    }
    Duration visibility =
        request.has("VisibilityTimeout")
            ? Duration.ofSeconds(request.get("VisibilityTimeout").asInt())
            : queue.visibilityTimeout;
    boolean withCount = false;
    for (JsonNode name : request.path("MessageSystemAttributeNames")) {
      withCount |= name.asText().equals("ApproximateReceiveCount") || name.asText().equals("All");
    }
    ObjectNode response = FakeAws.JSON.createObjectNode();
    ArrayNode received = response.putArray("Messages");
    for (Message message : List.copyOf(queue.messages)) {
      if (received.size() == max) {
        break;
      }
      if (message.deleted || message.visibleAt.isAfter(now)) {
        continue;
      }
      if (message.receiveCount >= queue.maxReceiveCount) {
        queue.messages.remove(message);
        queue.deadLetters.add(message);
        continue;
      }
      message.receiveCount++;
      if (message.firstReceived == null) {
        message.firstReceived = now;
      }
      message.visibleAt = now.plus(visibility);
      message.latestHandle = UUID.randomUUID() + "#" + message.id;
      message.handles.add(message.latestHandle);
      ObjectNode entry =
          received
              .addObject()
              .put("MessageId", message.id)
              .put("ReceiptHandle", message.latestHandle)
              .put("MD5OfBody", md5(message.body))
              .put("Body", message.body);
      if (withCount) {
        entry.putObject("Attributes").put("ApproximateReceiveCount", "" + message.receiveCount);
      }
    }
    return new FakeAws.Reply(200, Map.of(), response.toString());
  }

  private FakeAws.Reply deleteMessage(Queue queue, JsonNode request) {
    String handle = request.path("ReceiptHandle").asText();
    Message message = issuedFor(queue, handle);
    if (message == null) {
      return error(
          "ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not valid.");
    }
    if (handle.equals(message.latestHandle)) {
      message.deleted = true;
    }
    return new FakeAws.Reply(200, Map.of(), "{}");
  }

  private FakeAws.Reply changeVisibility(Queue queue, JsonNode request) {
    String handle = request.path("ReceiptHandle").asText();
    int seconds = request.path("VisibilityTimeout").asInt(-1);
    Message message = issuedFor(queue, handle);
    if (message == null) {
      return error(
          "ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not valid.");
    }
    if (message.deleted
        || !handle.equals(message.latestHandle)
        || !message.visibleAt.isAfter(now)) {
      return error(
          "InvalidParameterValue",
          "Value "
              + handle
              + " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not"
              + " available for visibility timeout change.");
    }
    if (seconds < 0
        || seconds > MAX_VISIBILITY.toSeconds()
        || now.plusSeconds(seconds).isAfter(message.firstReceived.plus(MAX_VISIBILITY))) {
      return error(
          "InvalidParameterValue",
          "Value "
              + seconds
              + " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for"
              + " the message is beyond the limit [43200 seconds]");
    }
    message.visibleAt = now.plusSeconds(seconds);
    visibilityChanges.add(new VisibilityChange(message.id, seconds));
    return new FakeAws.Reply(200, Map.of(), "{}");
  }

  private static Message issuedFor(Queue queue, String handle) {
    return queue.messages.stream().filter(m -> m.handles.contains(handle)).findFirst().orElse(null);
  }

  private static FakeAws.Reply error(String code, String message) {
    return new FakeAws.Reply(
        400,
        Map.of("x-amzn-query-error", code + ";Sender"),
        FakeAws.JSON
            .createObjectNode()
            .put("__type", "com.amazonaws.sqs#" + code)
            .put("message", message)
            .toString());
  }

  static String md5(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
