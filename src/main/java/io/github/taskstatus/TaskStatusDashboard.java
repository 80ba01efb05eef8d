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
import software.constructs.Construct;

/**
 * The CloudWatch dashboard, with {@code dashboard}: the tasks, how long they take, the starter, the
 * queues and the reconciler, each graph over 5-minute periods.
 */
final class TaskStatusDashboard {
  static final Duration PERIOD = Duration.minutes(5);

  private TaskStatusDashboard() {}

  static Dashboard create(Construct scope, TaskStatusMetrics metrics) {
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
    rows.add(taskRow(metrics));
    rows.add(starterRow(metrics));
    if (metrics.queues().queue() != null) {
      rows.add(queueRow(metrics.queues()));
    }
    if (metrics.reconciler() != null) {
      rows.add(reconcilerRow(metrics.reconciler()));
    }
    Dashboard dashboard = Dashboard.Builder.create(scope, "Dashboard").build();
    rows.forEach(row -> dashboard.addWidgets(row.toArray(IWidget[]::new)));
    return dashboard;
  }

  private static List<IWidget> taskRow(TaskStatusMetrics metrics) {
    return List.of(
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
            metrics.taskDuration(options("p99", "p99"))));
  }

  private static List<IWidget> starterRow(TaskStatusMetrics metrics) {
    return List.of(
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
            metrics
                .starterDeadLetters()
                .metricApproximateNumberOfMessagesVisible(
                    options("Maximum", "Failed asynchronous starts"))));
  }

  private static List<IWidget> queueRow(TaskQueues queues) {
    List<IWidget> row = new ArrayList<>();
    row.add(
        graph(
            "Queue depth",
            8,
            queues.queue().metricApproximateNumberOfMessagesVisible(options("Maximum", "Waiting")),
            queues
                .queue()
                .metricApproximateNumberOfMessagesNotVisible(options("Maximum", "Being started"))));
    row.add(
        graph(
            "Oldest task in the queue (s)",
            8,
            queues.queue().metricApproximateAgeOfOldestMessage(options("Maximum", null))));
    if (queues.deadLetterQueue() != null) {
      row.add(
          graph(
              "Queue dead letters",
              8,
              queues
                  .deadLetterQueue()
                  .metricApproximateNumberOfMessagesVisible(options("Maximum", "Not started"))));
    }
    return row;
  }

  private static List<IWidget> reconcilerRow(TaskStatusReconciler reconciler) {
    return List.of(
        graph(
            "Reconciler",
            12,
            reconciler.stateMachine().metricStarted(options("Sum", "Ended executions reconciled")),
            reconciler.stateMachine().metricFailed(options("Sum", "Reconciliations failed"))),
        graph(
            "Reconciler dead letters",
            12,
            reconciler
                .deadLetterQueue()
                .metricApproximateNumberOfMessagesVisible(options("Maximum", "Not reconciled"))));
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
