package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The record's constructors: the canonical one checks its values and copies the attempts, the
 * earlier one still works. {@link TaskProgress} checks its percentage.
 */
class TaskRecordTest {
  private static final BigDecimal TIMESTAMP = new BigDecimal("1795617326.12345");
  private static final Instant UPDATED = Instant.parse("2026-11-25T14:35:27Z");
  private static final String ARN = Items.ARN_PREFIX + "x";

  @Test
  void theConstructorWithoutAttemptDeadlineAndHistoryMakesAFirstAttemptWithoutThem() {
    TaskRecord record =
        new TaskRecord(
            "Breakfast",
            TIMESTAMP,
            TaskStatus.DONE,
            UPDATED,
            ARN,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    assertThat(record.redriveCount()).isZero();
    assertThat(record.deadline()).isEmpty();
    assertThat(record.attempts()).isEmpty();
    assertThat(record.progress()).isEmpty();
    assertThat(record)
        .isEqualTo(
            new TaskRecord(
                "Breakfast",
                TIMESTAMP,
                TaskStatus.DONE,
                UPDATED,
                ARN,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                0,
                Optional.empty(),
                List.of(),
                Optional.empty()));
  }

  @Test
  void aNegativeRedriveCountOrAMissingDeadlineIsRefused() {
    assertThatThrownBy(() -> record(-1, Optional.empty(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("redriveCount must not be negative, got -1");
    assertThatThrownBy(() -> record(0, null, List.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("deadline");
  }

  @Test
  void missingProgressIsRefused() {
    assertThatThrownBy(
            () ->
                new TaskRecord(
                    "Breakfast",
                    TIMESTAMP,
                    TaskStatus.STARTED,
                    UPDATED,
                    ARN,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    0,
                    Optional.empty(),
                    List.of(),
                    null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("progress");
  }

  @Test
  void theAttemptsAreAnUnmodifiableCopy() {
    TaskAttempt first = new TaskAttempt(0, TaskStatus.FAILED, UPDATED, Optional.of("Boom"));
    List<TaskAttempt> attempts = new ArrayList<>(List.of(first));

    TaskRecord record = record(0, Optional.empty(), attempts);
    attempts.add(new TaskAttempt(1, TaskStatus.DONE, UPDATED, Optional.empty()));

    assertThat(record.attempts()).containsExactly(first);
    assertThatThrownBy(() -> record.attempts().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void missingAttemptsOrANullAttemptIsRefused() {
    assertThatThrownBy(() -> record(0, Optional.empty(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("attempts");
    assertThatThrownBy(() -> record(0, Optional.empty(), Arrays.asList((TaskAttempt) null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("attempts element");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 101})
  void aProgressOutsideZeroToHundredIsRefused(int percent) {
    assertThatThrownBy(() -> new TaskProgress(percent, Optional.empty(), UPDATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percent must be from 0 to 100, got " + percent);
  }

  @Test
  void aProgressOfZeroOrHundredIsMade() {
    assertThat(new TaskProgress(0, Optional.empty(), UPDATED).percent()).isZero();
    assertThat(new TaskProgress(100, Optional.of("done"), UPDATED).message()).contains("done");
    assertThatThrownBy(() -> new TaskProgress(50, null, UPDATED))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("message");
    assertThatThrownBy(() -> new TaskProgress(50, Optional.empty(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("at");
  }

  private static TaskRecord record(
      int redriveCount, Optional<Instant> deadline, List<TaskAttempt> attempts) {
    return new TaskRecord(
        "Breakfast",
        TIMESTAMP,
        TaskStatus.FAILED,
        UPDATED,
        ARN,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        redriveCount,
        deadline,
        attempts,
        Optional.empty());
  }
}
