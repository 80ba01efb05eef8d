package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * Bad props make the constructor throw, with a message naming the prop, the value and what is
 * allowed, durations as people write them next to their seconds.
 */
class ValidationTest {

  /** Props built in the stack they are synthesized in (some need constructs of their own). */
  private interface Props extends Function<Stack, TaskStatusWorkflowProps> {}

  /** The one helper for invalid props: synth fails, listing every expected problem. */
  static void assertInvalid(Props props, String... problems) {
    assertThatThrownBy(
            () -> Synth.stack(stack -> new TaskStatusWorkflow(stack, "Tasks", props.apply(stack))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid TaskStatusWorkflow props:\n - ")
        .hasMessageContainingAll(problems);
  }

  private static Arguments invalid(String name, Props props, String... problems) {
    return Arguments.of(name, props, problems);
  }

  private static TaskStatusWorkflowProps.Builder props() {
    return TaskStatusWorkflowProps.builder();
  }

  private static TaskStatusWorkflowProps queueOptions(TaskQueueOptions.Builder options) {
    return props().queueOptions(options.build()).build();
  }

  static Stream<Arguments> invalidProps() {
    return Stream.of(
        invalid(
            "waitDuration fraction",
            s -> props().waitDuration(Duration.millis(1500)).build(),
            "waitDuration must be whole seconds from 1 s to 364 days 23 h 59 min 50 s (31535990 s):"
                + " STANDARD executions last at most 365 days (31536000 s), less 10 s for the"
                + " DynamoDB steps; got 1.5 s"),
        invalid(
            "waitDuration zero",
            s -> props().waitDuration(Duration.seconds(0)).build(),
            "waitDuration must be whole seconds from 1 s to 364 days 23 h 59 min 50 s (31535990 s)",
            "; got 0 s"),
        invalid(
            "waitDuration over a year",
            s -> props().waitDuration(Duration.days(366)).build(),
            "waitDuration must be whole seconds from 1 s to 364 days 23 h 59 min 50 s (31535990 s)",
            "; got 366 days (31622400 s)"),
        invalid(
            "waitDuration over Express",
            s ->
                props()
                    .stateMachineType(StateMachineType.EXPRESS)
                    .waitDuration(Duration.minutes(5))
                    .build(),
            "waitDuration must be whole seconds from 1 s to 4 min 50 s (290 s): EXPRESS"
                + " executions last at most 5 min (300 s), less 10 s for the DynamoDB steps; got 5"
                + " min (300 s)"),
        invalid(
            "timeout shorter than the wait",
            s -> props().waitDuration(Duration.seconds(60)).timeout(Duration.seconds(65)).build(),
            "timeout must be whole seconds from 1 min 10 s (70 s) to 365 days (31536000 s): at"
                + " least 10 s more than the wait of 1 min (60 s), at most what STANDARD"
                + " executions may last; got 1 min 5 s (65 s)"),
        invalid(
            "Express timeout",
            s ->
                props()
                    .stateMachineType(StateMachineType.EXPRESS)
                    .timeout(Duration.minutes(6))
                    .build(),
            "timeout must be whole seconds from 40 s to 5 min (300 s): at least 10 s more than the"
                + " wait of 30 s, at most what EXPRESS executions may last; got 6 min (360 s)"),
        invalid(
            "work and waitDuration",
            s ->
                props()
                    .work(Pass.Builder.create(s, "Cook").build())
                    .waitDuration(Duration.seconds(5))
                    .build(),
            "work and waitDuration cannot both be set"),
        invalid(
            "existingTable and removalPolicy",
            s ->
                props()
                    .existingTable(Table.fromTableName(s, "Existing", "mine"))
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build(),
            "existingTable cannot be combined with tableName or removalPolicy"),
        invalid(
            "tableName",
            s -> props().tableName("no spaces!").build(),
            "tableName must be 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.'; got"
                + " 'no spaces!'"),
        invalid(
            "every problem at once",
            s ->
                props()
                    .tableName("x")
                    .waitDuration(Duration.millis(10))
                    .timeout(Duration.millis(20))
                    .build(),
            "tableName must be",
            "waitDuration must be",
            "timeout must be"),
        invalid(
            "alarmTopic without alarms",
            s -> props().alarms(false).alarmTopic(new Topic(s, "Ops")).build(),
            "alarmTopic needs alarms: alarms is false"),
        invalid(
            "execution data without logs",
            s -> props().logLevel(LogLevel.OFF).includeExecutionData(true).build(),
            "includeExecutionData needs logging: logLevel is OFF"),
        invalid(
            "retention under an hour",
            s -> props().retention(Duration.minutes(30)).build(),
            "retention must be whole seconds from 1 h (3600 s) to 3653 days (315619200 s): 1 hour"
                + " to 10 years, leap days included; got 30 min (1800 s)"),
        invalid(
            "retention over 10 years",
            s -> props().retention(Duration.days(3654)).build(),
            "retention must be whole seconds from 1 h (3600 s) to 3653 days (315619200 s)",
            "; got 3654 days (315705600 s)"),
        invalid(
            "sweepInterval under a minute",
            s -> props().sweepInterval(Duration.seconds(30)).build(),
            "sweepInterval must be whole seconds from 1 min (60 s) to 1 day (86400 s): whole"
                + " minutes, 1 minute to 1 day; got 30 s"),
        invalid(
            "sweepInterval not whole minutes",
            s -> props().sweepInterval(Duration.seconds(90)).build(),
            "sweepInterval must be whole minutes: a rate schedule's unit; got 1 min 30 s (90 s)"),
        invalid(
            "sweepInterval without the sweeper",
            s -> props().sweeper(false).sweepInterval(Duration.minutes(10)).build(),
            "sweepInterval needs the sweeper: sweeper is false"),
        invalid(
            "batchSize over 10",
            s -> queueOptions(TaskQueueOptions.builder().batchSize(11)),
            "queueOptions.batchSize must be a whole number from 1 to 10: up to 130 with a"
                + " maxBatchingWindow; got 11"),
        invalid(
            "batchSize over what fits the starter's timeout",
            s ->
                queueOptions(
                    TaskQueueOptions.builder()
                        .batchSize(131)
                        .maxBatchingWindow(Duration.seconds(5))),
            "queueOptions.batchSize must be a whole number from 1 to 130 with a maxBatchingWindow:"
                + " a batch must fit the starter's 30 s timeout; got 131"),
        invalid(
            "maxBatchingWindow",
            s -> queueOptions(TaskQueueOptions.builder().maxBatchingWindow(Duration.minutes(6))),
            "queueOptions.maxBatchingWindow must be whole seconds from 0 s to 5 min (300 s); got 6"
                + " min (360 s)"),
        invalid(
            "maxConcurrency",
            s -> queueOptions(TaskQueueOptions.builder().maxConcurrency(1)),
            "queueOptions.maxConcurrency must be a whole number from 2 to 1000: the event source's"
                + " limits; got 1"),
        invalid(
            "maxReceiveCount",
            s -> queueOptions(TaskQueueOptions.builder().maxReceiveCount(0)),
            "queueOptions.maxReceiveCount must be a whole number from 1 to 1000; got 0"),
        invalid(
            "visibilityTimeout",
            s -> queueOptions(TaskQueueOptions.builder().visibilityTimeout(Duration.seconds(60))),
            "queueOptions.visibilityTimeout must be whole seconds from 3 min (180 s) to 12 h (43200"
                + " s): at least six times the starter's 30 s timeout; got 1 min (60 s)"),
        invalid(
            "retentionPeriod",
            s -> queueOptions(TaskQueueOptions.builder().retentionPeriod(Duration.days(15))),
            "queueOptions.retentionPeriod must be whole seconds from 1 min (60 s) to 14 days"
                + " (1209600 s); got 15 days (1296000 s)"),
        invalid(
            "queue false with options",
            s -> props().queue(false).queueOptions(TaskQueueOptions.builder().build()).build(),
            "queue is false, but existingQueue or queueOptions is set"),
        invalid(
            "existingQueue with queue settings",
            s ->
                props()
                    .existingQueue(new Queue(s, "Mine"))
                    .queueOptions(TaskQueueOptions.builder().maxReceiveCount(2).build())
                    .build(),
            "existingQueue cannot be combined with queueOptions.maxReceiveCount"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidProps")
  void badPropsAreRejectedNamingThePropTheValueAndWhatIsAllowed(
      String name, Props props, String[] problems) {
    assertInvalid(props, problems);
  }

  @Test
  void theTimeoutOfCustomWorkIsCheckedWithoutTalkOfAWait() {
    assertThatThrownBy(
            () ->
                Synth.stack(
                    stack ->
                        new TaskStatusWorkflow(
                            stack,
                            "Tasks",
                            props()
                                .work(Pass.Builder.create(stack, "Cook").build())
                                .timeout(Duration.seconds(0))
                                .build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid TaskStatusWorkflow props:\n - timeout must be whole seconds from 1 s to 365"
                + " days (31536000 s): at most what STANDARD executions may last; got 0 s");
  }

  @Test
  void tenYearsOfRetentionWrittenAsDaysWithLeapDaysAreAccepted() {
    assertThatNoException()
        .isThrownBy(() -> Synth.workflow(props().retention(Duration.days(3653)).build()));
  }

  @Test
  void durationsAreWrittenAsPeopleWriteThemNextToTheirSeconds() {
    assertThat(Settings.human(0)).isEqualTo("0 s");
    assertThat(Settings.human(1.5)).isEqualTo("1.5 s");
    assertThat(Settings.human(59)).isEqualTo("59 s");
    assertThat(Settings.human(60)).isEqualTo("1 min (60 s)");
    assertThat(Settings.human(3661)).isEqualTo("1 h 1 min 1 s (3661 s)");
    assertThat(Settings.human(86_400)).isEqualTo("1 day (86400 s)");
    assertThat(Settings.human(365 * 86_400)).isEqualTo("365 days (31536000 s)");
  }

  @Test
  void theDefaultWaitFitsBothWorkflowTypes() {
    assertThatNoException()
        .isThrownBy(
            () -> Synth.workflow(props().stateMachineType(StateMachineType.EXPRESS).build()));
  }

  @Test
  void unresolvedTokensAreNotValidated() {
    assertThatNoException()
        .isThrownBy(
            () ->
                Synth.workflow(
                    props()
                        .tableName(Lazy.string(() -> "resolved-later"))
                        .logRetention(RetentionDays.ONE_DAY)
                        .build()));
  }
}
