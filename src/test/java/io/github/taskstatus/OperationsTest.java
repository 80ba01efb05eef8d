package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.LogLevel;

/** Logs, traces, alarms and metrics. */
class OperationsTest {
  private static final Synth DEFAULT = Synth.workflow(null);

  private static JsonNode logGroup(Synth synth, String logicalIdPrefix) {
    for (var e : synth.resources().properties()) {
      if (e.getKey().startsWith(logicalIdPrefix)) {
        return e.getValue();
      }
    }
    throw new AssertionError("no " + logicalIdPrefix);
  }

  private static List<JsonNode> alarms(Synth synth) {
    List<JsonNode> alarms = new ArrayList<>();
    synth
        .resources()
        .forEach(
            r -> {
              if (r.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                alarms.add(r.get("Properties"));
              }
            });
    return alarms;
  }

  @Test
  void theStateMachineLogsAllEventsWithoutExecutionDataToAVendedLogsGroup() {
    JsonNode machine =
        DEFAULT.only("AWS::StepFunctions::StateMachine", "TasksStateMachine").get("Properties");

    assertThat(machine.get("LoggingConfiguration"))
        .isEqualTo(
            Synth.parse(
                """
        {"Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn":
            {"Fn::GetAtt": ["TasksStateMachineLogs658A723A", "Arn"]}}}],
         "IncludeExecutionData": false, "Level": "ALL"}"""));
    JsonNode group = logGroup(DEFAULT, "TasksStateMachineLogs");
    assertThat(group.at("/Properties/LogGroupName").asText())
        .isEqualTo("/aws/vendedlogs/states/TestTasks4E3E2E29");
    assertThat(group.at("/Properties/RetentionInDays").asInt()).isEqualTo(90);
    assertThat(group.get("DeletionPolicy").asText()).isEqualTo("Delete");
  }

