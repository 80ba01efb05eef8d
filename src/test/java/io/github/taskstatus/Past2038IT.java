package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The whole local cloud, Lambda JVMs included, on a clock set past 2038-01-19 (libfaketime), with
 * the longest retention: Unix seconds no longer fit the 32-bit integers of {@code States.MathAdd},
 * which the local interpreter refuses as Step Functions does. Direct and queued starts, a failure,
 * a collision and a timeout that only the reconciler sees must all end in their own final item,
 * with an expiry after the latest end.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Past2038IT {
  /** 2039-06-01T00:00:00Z. */
  private static final Instant CLOCK = Instant.parse("2039-06-01T00:00:00Z");

  private static final long INT32_MAX = Integer.MAX_VALUE;
  private static final long TIMEOUT_SECONDS = 6;
  private static final long RETENTION_SECONDS = 3653L * 86_400;

  private static LocalCloud cloud;

  /**
   * Queue mode, the longest retention, and work that depends on the task: {@code Slow} outlasts the
   * timeout, {@code Burnt} fails, {@code Overflow} adds to its timestamp as a careless work would,
   * anything else cooks for a second.
   */
  private static Synth stack() {
    return Synth.workflowWith(
        stack ->
            TaskStatusWorkflowProps.builder()
                .queue(true)
                .retention(Duration.days(3653))
                .timeout(Duration.seconds(TIMEOUT_SECONDS))
                .work(work(stack)));
  }

  private static Choice work(Stack stack) {
    return Choice.Builder.create(stack, "Menu")
        .build()
        .when(
            Condition.stringEquals("$.taskId", "Slow"),
            Wait.Builder.create(stack, "Simmer")
                .time(WaitTime.duration(Duration.minutes(5)))
                .build())
        .when(Condition.stringEquals("$.taskId", "Burnt"), Synth.failingWork(stack))
        .when(
            Condition.stringEquals("$.taskId", "Overflow"),
            Pass.Builder.create(stack, "NextSecond")
                .parameters(Map.of("next", JsonPath.mathAdd(JsonPath.numberAt("$.timestamp"), 1)))
                .build())
        .otherwise(
            Wait.Builder.create(stack, "Cook")
                .time(WaitTime.duration(Duration.seconds(1)))
                .build());
  }

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.start(
            stack(),
            "--clock",
            CLOCK.toString(),
            "--fault",
            // The first start meets another start's item at its timestamp.
            "RecordStarted=AnotherStart:1");
  }

  @AfterAll
  static void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  /** The start's own item once final, checked for a timestamp and an expiry past 2038. */
  private static Map<String, AttributeValue> finalItem(String taskId, String executionArn) {
    cloud.awaitQuiet();
    List<Map<String, AttributeValue>> own = cloud.itemsOf(taskId, executionArn);
    assertThat(own).hasSize(1);
    Map<String, AttributeValue> item = own.get(0);
    BigDecimal timestamp = new BigDecimal(item.get("timestamp").n());
    assertThat(timestamp.longValue()).isGreaterThan(INT32_MAX);
    assertThat(Instant.ofEpochSecond(timestamp.longValue())).isAfter(CLOCK);
    assertThat(Long.parseLong(item.get("ExpiresAt").n()))
        .as("the latest end (start + timeout) plus ten years")
        .isEqualTo(
            new BigDecimal(
                        item.containsKey("RequestedTimestamp")
                            ? item.get("RequestedTimestamp").n()
                            : item.get("timestamp").n())
                    .setScale(0, RoundingMode.FLOOR)
                    .longValue()
                + TIMEOUT_SECONDS
                + RETENTION_SECONDS);
    return item;
  }

  @Test
  @Order(1)
  void aTimedOutStartThatMovedPastACollisionIsFoundAndMarkedByTheReconciler() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Slow\"}");
    assertThat(started.failed()).isFalse();

    Map<String, AttributeValue> item = finalItem("Slow", started.executionArn());

    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo("States.Timeout");
    assertThat(item.get("RequestedTimestamp").n()).isEqualTo(started.timestamp());
    assertThat(new BigDecimal(item.get("timestamp").n()))
        .isEqualByComparingTo(
            new BigDecimal(started.timestamp())
                .setScale(0, RoundingMode.FLOOR)
                .add(BigDecimal.ONE));
    assertThat(cloud.execution(started.executionArn()).get("status").asText())
        .isEqualTo("TIMED_OUT");
  }

  @Test
  @Order(2)
  void aDirectStartEndsDone() {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"Breakfast\"}");

    assertThat(finalItem("Breakfast", started.executionArn()).get("Status").s()).isEqualTo("DONE");
  }

  @Test
  @Order(3)
  void aQueuedStartEndsDone() {
    cloud.sqs.sendMessage(
        b -> b.queueUrl(cloud.queueUrl("TasksQueue")).messageBody("{\"taskId\":\"Queued\"}"));

    Map<String, AttributeValue> item =
        LocalCloud.poll(
                () -> cloud.items("Queued"),
                items -> items.size() == 1 && items.get(0).get("Status").s().equals("DONE"),
                "the queued task's item")
            .get(0);
    assertThat(finalItem("Queued", item.get("ExecutionArn").s()).get("Status").s())
        .isEqualTo("DONE");
  }

  /** Starts a task directly and returns its final item, which must be FAILED with {@code error}. */
  private static Map<String, AttributeValue> failed(String taskId, String error) {
    LocalCloud.Invocation started = cloud.invoke("{\"taskId\":\"" + taskId + "\"}");
    Map<String, AttributeValue> item = finalItem(taskId, started.executionArn());
    assertThat(item.get("Status").s()).isEqualTo("FAILED");
    assertThat(item.get("Error").s()).isEqualTo(error);
    return item;
  }

  @Test
  @Order(4)
  void workThatFailsEndsFailedWithItsError() {
    failed("Burnt", "OvenOnFire");
  }

  @Test
  @Order(5)
  void workThatAddsToAUnixTimeFailsAsOnAwsAndTheReconcilerRecordsIt() {
    assertThat(failed("Overflow", "States.Runtime").get("Cause").s())
        .contains("States.MathAdd")
        .contains("2147483647");
  }
}
