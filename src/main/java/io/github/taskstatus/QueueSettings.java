package io.github.taskstatus;

import java.util.List;
import software.amazon.awscdk.Duration;

/**
 * Queue mode with every default applied, or {@code null} from {@link #of} when queue mode is off.
 * Limits are SQS's and Lambda's own.
 */
record QueueSettings(
    int batchSize,
    Duration maxBatchingWindow,
    int maxConcurrency,
    int maxReceiveCount,
    Duration visibilityTimeout,
    Duration retentionPeriod) {

  static final int DEFAULT_BATCH_SIZE = 10;

  /**
   * The largest batch whose every message the starter can attempt within its timeout: it starts
   * {@link StarterFunction#BATCH_CONCURRENCY} at a time, each attempt capped at {@link
   * StarterFunction#ATTEMPT_TIMEOUT_SECONDS}, keeping {@link StarterFunction#RESERVE_SECONDS} to
   * answer. Messages it could not attempt are reported for redelivery, never lost; the bound keeps
   * that the exception.
   */
  static final int MAX_BATCH_SIZE =
      StarterFunction.BATCH_CONCURRENCY
          * ((StarterFunction.TIMEOUT_SECONDS - StarterFunction.RESERVE_SECONDS)
              / StarterFunction.ATTEMPT_TIMEOUT_SECONDS);

  static final int DEFAULT_MAX_CONCURRENCY = 2;
  static final int DEFAULT_MAX_RECEIVE_COUNT = 5;

  /** Six times the starter's timeout, as Lambda recommends for SQS event sources. */
  static final long MIN_VISIBILITY_SECONDS = 6L * StarterFunction.TIMEOUT_SECONDS;

  static final Duration DEFAULT_RETENTION = Duration.days(4);
  static final Duration DEAD_LETTER_RETENTION = Duration.days(14);

  static QueueSettings of(TaskStatusWorkflowProps props, List<String> problems) {
    TaskQueueOptions options = props.getQueueOptions();
    boolean requested = props.getExistingQueue() != null || options != null;
    if (Boolean.FALSE.equals(props.getQueue()) && requested) {
      problems.add(
          "queue is false, but existingQueue or queueOptions is set: remove them or"
              + " set queue to true");
      return null;
    }
    if (!Boolean.TRUE.equals(props.getQueue()) && !requested) {
      return null;
    }
    TaskQueueOptions o = options != null ? options : TaskQueueOptions.builder().build();
    if (props.getExistingQueue() != null
        && (o.getMaxReceiveCount() != null
            || o.getVisibilityTimeout() != null
            || o.getRetentionPeriod() != null)) {
      problems.add(
          "existingQueue cannot be combined with queueOptions.maxReceiveCount,"
              + " visibilityTimeout or retentionPeriod: they configure the queue this construct"
              + " would create");
    }
    boolean window =
        o.getMaxBatchingWindow() != null
            && !o.getMaxBatchingWindow().isUnresolved()
            && Settings.seconds(o.getMaxBatchingWindow()) > 0;
    Settings.checkWhole(
        problems,
        "queueOptions.batchSize",
        o.getBatchSize(),
        1,
        window ? MAX_BATCH_SIZE : 10,
        window
            ? " with a maxBatchingWindow: a batch must fit the starter's "
                + StarterFunction.TIMEOUT_SECONDS
                + " s timeout"
            : ": up to " + MAX_BATCH_SIZE + " with a maxBatchingWindow");
    Settings.checkSeconds(
        problems, "queueOptions.maxBatchingWindow", o.getMaxBatchingWindow(), 0, 300, "");
    Settings.checkWhole(
        problems,
        "queueOptions.maxConcurrency",
        o.getMaxConcurrency(),
        2,
        1000,
        ": the event source's limits");
    Settings.checkWhole(
        problems, "queueOptions.maxReceiveCount", o.getMaxReceiveCount(), 1, 1000, "");
    Settings.checkSeconds(
        problems,
        "queueOptions.visibilityTimeout",
        o.getVisibilityTimeout(),
        MIN_VISIBILITY_SECONDS,
        43_200,
        ": at least six times the starter's " + StarterFunction.TIMEOUT_SECONDS + " s timeout");
    Settings.checkSeconds(
        problems, "queueOptions.retentionPeriod", o.getRetentionPeriod(), 60, 1_209_600, "");
    return new QueueSettings(
        o.getBatchSize() != null ? o.getBatchSize().intValue() : DEFAULT_BATCH_SIZE,
        o.getMaxBatchingWindow(),
        o.getMaxConcurrency() != null ? o.getMaxConcurrency().intValue() : DEFAULT_MAX_CONCURRENCY,
        o.getMaxReceiveCount() != null
            ? o.getMaxReceiveCount().intValue()
            : DEFAULT_MAX_RECEIVE_COUNT,
        o.getVisibilityTimeout() != null
            ? o.getVisibilityTimeout()
            : Duration.seconds(MIN_VISIBILITY_SECONDS),
        o.getRetentionPeriod() != null ? o.getRetentionPeriod() : DEFAULT_RETENTION);
  }
}
