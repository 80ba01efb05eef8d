package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * The alarms: any failed, timed-out, aborted or throttled execution and any starter error or
 * throttle within 5 minutes. Each of these means a task did not end {@code DONE} or was not
 * started, so the threshold is one; no data means nothing happened, which is fine. In queue
 * mode also any message in the dead-letter queue, and a task waiting 10 minutes or more.
 */
final class TaskStatusAlarms {
  static final Duration PERIOD = Duration.minutes(5);
  /** A task that waited this long was not started in time: the starter is falling behind. */
  static final int OLDEST_TASK_SECONDS = 600;

  private TaskStatusAlarms() {}

  static List<Alarm> create(Construct scope, StateMachine stateMachine, IFunction starter,
      IQueue queue, IQueue deadLetterQueue, ITopic topic) {
    MetricOptions sum = MetricOptions.builder().period(PERIOD).statistic("Sum").build();
    MetricOptions max = MetricOptions.builder().period(PERIOD).statistic("Maximum").build();
    List<Alarm> alarms = new ArrayList<>(List.of(
        alarm(scope, "ExecutionsFailedAlarm", stateMachine.metricFailed(sum),
            "A task execution failed: its item is FAILED, or see the execution's error"),
        alarm(scope, "ExecutionsTimedOutAlarm", stateMachine.metricTimedOut(sum),
            "A task execution timed out: its item is still STARTED"),
        alarm(scope, "ExecutionsAbortedAlarm", stateMachine.metricAborted(sum),
            "A task execution was aborted: its item is still STARTED"),
        alarm(scope, "ExecutionsThrottledAlarm", stateMachine.metricThrottled(sum),
            "Step Functions throttled the state machine's executions"),
        alarm(scope, "StarterErrorsAlarm", starter.metricErrors(sum),
            "The starter failed: a bad event, or StartExecution failed after retries"),
        alarm(scope, "StarterThrottlesAlarm", starter.metricThrottles(sum),
            "Lambda throttled the starter: tasks were not started")));
    if (deadLetterQueue != null) {
      alarms.add(alarm(scope, "DeadLetterQueueAlarm",
          deadLetterQueue.metricApproximateNumberOfMessagesVisible(max), 1,
          "Tasks are in the dead-letter queue: they could not be started"));
    }
    if (queue != null) {
      alarms.add(alarm(scope, "QueueAgeAlarm", queue.metricApproximateAgeOfOldestMessage(max),
          OLDEST_TASK_SECONDS, "The oldest task has waited " + OLDEST_TASK_SECONDS
              + " s or more in the queue: starts are falling behind"));
    }
    if (topic != null) {
      SnsAction action = new SnsAction(topic);
      alarms.forEach(a -> a.addAlarmAction(action));
    }
    return alarms;
  }

  private static Alarm alarm(Construct scope, String id, Metric metric, String description) {
    return alarm(scope, id, metric, 1, description);
  }

  private static Alarm alarm(Construct scope, String id, Metric metric, Number threshold,
      String description) {
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
