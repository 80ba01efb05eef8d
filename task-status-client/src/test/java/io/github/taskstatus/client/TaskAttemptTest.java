package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The entry's constructor checks its values: an attempt that finished, 0 or later. */
class TaskAttemptTest {
  private static final Instant AT = Instant.parse("2026-11-25T14:35:27.123Z");

  @Test
  void anAttemptThatFinishedIsMade() {
    TaskAttempt attempt = new TaskAttempt(1, TaskStatus.FAILED, AT, Optional.of("Boom"));

    assertThat(attempt.attempt()).isEqualTo(1);
    assertThat(attempt.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(attempt.at()).isEqualTo(AT);
    assertThat(attempt.error()).contains("Boom");
  }

  @Test
  void aNegativeAttemptIsRefused() {
    assertThatThrownBy(() -> new TaskAttempt(-1, TaskStatus.DONE, AT, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must not be negative, got -1");
  }

  @Test
  void aStartedAttemptIsRefused() {
    assertThatThrownBy(() -> new TaskAttempt(0, TaskStatus.STARTED, AT, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status must be DONE, FAILED or CANCELLED, the end of an attempt, got STARTED");
  }

  @Test
  void aMissingValueIsRefusedByName() {
    assertThatThrownBy(() -> new TaskAttempt(0, null, AT, Optional.empty()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("status");
    assertThatThrownBy(() -> new TaskAttempt(0, TaskStatus.DONE, null, Optional.empty()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("at");
    assertThatThrownBy(() -> new TaskAttempt(0, TaskStatus.DONE, AT, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("error");
  }
}
