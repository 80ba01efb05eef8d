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

/**
 * Starts the tasks of an SQS batch concurrently and reports exactly the messages that could not
 * be started, so SQS redelivers only those (and, after {@code maxReceiveCount} receives, moves
 * them to the dead-letter queue). A malformed body fails its own message, never the batch.
 */
public final class BatchStarter {
  private final TaskStarter starter;
  private final Executor executor;

  /**
   * Creates a batch starter.
   *
   * @param starter starts one task, with its retries
   * @param executor runs the starts; its size bounds how many run at once
   */
  public BatchStarter(TaskStarter starter, Executor executor) {
    this.starter = Objects.requireNonNull(starter, "starter");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * Starts every message's task.
   *
   * @param event the SQS batch; each body is {@code {"taskId": "..."}}
   * @param remainingMillis the time left in the function's budget
   * @param log receives one JSON line per decision
   * @return the ids of the messages that failed
   */
  public SQSBatchResponse start(SQSEvent event, LongSupplier remainingMillis,
      Consumer<String> log) {
    List<CompletableFuture<String>> outcomes = new ArrayList<>();
    for (SQSEvent.SQSMessage message : event.getRecords()) {
      outcomes.add(CompletableFuture.supplyAsync(
          () -> startOne(message, remainingMillis, log), executor));
    }
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (CompletableFuture<String> outcome : outcomes) {
      String failedId = outcome.join();
      if (failedId != null) {
        failures.add(new SQSBatchResponse.BatchItemFailure(failedId));
      }
    }
    return new SQSBatchResponse(failures);
  }

  /** Returns {@code null} when started (or already started), else the message id. */
  private String startOne(SQSEvent.SQSMessage message, LongSupplier remainingMillis,
      Consumer<String> log) {
    String id = message.getMessageId();
    try {
      StartRequest request = StartRequest.parse(message.getBody() == null ? new byte[0]
          : message.getBody().getBytes(StandardCharsets.UTF_8));
      // The message id is the same on every redelivery: a redelivered message maps to the
      // execution name of its first delivery.
      starter.start(request, id, remainingMillis, log);
      return null;
    } catch (InvalidTaskException e) {
      log.accept(TaskStarter.json(g -> {
        g.writeStringField("event", "rejected");
        g.writeStringField("messageId", id);
        g.writeStringField("reason", e.getMessage());
      }));
      return id;
    } catch (RuntimeException e) {
      // TaskStarter logged the failure; SQS redelivers the message later.
      return id;
    }
  }
}
