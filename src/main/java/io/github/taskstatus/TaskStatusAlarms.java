package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
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

  /** The id of the warning about a topic key whose policy this construct does not change. */
  static final String TOPIC_KEY_WARNING = "task-status-workflow:alarm-topic-key";

  private static final String CLOUDWATCH = "cloudwatch.amazonaws.com";
  private static final String ALARMS_SID = "AllowCloudWatchAlarmsToEncryptedTopic";
  private static final List<String> ALARMS_ACTIONS = List.of("kms:Decrypt", "kms:GenerateDataKey*");

  private TaskStatusAlarms() {}

  /** A rule's targets EventBridge could not invoke, summed over the period. */
  private static Metric failedInvocations(Rule rule) {
    return Metric.Builder.create()
        .namespace("AWS/Events")
        .metricName("FailedInvocations")
        .dimensionsMap(Map.of("RuleName", rule.getRuleName()))
        .period(PERIOD)
        .statistic("Sum")
        .build();
  }

  static List<Alarm> create(Construct scope, TaskStatusMetrics metrics, ITopic topic, IKey key) {
    final TaskQueues queues = metrics.queues();
    IQueue starterDeadLetters = metrics.starterDeadLetters();
    TaskStatusReconciler reconciler = metrics.reconciler();
    MetricOptions sum = MetricOptions.builder().period(PERIOD).statistic("Sum").build();
    MetricOptions max = MetricOptions.builder().period(PERIOD).statistic("Maximum").build();
    String untilReconciled =
        reconciler != null
            ? "its item is marked FAILED (the reconciler, or the sweeper past its deadline)"
            : "its item stays STARTED (no sweeper: EXPRESS workflows send no events)";
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
      if (reconciler.rule() != null) {
        alarms.add(
            alarm(
                scope,
                "ReconcileRuleFailedAlarm",
                failedInvocations(reconciler.rule()),
                "EventBridge could not start the reconciler; it retries, then dead-letters"));
      }
    }
    TaskStatusSweeper sweeper = metrics.sweeper();
    if (sweeper != null) {
      alarms.add(
          alarm(
              scope,
              "SweeperFailedAlarm",
              sweeper.stateMachine().metricFailed(sum),
              "A sweep failed: overdue items wait for the next one; see the sweeper's logs"));
      alarms.add(
          alarm(
              scope,
              "SweeperTimedOutAlarm",
              sweeper.stateMachine().metricTimedOut(sum),
              "A sweep ran past 5 minutes: overdue items wait for the next one"));
      alarms.add(
          alarm(
              scope,
              "SweepScheduleFailedAlarm",
              failedInvocations(sweeper.schedule()),
              "EventBridge could not start a sweep"));
    }
    TaskWorkers workers = metrics.workers();
    if (workers != null && workers.deadLetterQueue() != null) {
      alarms.add(
          alarm(
              scope,
              "WorkerDeadLetterQueueAlarm",
              depth(workers.deadLetterQueue(), max),
              "A task's message was received again and again without being answered: its workers"
                  + " died (the task itself failed with States.HeartbeatTimeout)"));
    }
    TaskStatusEvents events = metrics.events();
    if (events != null) {
      alarms.add(
          alarm(
              scope,
              "StatusEventShaperFailedAlarm",
              events.shaper().metricFailed(sum),
              "Status change events could not be shaped: the pipe retries, then dead-letters"));
      alarms.add(
          alarm(
              scope,
              "StatusEventDeadLetterQueueAlarm",
              depth(events.deadLetterQueue(), max),
              "Status changes were not published: the status event dead-letter queue names their"
                  + " stream records (which the stream keeps for 24 hours)"));
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
      allowAlarmsToUseTopicKey(scope, topic, key);
    }
    return alarms;
  }

  /**
   * CloudWatch publishes an alarm to a topic encrypted with a customer managed key only if the key
   * policy lets {@code cloudwatch.amazonaws.com} use the key (Amazon SNS developer guide, "Enable
   * compatibility between event sources from AWS services and encrypted topics": {@code
   * kms:GenerateDataKey*} and {@code kms:Decrypt}, with {@code aws:SourceAccount} and {@code
   * aws:SourceArn} against the confused deputy, which the CloudWatch user guide says is the alarm's
   * ARN). Otherwise every notification is dropped, silently. The statement is added when the
   * topic's key is {@code encryptionKey}; for any other key, this construct's to change or not, a
   * warning gives the statement to add.
   */
  static void allowAlarmsToUseTopicKey(Construct scope, ITopic topic, IKey key) {
    IKey topicKey = topic.getMasterKey();
    if (topicKey == null) {
      return;
    }
    Stack stack = Stack.of(scope);
    String alarms =
        stack.formatArn(
            ArnComponents.builder()
                .service("cloudwatch")
                .resource("alarm")
                .resourceName("*")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    boolean ours = key != null && key.getNode().getPath().equals(topicKey.getNode().getPath());
    if (ours
        && topicKey
            .addToResourcePolicy(
                PolicyStatement.Builder.create()
                    .sid(ALARMS_SID)
                    .principals(List.of(new ServicePrincipal(CLOUDWATCH)))
                    .actions(ALARMS_ACTIONS)
                    .resources(List.of("*"))
                    .conditions(
                        new TreeMap<>(
                            Map.of(
                                "StringEquals",
                                Map.of("aws:SourceAccount", stack.getAccount()),
                                "ArnLike",
                                Map.of("aws:SourceArn", alarms))))
                    .build())
            .getStatementAdded()) {
      return;
    }
    Annotations.of(scope)
        .addWarningV2(
            TOPIC_KEY_WARNING,
            "alarmTopic is encrypted with the KMS key "
                + topicKey.getNode().getPath()
                + (Token.isUnresolved(topicKey.getKeyArn())
                    ? ""
                    : " (" + topicKey.getKeyArn() + ")")
                + ", whose key policy this construct does not change: CloudWatch cannot publish"
                + " the alarms to the topic until that key policy has the statement"
                + " {\"Sid\": \""
                + ALARMS_SID
                + "\", \"Effect\": \"Allow\", \"Principal\": {\"Service\": \""
                + CLOUDWATCH
                + "\"}, \"Action\": [\""
                + String.join("\", \"", ALARMS_ACTIONS)
                + "\"], \"Resource\": \"*\", \"Condition\": {\"StringEquals\":"
                + " {\"aws:SourceAccount\": \""
                + shown(stack.getAccount(), "<account>")
                + "\"}, \"ArnLike\": {\"aws:SourceArn\": \"arn:"
                + shown(stack.getPartition(), "<partition>")
                + ":cloudwatch:"
                + shown(stack.getRegion(), "<region>")
                + ":"
                + shown(stack.getAccount(), "<account>")
                + ":alarm:*\"}}}");
  }

  private static String shown(String value, String placeholder) {
    return Token.isUnresolved(value) ? placeholder : value;
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