  @Test
  void logLevelRetentionAndExecutionDataAreConfigurable() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .logLevel(LogLevel.ERROR)
                .logRetention(RetentionDays.ONE_WEEK)
                .includeExecutionData(true)
                .build());

    JsonNode logging =
        synth
            .only("AWS::StepFunctions::StateMachine", "TasksStateMachine")
            .at("/Properties/LoggingConfiguration");
    assertThat(logging.get("Level").asText()).isEqualTo("ERROR");
    assertThat(logging.get("IncludeExecutionData").asBoolean()).isTrue();
    assertThat(logGroup(synth, "TasksStateMachineLogs").at("/Properties/RetentionInDays").asInt())
        .isEqualTo(7);
    assertThat(logGroup(synth, "TasksStarterLogs").at("/Properties/RetentionInDays").asInt())
        .isEqualTo(7);
  }

  @Test
  void theStarterLogsJsonToItsOwnGroupWithTheSameRetention() {
    JsonNode fn = DEFAULT.only("AWS::Lambda::Function").get("Properties");

    assertThat(fn.get("LoggingConfig"))
        .isEqualTo(
            Synth.parse(
                """
        {"LogFormat": "JSON", "LogGroup": {"Ref": "TasksStarterLogsE8868112"}}"""));
    JsonNode group = logGroup(DEFAULT, "TasksStarterLogs");
    assertThat(group.at("/Properties/LogGroupName").asText())
        .isEqualTo("/aws/lambda/TestTasks4E3E2E29");
    assertThat(group.at("/Properties/RetentionInDays").asInt()).isEqualTo(90);
  }

  @Test
  void tracingIsOnByDefaultForBothAndCanBeTurnedOff() {
    assertThat(
            DEFAULT
                .only("AWS::StepFunctions::StateMachine", "TasksStateMachine")
                .at("/Properties/TracingConfiguration/Enabled")
                .asBoolean())
        .isTrue();
    assertThat(DEFAULT.only("AWS::Lambda::Function").at("/Properties/TracingConfig/Mode").asText())
        .isEqualTo("Active");

    Synth off = Synth.workflow(TaskStatusWorkflowProps.builder().tracing(false).build());
    assertThat(
            off.only("AWS::StepFunctions::StateMachine", "TasksStateMachine")
                .at("/Properties/TracingConfiguration/Enabled")
                .asBoolean(false))
        .isFalse();
    assertThat(
            off.only("AWS::Lambda::Function")
                .at("/Properties/TracingConfig/Mode")
                .asText("PassThrough"))
        .isIn("PassThrough");
  }

  @Test
  void alarmsWatchExecutionsTheStarterTheReconcilerAndEveryDeadLetterQueueWithAThresholdOfOne() {
    List<JsonNode> alarms = alarms(DEFAULT);

    assertThat(alarms)
        .extracting(
            a ->
                a.get("Namespace").asText()
                    + "/"
                    + a.get("MetricName").asText()
                    + "/"
                    + a.get("Statistic").asText())
        .containsExactly(
            "AWS/States/ExecutionsFailed/Sum",
            "AWS/States/ExecutionsTimedOut/Sum",
            "AWS/States/ExecutionsAborted/Sum",
            "AWS/States/ExecutionThrottled/Sum",
            "AWS/Lambda/Errors/Sum",
            "AWS/Lambda/Throttles/Sum",
            "AWS/SQS/ApproximateNumberOfMessagesVisible/Maximum",
            "AWS/States/ExecutionsFailed/Sum",
            "AWS/SQS/ApproximateNumberOfMessagesVisible/Maximum",
            "AWS/Events/FailedInvocations/Sum",
            "AWS/States/ExecutionsFailed/Sum",
            "AWS/States/ExecutionsTimedOut/Sum",
            "AWS/Events/FailedInvocations/Sum");
    assertThat(alarms)
        .allSatisfy(
            a -> {
              assertThat(a.get("Threshold").asDouble()).isEqualTo(1.0);
              assertThat(a.get("ComparisonOperator").asText())
                  .isEqualTo("GreaterThanOrEqualToThreshold");
              assertThat(a.get("EvaluationPeriods").asInt()).isEqualTo(1);
              assertThat(a.get("Period").asInt()).isEqualTo(300);
              assertThat(a.get("TreatMissingData").asText()).isEqualTo("notBreaching");
              assertThat(a.has("AlarmActions")).isFalse();
            });
    assertThat(alarms.get(7).get("Dimensions"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Name": "StateMachineArn", "Value": {"Ref": "TasksReconcilerDCFA3312"}}]"""));
    assertThat(alarms.get(9).get("Dimensions"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Name": "RuleName", "Value": {"Ref": "TasksReconcileRule7454E55A"}}]"""));
    assertThat(alarms.get(0).get("Dimensions"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Name": "StateMachineArn", "Value": {"Ref": "TasksStateMachineA4CB7752"}}]"""));
    assertThat(alarms.get(4).get("Dimensions"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Name": "FunctionName", "Value": {"Ref": "TasksStarter986E6848"}}]"""));
  }

  @Test
  void everyAlarmNotifiesTheAlarmTopic() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().alarmTopic(new Topic(stack, "Ops")));

    assertThat(alarms(synth))
        .hasSize(13)
        .allSatisfy(
            a ->
                assertThat(a.get("AlarmActions"))
                    .isEqualTo(
                        Synth.parse(
                            "[{\"Ref\": \"OpsD4F9A0B2\"}]"
                                .replace("OpsD4F9A0B2", synth.logicalId("AWS::SNS::Topic")))));
  }

  @Test
  void alarmsCanBeTurnedOff() {
    Synth synth = Synth.workflow(TaskStatusWorkflowProps.builder().alarms(false).build());

    synth.template.resourceCountIs("AWS::CloudWatch::Alarm", 0);
  }

  @Test
  void theAlarmGetterReturnsThemInOrder() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
          assertThat(workflow.getAlarms())
              .extracting(a -> a.getNode().getId())
              .containsExactly(
                  "ExecutionsFailedAlarm",
                  "ExecutionsTimedOutAlarm",
                  "ExecutionsAbortedAlarm",
                  "ExecutionsThrottledAlarm",
                  "StarterErrorsAlarm",
                  "StarterThrottlesAlarm",
                  "StarterDeadLetterQueueAlarm",
                  "ReconcilerFailedAlarm",
                  "ReconcilerDeadLetterQueueAlarm",
                  "ReconcileRuleFailedAlarm",
                  "SweeperFailedAlarm",
                  "SweeperTimedOutAlarm",
                  "SweepScheduleFailedAlarm");
          TaskStatusWorkflow quiet =
              new TaskStatusWorkflow(
                  stack, "Quiet", TaskStatusWorkflowProps.builder().alarms(false).build());
          assertThat(quiet.getAlarms()).isEmpty();
        });
  }

  @Test
  void metricsNameTheStateMachineAndStarterMetrics() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow = new TaskStatusWorkflow(stack, "Tasks");
          assertMetric(workflow.metricTasksStarted(), "AWS/States", "ExecutionsStarted", "Sum");
          assertMetric(workflow.metricTasksSucceeded(), "AWS/States", "ExecutionsSucceeded", "Sum");
          assertMetric(workflow.metricTasksFailed(), "AWS/States", "ExecutionsFailed", "Sum");
          assertMetric(workflow.metricTasksTimedOut(), "AWS/States", "ExecutionsTimedOut", "Sum");
          assertMetric(workflow.metricTaskDuration(), "AWS/States", "ExecutionTime", "Average");
          assertMetric(workflow.metricStarterErrors(), "AWS/Lambda", "Errors", "Sum");
          Metric hourly =
              workflow.metricTasksFailed(
                  MetricOptions.builder().period(Duration.hours(1)).statistic("Maximum").build());
          assertThat(hourly.getPeriod().toSeconds()).isEqualTo(3600);
          assertThat(hourly.getStatistic()).isEqualTo("Maximum");
        });
  }

  private static void assertMetric(Metric metric, String namespace, String name, String statistic) {
    assertThat(metric.getNamespace()).isEqualTo(namespace);
    assertThat(metric.getMetricName()).isEqualTo(name);
    assertThat(metric.getStatistic()).isEqualTo(statistic);
    assertThat(metric.getPeriod().toSeconds()).isEqualTo(300);
    assertThat(metric.getDimensions()).hasSize(1);
  }
}
