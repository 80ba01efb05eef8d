package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * One task handed to a worker: a message of the worker queue, as {@link TaskWorker#receive(int,
 * Duration)} read it. Pass it back to the worker's {@link TaskWorker#progress(TaskWork, int,
 * String) progress}, {@link TaskWorker#succeed(TaskWork) succeed} and {@link
 * TaskWorker#fail(TaskWork, String, String) fail}.
 *
 * <p>Its {@link #toString()} leaves out the task token and the receipt handle, which answer the
 * task and delete the message: it is safe to log.
 *
 * @param taskId the task id
 * @param timestamp the task's item's sort key, in Unix seconds, as the state machine sent it
 * @param executionArn the execution that waits for the task
 * @param attempt the execution's redrive count: 0 for its first attempt, then 1, 2, ... for each
 *     redrive
 * @param heartbeat how often the worker must report ({@link TaskWorker#progress(TaskWork, int,
 *     String)}): the task's heartbeat timeout, which is also the queue's visibility timeout
 * @param taskToken Step Functions' token for the task, which answers it
 * @param receiptHandle the SQS receipt handle of this receive of the message
 * @param messageId the SQS message id
 */
public record TaskWork(
    String taskId,
    BigDecimal timestamp,
    String executionArn,
    int attempt,
    Duration heartbeat,
    String taskToken,
    String receiptHandle,
    String messageId) {

  /** The longest heartbeat: SQS's longest visibility timeout, 12 hours. */
  public static final Duration MAX_HEARTBEAT = Duration.ofHours(12);

  /**
   * Creates a task; every value is required.
   *
   * @param taskId the task id
   * @param timestamp the item's sort key
   * @param executionArn the execution that waits for the task
   * @param attempt the execution's redrive count, 0 or more
   * @param heartbeat the heartbeat timeout: whole seconds, from 1 second to 12 hours
   * @param taskToken the task token, not empty
   * @param receiptHandle the receipt handle
   * @param messageId the message id
   * @throws NullPointerException naming the missing value
   * @throws IllegalArgumentException if the attempt is negative, the heartbeat out of range or the
   *     token empty
   */
  public TaskWork {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(executionArn, "executionArn");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(taskToken, "taskToken");
    Objects.requireNonNull(receiptHandle, "receiptHandle");
    Objects.requireNonNull(messageId, "messageId");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative, got " + attempt);
    }
    if (heartbeat.compareTo(Duration.ofSeconds(1)) < 0
        || heartbeat.compareTo(MAX_HEARTBEAT) > 0
        || heartbeat.getNano() != 0) {
      throw new IllegalArgumentException(
          "heartbeat must be whole seconds from 1 second to 12 hours, got " + heartbeat);
    }
    if (taskToken.isEmpty()) {
      throw new IllegalArgumentException("taskToken must not be empty");
    }
  }

  /**
   * The values, for logs, without the task token and the receipt handle (their lengths only).
   *
   * @return for example {@code TaskWork[taskId=Breakfast, timestamp=1795617326.12345, ...,
   *     taskToken=(812 characters), ...]}
   */
  @Override
  public String toString() {
    return "TaskWork[taskId="
        + taskId
        + ", timestamp="
        + timestamp.toPlainString()
        + ", executionArn="
        + executionArn
        + ", attempt="
        + attempt
        + ", heartbeat="
        + heartbeat
        + ", taskToken=("
        + taskToken.length()
        + " characters), receiptHandle=("
        + receiptHandle.length()
        + " characters), messageId="
        + messageId
        + "]";
  }

  /** Where messages name it: the task, its execution and attempt, and its message. */
  String describe() {
    return "task '"
        + taskId
        + "' (execution "
        + executionArn
        + ", attempt "
        + attempt
        + ", message "
        + messageId
        + ")";
  }
}
