package io.github.taskstatus.client;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts a task in queue mode: sends {@code {"taskId": "...", "idempotencyKey": "..."}} to the
 * queue, which the starter consumes later. The key, a fresh UUID per start, names the start's
 * execution: a redelivery, and a second message the SDK's own retry of a timed-out SendMessage may
 * have sent, start nothing new.
 */
final class QueueStarter implements TaskStarter {
  private final SqsClient sqs;
  private final String queueUrl;
  private final Clock clock;

  QueueStarter(SqsClient sqs, String queueUrl, Clock clock) {
    this.sqs = Objects.requireNonNull(sqs, "sqs");
    this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Sends the task. {@link TaskStart#requestedAt()} is truncated to the millisecond, the precision
   * of the starter's timestamps, so an item started in the very millisecond of the send still
   * counts as this start's.
   */
  @Override
  public TaskStart start(String taskId) {
    Instant requestedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    String idempotencyKey = UUID.randomUUID().toString();
    String messageId =
        sqs.sendMessage(
                request ->
                    request
                        .queueUrl(queueUrl)
                        .messageBody(
                            Json.writeString(new Json.StartRequest(taskId, idempotencyKey))))
            .messageId();
    return TaskStart.queued(taskId, messageId, idempotencyKey, requestedAt);
  }
}
