package io.github.taskstatus.starter;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Chooses each start's {@code timestamp}, the table's sort key: Unix seconds with five decimals,
 * the millisecond of the start followed by two random digits (for example {@code
 * 1795617326.12345}), so two starts of one task id get two items even within one second.
 *
 * <p>Within this execution environment the timestamps of one task id strictly increase (a start
 * that would repeat or precede the last one takes the next 10 µs step), so the starts of a batch
 * never collide. Across environments two starts collide only if they fall in the same millisecond
 * and draw the same two digits; the state machine then moves the later one on (see the README's
 * "The table"). Fifteen significant digits survive any JSON number handling intact.
 */
final class TaskTimestamps {
  /** Timestamps count in steps of 10 µs: five decimals. */
  static final int SCALE = 5;

  private static final int STEPS_PER_MILLI = 100;

  /** How long an environment remembers a task id's last timestamp. */
  private static final long MEMORY_STEPS = 60_000L * STEPS_PER_MILLI;

  private static final int FORGET_ABOVE = 10_000;

  /**
   * Random digits; SecureRandom, not a seeded generator, whose state would be the same in every
   * environment restored from one SnapStart snapshot.
   */
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Clock clock;
  private final ConcurrentMap<String, Long> last = new ConcurrentHashMap<>();

  TaskTimestamps(Clock clock) {
    this.clock = clock;
  }

  /** A timestamp for a new start of {@code taskId}, later than any earlier one here. */
  BigDecimal next(String taskId) {
    long now = clock.millis() * STEPS_PER_MILLI;
    long candidate = now + RANDOM.nextInt(STEPS_PER_MILLI);
    long chosen = last.merge(taskId, candidate, (before, mine) -> Math.max(before + 1, mine));
    if (last.size() > FORGET_ABOVE) {
      last.values().removeIf(steps -> steps < now - MEMORY_STEPS);
    }
    return BigDecimal.valueOf(chosen, SCALE);
  }
}
