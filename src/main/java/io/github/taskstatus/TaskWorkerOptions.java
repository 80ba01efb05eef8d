package io.github.taskstatus;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * External work ({@link TaskStatusWorkflowProps#getWorker()}): the state machine hands each task to
 * a worker through an SQS queue, with a task token, and waits for the worker's answer ({@code
 * SendTaskSuccess} or {@code SendTaskFailure}, with {@code SendTaskHeartbeat} in between). Every
 * option is optional: {@code null} means the documented default. Create with {@link #builder()}.
 */
public final class TaskWorkerOptions {
  private final Duration heartbeatTimeout;
  private final Duration workTimeout;
  private final IQueue existingQueue;
  private final Number maxReceiveCount;

  private TaskWorkerOptions(Builder b) {
    this.heartbeatTimeout = b.heartbeatTimeout;
    this.workTimeout = b.workTimeout;
    this.existingQueue = b.existingQueue;
    this.maxReceiveCount = b.maxReceiveCount;
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
   * How long the task may go without a heartbeat (or progress, which heartbeats) before it fails
   * with {@code States.HeartbeatTimeout}: whole seconds, 1 second to 12 hours, shorter than {@link
   * #getWorkTimeout()}. It is also the worker queue's visibility timeout (SQS allows at most 12
   * hours), so a message a dead worker held is received again once its task has failed.
   *
   * @return the timeout, or {@code null} for the default
   * @default 5 minutes
   */
  public Duration getHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  /**
   * How long the worker may take in all before the task fails with {@code States.Timeout}: whole
   * seconds, from the heartbeat timeout to what a Standard execution may last, less 10 s for the
   * DynamoDB steps. The state machine's {@code timeout} defaults to this plus five minutes.
   *
   * @return the timeout, or {@code null} for the default
   * @default 1 hour
   */
  public Duration getWorkTimeout() {
    return workTimeout;
  }

  /**
   * A queue of your own to hand the tasks to, instead of the one the construct creates (encrypted,
   * SSL-only, with a dead-letter queue). Its visibility timeout should be the heartbeat timeout.
   *
   * @return the queue, or {@code null} for the default
   * @default a new worker queue and its dead-letter queue
   */
  public IQueue getExistingQueue() {
    return existingQueue;
  }

  /**
   * Receives of a task's message before it moves to the worker dead-letter queue; 1 to 1,000. A
   * message is received again only when a worker held it past the heartbeat timeout without
   * deleting it, by which time its task has failed.
   *
   * @return the count, or {@code null} for the default
   * @default 5
   */
  public Number getMaxReceiveCount() {
    return maxReceiveCount;
  }

  /** Builds {@link TaskWorkerOptions}. */
  public static final class Builder {
    private Duration heartbeatTimeout;
    private Duration workTimeout;
    private IQueue existingQueue;
    private Number maxReceiveCount;

    private Builder() {}

    /**
     * Sets {@link TaskWorkerOptions#getHeartbeatTimeout()}.
     *
     * @param heartbeatTimeout the value
     * @return this builder
     */
    public Builder heartbeatTimeout(Duration heartbeatTimeout) {
      this.heartbeatTimeout = heartbeatTimeout;
      return this;
    }

    /**
     * Sets {@link TaskWorkerOptions#getWorkTimeout()}.
     *
     * @param workTimeout the value
     * @return this builder
     */
    public Builder workTimeout(Duration workTimeout) {
      this.workTimeout = workTimeout;
      return this;
    }

    /**
     * Sets {@link TaskWorkerOptions#getExistingQueue()}.
     *
     * @param existingQueue the value
     * @return this builder
     */
    public Builder existingQueue(IQueue existingQueue) {
      this.existingQueue = existingQueue;
      return this;
    }

    /**
     * Sets {@link TaskWorkerOptions#getMaxReceiveCount()}.
     *
     * @param maxReceiveCount the value
     * @return this builder
     */
    public Builder maxReceiveCount(Number maxReceiveCount) {
      this.maxReceiveCount = maxReceiveCount;
      return this;
    }

    /**
     * Creates the options.
     *
     * @return immutable options
     */
    public TaskWorkerOptions build() {
      return new TaskWorkerOptions(this);
    }
  }
}
