package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionNamesTest {
  private static final String VALID_NAME = "[A-Za-z0-9_-]{1,80}";

  @Test
  void namesAreStableAcrossReleases() {
    // Pinned: a deployed starter and a newer client (or the other way round) must agree, and a
    // redelivery after an upgrade must ask for its first delivery's name.
    assertThat(ExecutionNames.of("Breakfast", "0f8fad5b-d9cb-469f-a165-70867728950e"))
        .isEqualTo("Breakfast-e0c39b0d7105dd833174106c");
    assertThat(ExecutionNames.of("Frühstück im Büro 🍳", "k"))
        .isEqualTo("Fr_hst_ck_im_B_ro___-5ae70f50f3bd5edddbe9bd81");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Breakfast",
        "任务-42",
        "a<b>{c}[d]?*\"#%\\^|~`$&,;:/",
        "-",
        " ",
        "tab\there",
      })
  void namesFollowTheServiceRulesForAnyTaskId(String taskId) {
    assertThat(ExecutionNames.of(taskId, "k")).matches(VALID_NAME);
  }

  @Test
  void veryLongTaskIdsGiveNamesOfEightyCharactersThatStillDiffer() {
    String common = "x".repeat(1000);

    String a = ExecutionNames.of(common + "A", "k");
    String b = ExecutionNames.of(common + "B", "k");

    assertThat(a).matches(VALID_NAME).hasSize(ExecutionNames.MAX_NAME_LENGTH);
    assertThat(b).matches(VALID_NAME).hasSize(ExecutionNames.MAX_NAME_LENGTH).isNotEqualTo(a);
  }

  @Test
  void theSameKeyGivesTheSameNameAndAnotherKeyAnother() {
    assertThat(ExecutionNames.of("Lunch", "k")).isEqualTo(ExecutionNames.of("Lunch", "k"));
    assertThat(ExecutionNames.of("Lunch", "k")).isNotEqualTo(ExecutionNames.of("Lunch", "l"));
  }

  @Test
  void namesDigestEachFieldWithItsLengthSoNoTwoStartsShareOne() {
    assertThat(ExecutionNames.of("ab", "c")).isNotEqualTo(ExecutionNames.of("a", "bc"));
    assertThat(ExecutionNames.of("a\u0000b", "c")).isNotEqualTo(ExecutionNames.of("a", "b\u0000c"));
    assertThat(ExecutionNames.of("a:1", "b")).isNotEqualTo(ExecutionNames.of("a", "1:b"));
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> ExecutionNames.of(null, "k"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("taskId must not be null");
    assertThatThrownBy(() -> ExecutionNames.of("a", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("idempotencyKey must not be null");
    assertThatThrownBy(() -> ExecutionNames.of("", "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("taskId must not be empty");
  }
}
