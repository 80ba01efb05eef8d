package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The alarms: any failed, timed-out, aborted or throttled execution, any starter error or throttle,
 * and anything in a dead-letter queue, within 5 minutes. Each means a task did not end {@code
 * DONE}, was not started, or was not reconciled, so the threshold is one; no data means nothing
 * happened, which is fine. In queue mode also a task waiting 10 minutes or more.
 */
final class TaskStatusAlarms {
  static final Duration PERIOD = Duration.minutes(5);

  /** A task that waited this long was not started in time: the starter is falling behind. */
  static final int OLDEST_TASK_SECONDS = 600;

  private TaskStatusAlarms() {}

  static List<Alarm> create(Construct scope, TaskStatusMetrics metrics, ITopic topic) {
    TaskQueues queues = metrics.queues();
    IQueue starterDeadLetters = metrics.starterDeadLetters();
    TaskStatusReconciler reconciler = metrics.reconciler();
    MetricOptions sum = MetricOptions.builder().period(PERIOD).statistic("Sum").build();
    MetricOptions max = MetricOptions.builder().period(PERIOD).statistic("Maximum").build();
    String untilReconciled =
        reconciler != null
            ? "the reconciler marks its item FAILED"
            : "its item stays STARTED (EXPRESS workflows are not reconciled)";
    List<Alarm> alarms =
        new ArrayList<>(
            List.of(
                alarm(
                    scope,
                    "ExecutionsFailedAlarm",
                    metrics.tasksFailed(sum),
                    "A task execution failed: its item is FAILED with the error"),
                alarm(
                    scope,
                    "ExecutionsTimedOutAlarm",
                    metrics.tasksTimedOut(sum),
                    "A task execution timed out: " + untilReconciled),
                alarm(
                    scope,
                    "ExecutionsAbortedAlarm",
                    metrics.tasksAborted(sum),
                    "A task execution was aborted: " + untilReconciled),
                alarm(
                    scope,
                    "ExecutionsThrottledAlarm",
                    metrics.executionsThrottled(sum),
                    "Step Functions throttled the state machine's executions"),
                alarm(
                    scope,
                    "StarterErrorsAlarm",
                    metrics.starterErrors(sum),
                    "The starter failed: a bad event, or StartExecution failed after retries"),
                alarm(
                    scope,
                    "StarterThrottlesAlarm",
                    metrics.starterThrottles(sum),
                    "Lambda throttled the starter: tasks were not started"),
                alarm(
                    scope,
                    "StarterDeadLetterQueueAlarm",
                    depth(starterDeadLetters, max),
                    "An asynchronous start failed every retry: the event is in the starter's"
                        + " dead-letter queue, to replay")));
    if (reconciler != null) {
      alarms.add(
          alarm(
              scope,
              "ReconcilerFailedAlarm",
              reconciler.stateMachine().metricFailed(sum),
              "A reconciliation failed: its event is in the reconciler's dead-letter queue"));
      alarms.add(
          alarm(
              scope,
              "ReconcilerDeadLetterQueueAlarm",
              depth(reconciler.deadLetterQueue(), max),
              "An ended task could not be marked FAILED: replay the reconciler's dead letters"));
      alarms.add(
          alarm(
              scope,
              "ReconcileRuleFailedAlarm",
              Metric.Builder.create()
                  .namespace("AWS/Events")
                  .metricName("FailedInvocations")
                  .dimensionsMap(Map.of("RuleName", reconciler.rule().getRuleName()))
                  .period(PERIOD)
                  .statistic("Sum")
                  .build(),
              "EventBridge could not start the reconciler; it retries, then dead-letters"));
    }
    if (queues.deadLetterQueue() != null) {
      alarms.add(
          alarm(
              scope,
              "DeadLetterQueueAlarm",
              depth(queues.deadLetterQueue(), max),
              "Tasks are in the dead-letter queue: they could not be started"));
    }
    if (queues.queue() != null) {
      alarms.add(
          alarm(
              scope,
              "QueueAgeAlarm",
              queues.queue().metricApproximateAgeOfOldestMessage(max),
              OLDEST_TASK_SECONDS,
              "The oldest task has waited "
                  + OLDEST_TASK_SECONDS
                  + " s or more in the queue: starts are falling behind"));
    }
    if (topic != null) {
      SnsAction action = new SnsAction(topic);
      alarms.forEach(a -> a.addAlarmAction(action));
    }
    return alarms;
  }

  private static Metric depth(IQueue queue, MetricOptions max) {
    return queue.metricApproximateNumberOfMessagesVisible(max);
  }

  private static Alarm alarm(Construct scope, String id, Metric metric, String description) {
    return alarm(scope, id, metric, 1, description);
  }

  private static Alarm alarm(
      Construct scope, String id, Metric metric, Number threshold, String description) {
    return Alarm.Builder.create(scope, id)
        .alarmDescription(description)
        .metric(metric)
        .threshold(threshold)
        .evaluationPeriods(1)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
        .treatMissingData(TreatMissingData.NOT_BREACHING)
        .build();
  }
}
