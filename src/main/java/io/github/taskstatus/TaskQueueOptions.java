package io.github.taskstatus;

import software.amazon.awscdk.Duration;

/**
 * Finer control of queue mode ({@link TaskStatusWorkflowProps#getQueue()}). Every option is
 * optional: {@code null} means the documented default. Create with {@link #builder()}.
 */
public final class TaskQueueOptions {
  private final Number batchSize;
  private final Duration maxBatchingWindow;
  private final Number maxConcurrency;
  private final Number maxReceiveCount;
  private final Duration visibilityTimeout;
  private final Duration retentionPeriod;

  private TaskQueueOptions(Builder b) {
    this.batchSize = b.batchSize;
    this.maxBatchingWindow = b.maxBatchingWindow;
    this.maxConcurrency = b.maxConcurrency;
    this.maxReceiveCount = b.maxReceiveCount;
    this.visibilityTimeout = b.visibilityTimeout;
    this.retentionPeriod = b.retentionPeriod;
  }

  /**
   * Starts a builder with every option unset.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Messages per starter invocation: 1 to 10, or up to 10,000 with a batching window.
   *
   * @return the batch size, or {@code null} for the default
   * @default 10: one invocation starts ten tasks concurrently
   */
  public Number getBatchSize() {
    return batchSize;
  }

  /**
   * How long the event source gathers messages before invoking the starter; 0 to 300 s.
   *
   * @return the window, or {@code null} for the default
   * @default none: the starter is invoked as soon as messages arrive
   */
  public Duration getMaxBatchingWindow() {
    return maxBatchingWindow;
  }

  /**
   * Most concurrent starter invocations the queue may drive (2 to 1,000), so a burst cannot exceed
   * the Step Functions StartExecution quota.
   *
   * @return the limit, or {@code null} for the default
   * @default 2: with batches of 10, at most 20 starts in flight
   */
  public Number getMaxConcurrency() {
    return maxConcurrency;
  }

  /**
   * Receives before a message moves to the dead-letter queue; 1 to 1,000.
   *
   * @return the count, or {@code null} for the default
   * @default 5
   */
  public Number getMaxReceiveCount() {
    return maxReceiveCount;
  }

  /**
   * The queue's visibility timeout: at least six times the starter's timeout (180 s), as Lambda
   * recommends, at most 12 hours.
   *
   * @return the timeout, or {@code null} for the default
   * @default 180 seconds
   */
  public Duration getVisibilityTimeout() {
    return visibilityTimeout;
  }

  /**
   * How long the task queue keeps a message; 60 s to 14 days. The dead-letter queue always keeps
   * messages for 14 days.
   *
   * @return the period, or {@code null} for the default
   * @default 4 days, SQS's default
   */
  public Duration getRetentionPeriod() {
    return retentionPeriod;
  }

  /** Builds {@link TaskQueueOptions}. */
  public static final class Builder {
    private Number batchSize;
    private Duration maxBatchingWindow;
    private Number maxConcurrency;
    private Number maxReceiveCount;
    private Duration visibilityTimeout;
    private Duration retentionPeriod;

    private Builder() {}

    /**
     * Sets {@link TaskQueueOptions#getBatchSize()}.
     *
     * @param batchSize the value
     * @return this builder
     */
    public Builder batchSize(Number batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets {@link TaskQueueOptions#getMaxBatchingWindow()}.
     *
     * @param maxBatchingWindow the value
     * @return this builder
     */
    public Builder maxBatchingWindow(Duration maxBatchingWindow) {
      this.maxBatchingWindow = maxBatchingWindow;
      return this;
    }

    /**
     * Sets {@link TaskQueueOptions#getMaxConcurrency()}.
     *
     * @param maxConcurrency the value
     * @return this builder
     */
    public Builder maxConcurrency(Number maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * Sets {@link TaskQueueOptions#getMaxReceiveCount()}.
     *
     * @param maxReceiveCount the value
     * @return this builder
     */
    public Builder maxReceiveCount(Number maxReceiveCount) {
      this.maxReceiveCount = maxReceiveCount;
      return this;
    }

    /**
     * Sets {@link TaskQueueOptions#getVisibilityTimeout()}.
     *
     * @param visibilityTimeout the value
     * @return this builder
     */
    public Builder visibilityTimeout(Duration visibilityTimeout) {
      this.visibilityTimeout = visibilityTimeout;
      return this;
    }

    /**
     * Sets {@link TaskQueueOptions#getRetentionPeriod()}.
     *
     * @param retentionPeriod the value
     * @return this builder
     */
    public Builder retentionPeriod(Duration retentionPeriod) {
      this.retentionPeriod = retentionPeriod;
      return this;
    }

    /**
     * Builds the options; they are validated when the construct is created.
     *
     * @return the options
     */
    public TaskQueueOptions build() {
      return new TaskQueueOptions(this);
    }
  }
}
