package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Starts the tasks of an SQS batch concurrently and reports exactly the messages that were not
 * started, so SQS redelivers only those (and, after {@code maxReceiveCount} receives, moves them to
 * the dead-letter queue). A malformed message fails alone, never its neighbours; a message whose
 * turn comes when the time budget has run out is reported without being attempted.
 *
 * <p>A record that cannot be identified (not an object, no message id) cannot be reported by id: it
 * is reported with an empty identifier, which Lambda treats as a failure of the whole batch, so
 * nothing is acknowledged silently. Its neighbours' starts stand, and their redeliveries are
 * recognised as duplicates.
 */
final class BatchStarter {
  /** How many starts of one batch run at once: the size of the pool it is given. */
  static final int CONCURRENCY = 10;

  private final TaskStarter starter;
  private final Executor executor;

  BatchStarter(TaskStarter starter, Executor executor) {
    this.starter = Objects.requireNonNull(starter, "starter");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * Starts every message's task.
   *
   * @param batch the classified SQS batch
   * @param remainingMillis the time left in the function's budget
   * @param log receives one JSON line per decision
   * @return the messages that were not started
   */
  SQSBatchResponse start(
      LambdaEvents.SqsBatch batch, LongSupplier remainingMillis, Consumer<String> log) {
    List<CompletableFuture<String>> outcomes = new ArrayList<>();
    for (SQSEvent.SQSMessage message : batch.messages()) {
      outcomes.add(
          CompletableFuture.supplyAsync(() -> startOne(message, remainingMillis, log), executor));
    }
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (LambdaEvents.Rejected record : batch.rejected()) {
      log.accept(
          Json.object(
              g -> {
                g.writeStringField("event", "rejected");
                g.writeNumberField("record", record.index());
                if (record.messageId() != null) {
                  g.writeStringField("messageId", record.messageId());
                }
                g.writeStringField("reason", record.reason());
              }));
      failures.add(
          new SQSBatchResponse.BatchItemFailure(
              record.messageId() != null ? record.messageId() : ""));
    }
    for (CompletableFuture<String> outcome : outcomes) {
      String failedId = outcome.join();
      if (failedId != null) {
        failures.add(new SQSBatchResponse.BatchItemFailure(failedId));
      }
    }
    return new SQSBatchResponse(failures);
  }

  /** Returns {@code null} when started (or already started), else the message id. */
  private String startOne(
      SQSEvent.SQSMessage message, LongSupplier remainingMillis, Consumer<String> log) {
    String id = message.getMessageId();
    if (!TaskStarter.hasRoomForAnAttempt(remainingMillis.getAsLong())) {
      logMessage(
          log, "deferred", id, "reason", "the function's time budget ran out before its turn");
      return id;
    }
    try {
      StartRequest request = StartRequest.parse(message.getBody().getBytes(StandardCharsets.UTF_8));
      // The message id is the same on every redelivery: a redelivered message maps to the
      // execution name of its first delivery.
      starter.start(request, id, remainingMillis, log);
      return null;
    } catch (InvalidTaskException e) {
      logMessage(log, "rejected", id, "reason", e.getMessage());
      return id;
    } catch (SdkException e) {
      // TaskStarter logged the failure; SQS redelivers the message later.
      return id;
    } catch (RuntimeException e) {
      logMessage(log, "failed", id, "error", unexpected(e));
      return id;
    }
  }

  /**
   * An unexpected error by its type and where it was thrown: its message could quote what it was
   * working on, a message body among others.
   */
  static String unexpected(RuntimeException e) {
    StackTraceElement[] trace = e.getStackTrace();
    return trace.length == 0 ? e.getClass().getName() : e.getClass().getName() + " at " + trace[0];
  }

  /** One JSON line about one message: what happened to it and why. */
  private static void logMessage(
      Consumer<String> log, String event, String messageId, String field, String value) {
    log.accept(
        Json.object(
            g -> {
              g.writeStringField("event", event);
              g.writeStringField("messageId", messageId);
              g.writeStringField(field, value);
            }));
  }

  /** The partial batch response Lambda's SQS event source reads. */
  static String toJson(SQSBatchResponse response) {
    return Json.object(
        g -> {
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
