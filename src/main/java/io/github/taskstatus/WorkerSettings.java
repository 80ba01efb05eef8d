package io.github.taskstatus;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * External work with every default applied, or {@code null} from {@link #of} without a worker.
 * Limits are Step Functions' and SQS's own.
 *
 * @param heartbeatTimeout how long the task may go without a heartbeat
 * @param workTimeout how long the worker may take in all
 * @param existingQueue the user's worker queue, or {@code null} for a created one
 * @param maxReceiveCount receives before a message moves to the worker dead-letter queue
 */
record WorkerSettings(
    Duration heartbeatTimeout, Duration workTimeout, IQueue existingQueue, int maxReceiveCount) {

  static final Duration DEFAULT_HEARTBEAT = Duration.minutes(5);
  static final Duration DEFAULT_WORK_TIMEOUT = Duration.hours(1);
  static final int DEFAULT_MAX_RECEIVE_COUNT = 5;

  /** SQS's largest visibility timeout, which the heartbeat timeout is. */
  static final long MAX_HEARTBEAT_SECONDS = 12 * 3600;

  /** Retention of the worker queue and its dead-letter queue: SQS's longest. */
  static final Duration RETENTION = Duration.days(14);

  static WorkerSettings of(TaskStatusWorkflowProps props, StateMachineType type, List<String> p) {
    TaskWorkerOptions o = props.getWorker();
    if (o == null) {
      return null;
    }
    if (type != StateMachineType.STANDARD) {
      p.add(
          "worker needs a STANDARD workflow: an EXPRESS workflow cannot wait for a task token"
              + " (Step Functions supports .waitForTaskToken in Standard workflows only)");
    }
    if (props.getWork() != null || props.getWaitDuration() != null) {
      p.add(
          "worker cannot be combined with work or waitDuration: the worker is the work, in place"
              + " of the default wait");
    }
    if (o.getExistingQueue() != null && o.getMaxReceiveCount() != null) {
      p.add(
          "worker.existingQueue cannot be combined with worker.maxReceiveCount: it configures the"
              + " queue this construct would create");
    }
    Duration heartbeat = o.getHeartbeatTimeout() != null ? o.getHeartbeatTimeout() : null;
    Duration work = o.getWorkTimeout() != null ? o.getWorkTimeout() : DEFAULT_WORK_TIMEOUT;
    Settings.checkSeconds(
        p,
        "worker.heartbeatTimeout",
        heartbeat,
        1,
        MAX_HEARTBEAT_SECONDS,
        ": it is the worker queue's visibility timeout, which SQS allows up to 12 hours");
    Settings.checkSeconds(
        p,
        "worker.workTimeout",
        o.getWorkTimeout(),
        1,
        Settings.STANDARD_MAX_SECONDS - Settings.MIN_TIMEOUT_MARGIN_SECONDS,
        ": Standard executions last at most 365 days, less "
            + Settings.MIN_TIMEOUT_MARGIN_SECONDS
            + " s for the DynamoDB steps");
    Duration beat = heartbeat != null ? heartbeat : DEFAULT_HEARTBEAT;
    if (!beat.isUnresolved()
        && !work.isUnresolved()
        && Settings.seconds(beat) >= Settings.seconds(work)) {
      // The ASL: a Task's HeartbeatSeconds must be smaller than its TimeoutSeconds.
      p.add(
          "worker.heartbeatTimeout must be shorter than worker.workTimeout (the States"
              + " Language's rule for a Task): "
              + Settings.human(Settings.seconds(beat))
              + " against "
              + Settings.human(Settings.seconds(work)));
    }
    Settings.checkWhole(p, "worker.maxReceiveCount", o.getMaxReceiveCount(), 1, 1000, "");
    return new WorkerSettings(
        beat,
        work,
        o.getExistingQueue(),
        o.getMaxReceiveCount() != null
            ? o.getMaxReceiveCount().intValue()
            : DEFAULT_MAX_RECEIVE_COUNT);
  }

  /** The timeout the state machine gets by default: the work's, plus the DynamoDB steps'. */
  Duration defaultTimeout() {
    if (workTimeout.isUnresolved()) {
      return Duration.seconds(Settings.STANDARD_MAX_SECONDS);
    }
    return Duration.seconds(
        Math.min(
            (long) Settings.seconds(workTimeout) + Settings.DYNAMODB_STEPS_SECONDS,
            Settings.STANDARD_MAX_SECONDS));
  }
}
