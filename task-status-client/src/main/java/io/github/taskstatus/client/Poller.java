package io.github.taskstatus.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls an item until it is the answer (its status final, for the attempt awaited), with
 * exponential backoff: the first pause is the initial interval, each next one twice the last, up to
 * the maximum. Deadlines use the monotonic {@link System#nanoTime()}, never the client's (possibly
 * fixed) wall clock; the last read happens at the deadline, so a task that finishes just in time is
 * still seen.
 */
final class Poller {
  private final long initialNanos;
  private final long maxNanos;

  Poller(Duration initial, Duration max) {
    this.initialNanos = saturatedNanos(initial);
    this.maxNanos = saturatedNanos(max);
  }

  /**
   * Reads the item until it is the answer.
   *
   * @param taskId the task, for the exception
   * @param timeout how long to keep reading
   * @param read the current item, if any
   * @param answers whether an item read is the answer: final, and written by the attempt awaited
   * @param onRead given each item read, the answer included, before it is tested
   * @param describeTimeout the timeout message, given the last item read
   * @return the item that is the answer
   * @throws TaskAwaitTimeoutException when the time is up
   * @throws TaskStatusException when interrupted (the thread's interrupt flag is kept)
   */
  TaskRecord until(
      String taskId,
      Duration timeout,
      Supplier<Optional<TaskRecord>> read,
      Predicate<TaskRecord> answers,
      Consumer<TaskRecord> onRead,
      Function<Optional<TaskRecord>, String> describeTimeout) {
    long start = System.nanoTime();
    long budget = saturatedNanos(timeout);
    long pause = initialNanos;
    while (true) {
      Optional<TaskRecord> seen = read.get();
      seen.ifPresent(onRead);
      if (seen.isPresent() && answers.test(seen.get())) {
        return seen.get();
      }
      long left = budget - (System.nanoTime() - start);
      if (left <= 0) {
        throw new TaskAwaitTimeoutException(
            describeTimeout.apply(seen), taskId, timeout, seen.orElse(null));
      }
      sleep(Math.min(pause, left), taskId);
      pause = pause > maxNanos / 2 ? maxNanos : pause * 2;
    }
  }

  private static void sleep(long nanos, String taskId) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskStatusException("interrupted while waiting for task '" + taskId + "'", e);
    }
  }

  /** The duration in nanoseconds, or {@link Long#MAX_VALUE} for one too long to count so. */
  private static long saturatedNanos(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
