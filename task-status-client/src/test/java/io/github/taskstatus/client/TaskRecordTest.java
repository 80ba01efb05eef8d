package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The record's constructors: the canonical one checks its values, the earlier one still works. */
class TaskRecordTest {
  private static final BigDecimal TIMESTAMP = new BigDecimal("1795617326.12345");
  private static final Instant UPDATED = Instant.parse("2026-11-25T14:35:27Z");
  private static final String ARN = Items.ARN_PREFIX + "x";

  @Test
  void theConstructorWithoutAttemptAndDeadlineMakesAFirstAttemptWithoutDeadline() {
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
                Optional.empty()));
  }

  @Test
  void aNegativeRedriveCountOrAMissingDeadlineIsRefused() {
    assertThatThrownBy(() -> record(-1, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("redriveCount must not be negative, got -1");
    assertThatThrownBy(() -> record(0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("deadline");
  }

  private static TaskRecord record(int redriveCount, Optional<Instant> deadline) {
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
        deadline);
  }
}
