package io.github.taskstatus;

import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;

/**
 * What operators watch, in one place for the construct's {@code metric*} methods, the alarms and
 * the dashboard.
 *
 * @param stateMachine the task state machine
 * @param starter the starter function (all its versions)
 * @param starterDeadLetters the starter's dead-letter queue
 * @param queues the queues of queue mode
 * @param reconciler the reconciler, or {@code null}
 * @param sweeper the sweeper, or {@code null}
 */
record TaskStatusMetrics(
    StateMachine stateMachine,
    Function starter,
    IQueue starterDeadLetters,
    TaskQueues queues,
    TaskStatusReconciler reconciler,
    TaskStatusSweeper sweeper,
    TaskWorkers workers,
    TaskStatusEvents events) {

  Metric tasksStarted(MetricOptions options) {
    return stateMachine.metricStarted(options);
  }

  Metric tasksSucceeded(MetricOptions options) {
    return stateMachine.metricSucceeded(options);
  }

  Metric tasksFailed(MetricOptions options) {
    return stateMachine.metricFailed(options);
  }

  Metric tasksTimedOut(MetricOptions options) {
    return stateMachine.metricTimedOut(options);
  }

  Metric tasksAborted(MetricOptions options) {
    return stateMachine.metricAborted(options);
  }

  Metric executionsThrottled(MetricOptions options) {
    return stateMachine.metricThrottled(options);
  }

  Metric taskDuration(MetricOptions options) {
    return stateMachine.metricTime(options);
  }

  Metric starterErrors(MetricOptions options) {
    return starter.metricErrors(options);
  }

  Metric starterThrottles(MetricOptions options) {
    return starter.metricThrottles(options);
  }

  Metric starterDuration(MetricOptions options) {
    return starter.metricDuration(options);
  }
}
