package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The CloudWatch dashboard, with {@code dashboard}: the tasks, how long they take, the starter, the
 * queues and the reconciler, each graph over 5-minute periods.
 */
final class TaskStatusDashboard {
  static final Duration PERIOD = Duration.minutes(5);

  private TaskStatusDashboard() {}

  static Dashboard create(Construct scope, TaskStatusMetrics metrics) {
    TaskQueues queues = metrics.queues();
    IQueue starterDeadLetters = metrics.starterDeadLetters();
    TaskStatusReconciler reconciler = metrics.reconciler();
    MetricOptions max = options("Maximum", null);
    List<List<IWidget>> rows = new ArrayList<>();
    rows.add(
        List.of(
            TextWidget.Builder.create()
                .width(24)
                .height(2)
                .markdown(
                    "# Tasks\n"
                        + "One execution per task start; the table holds the status of each.")
                .build()));
    rows.add(
        List.of(
            graph(
                "Tasks",
                12,
                metrics.tasksStarted(options("Sum", "Started")),
                metrics.tasksSucceeded(options("Sum", "Succeeded (DONE)")),
                metrics.tasksFailed(options("Sum", "Failed (FAILED)")),
                metrics.tasksTimedOut(options("Sum", "Timed out")),
                metrics.tasksAborted(options("Sum", "Aborted"))),
            graph(
                "Task duration (ms)",
                12,
                metrics.taskDuration(options("p50", "p50")),
                metrics.taskDuration(options("p99", "p99")))));
    rows.add(
        List.of(
            graph(
                "Starter errors and throttles",
                8,
                metrics.starterErrors(options("Sum", "Errors")),
                metrics.starterThrottles(options("Sum", "Throttles")),
                metrics.executionsThrottled(options("Sum", "StartExecution throttled"))),
            graph(
                "Starter duration (ms)",
                8,
                metrics.starterDuration(options("p50", "p50")),
                metrics.starterDuration(options("p99", "p99"))),
            graph(
                "Starter dead letters",
                8,
                starterDeadLetters.metricApproximateNumberOfMessagesVisible(
                    options("Maximum", "Failed asynchronous starts")))));
    List<IWidget> queueRow = new ArrayList<>();
    if (queues.queue() != null) {
      queueRow.add(
          graph(
              "Queue depth",
              8,
              queues
                  .queue()
                  .metricApproximateNumberOfMessagesVisible(options("Maximum", "Waiting")),
              queues
                  .queue()
                  .metricApproximateNumberOfMessagesNotVisible(
                      options("Maximum", "Being started"))));
      queueRow.add(
          graph(
              "Oldest task in the queue (s)",
              8,
              queues.queue().metricApproximateAgeOfOldestMessage(max)));
      if (queues.deadLetterQueue() != null) {
        queueRow.add(
            graph(
                "Queue dead letters",
                8,
                queues
                    .deadLetterQueue()
                    .metricApproximateNumberOfMessagesVisible(options("Maximum", "Not started"))));
      }
      rows.add(queueRow);
    }
    if (reconciler != null) {
      rows.add(
          List.of(
              graph(
                  "Reconciler",
                  12,
                  reconciler
                      .stateMachine()
                      .metricStarted(options("Sum", "Ended executions reconciled")),
                  reconciler.stateMachine().metricFailed(options("Sum", "Reconciliations failed"))),
              graph(
                  "Reconciler dead letters",
                  12,
                  reconciler
                      .deadLetterQueue()
                      .metricApproximateNumberOfMessagesVisible(
                          options("Maximum", "Not reconciled")))));
    }
    Dashboard dashboard = Dashboard.Builder.create(scope, "Dashboard").build();
    rows.forEach(row -> dashboard.addWidgets(row.toArray(IWidget[]::new)));
    return dashboard;
  }

  private static GraphWidget graph(String title, int width, IMetric... metrics) {
    return GraphWidget.Builder.create()
        .title(title)
        .width(width)
        .height(6)
        .left(List.of(metrics))
        .build();
  }

  private static MetricOptions options(String statistic, String label) {
    return MetricOptions.builder().period(PERIOD).statistic(statistic).label(label).build();
  }
}
