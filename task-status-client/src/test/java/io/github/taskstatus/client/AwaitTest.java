package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code await(taskId)}: the task's latest start; {@link AwaitStartTest} follows one start. */
class AwaitTest extends ClientTest {
  @Test
  void awaitReturnsTheLatestStartOnceItIsFinal() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"))
        .putOnQuery(
            3, item("Breakfast", "1795617326.12345", "DONE", "2026-11-25T14:35:28.000Z", "x"));

    TaskRecord done = client.await("Breakfast", Duration.ofSeconds(5));

    assertThat(done.status()).isEqualTo(TaskStatus.DONE);
    assertThat(aws.requests("Query")).hasSize(3);
  }

  @Test
  void awaitAlsoEndsOnFailed() {
    aws.dynamoDb().put(Items.failed("Breakfast", "1795617326", "2026-11-25T14:35:28.000Z", "x"));

    assertThat(client.await("Breakfast", Duration.ZERO).error()).contains("States.TaskFailed");
  }

  @Test
  void awaitEndsOnCancelled() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"))
        .putOnQuery(
            2,
            Items.cancelled(
                "Breakfast", "1795617326.12345", "2026-11-25T14:35:28.000Z", "x", "no eggs"));

    TaskRecord cancelled = client.await("Breakfast", Duration.ofSeconds(5));

    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.error()).contains(TaskStatusClient.CANCELLED_ERROR);
    assertThat(cancelled.cause()).contains("no eggs");
    assertThat(aws.requests("Query")).hasSize(2);
  }

  @Test
  void awaitTimesOutNamingTheTaskAndItsLastStatus() {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"));
    long before = System.nanoTime();

    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(150)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class,
            e -> {
              assertThat(e.taskId()).isEqualTo("Breakfast");
              assertThat(e.timeout()).isEqualTo(Duration.ofMillis(150));
              assertThat(e.lastRecord()).map(TaskRecord::status).contains(TaskStatus.STARTED);
            })
        .hasMessage(
            "task 'Breakfast' did not finish within PT0.15S: its latest start"
                + " (timestamp 1795617326.12345, execution "
                + Items.ARN_PREFIX
                + "x) is still"
                + " STARTED");
    Duration waited = Duration.ofNanos(System.nanoTime() - before);
    assertThat(waited).isBetween(Duration.ofMillis(150), Duration.ofSeconds(2));
  }

  @Test
  void awaitTimesOutWhenTheTaskHasNoItem() {
    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(50)))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class, e -> assertThat(e.lastRecord()).isEmpty())
        .hasMessage(
            "task 'Breakfast' did not finish within PT0.05S: it has no item (not"
                + " started yet, or its items expired)");
  }

  @Test
  void aZeroTimeoutReadsOnce() {
    assertThatThrownBy(() -> client.await("Breakfast", Duration.ZERO))
        .isInstanceOf(TaskAwaitTimeoutException.class);
    assertThat(aws.requests("Query")).hasSize(1);
  }

  @Test
  void pausesBetweenReadsDoubleUpToTheMaximum() {
    try (TaskStatusClient slow =
        aws.client()
            .pollInterval(Duration.ofMillis(50))
            .maxPollInterval(Duration.ofSeconds(1))
            .build()) {
      // Reads at 0, 50, 150 and 350 ms, then the last one at the deadline, 400 ms.
      assertThatThrownBy(() -> slow.await("Breakfast", Duration.ofMillis(400)))
          .isInstanceOf(TaskAwaitTimeoutException.class);
    }
    assertThat(aws.requests("Query")).hasSizeBetween(4, 6);
  }

  @Test
  void anAwaitInterruptedWhilePausingStopsAndKeepsTheInterrupt() throws InterruptedException {
    aws.dynamoDb()
        .put(item("Breakfast", "1795617326.12345", "STARTED", "2026-11-25T14:35:26.200Z", "x"));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    try (TaskStatusClient patient =
        aws.client()
            .pollInterval(Duration.ofSeconds(10))
            .maxPollInterval(Duration.ofSeconds(10))
            .build()) {
      Thread waiter =
          new Thread(
              () -> {
                try {
                  patient.await("Breakfast", Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                  thrown.set(e);
                  stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
              });
      waiter.start();
      while (aws.requests("Query").isEmpty()) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      waiter.interrupt();
      waiter.join(5_000);
    }

    assertThat(thrown.get())
        .isExactlyInstanceOf(TaskStatusException.class)
        .hasMessage("interrupted while waiting for task 'Breakfast'");
    assertThat(stillInterrupted).isTrue();
  }
}
