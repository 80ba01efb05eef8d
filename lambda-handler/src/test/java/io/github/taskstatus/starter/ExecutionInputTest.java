package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The epoch arithmetic the state machine must not do (States.MathAdd takes 32-bit integers). */
class ExecutionInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** 2039-06-03T00:00:00Z, past the end of 32-bit Unix seconds (2038-01-19). */
  private static final long AFTER_2038 = 2_190_672_000L;

  private static JsonNode input(ExecutionInput input, String timestamp) throws Exception {
    return JSON.readTree(input.toJson("Breakfast", new BigDecimal(timestamp)));
  }

  @Test
  void movesAreTheTenWholeSecondsAfterTheTimestampEvenPast2038() throws Exception {
    JsonNode input =
        input(new ExecutionInput(330, Optional.empty(), Optional.empty()), AFTER_2038 + ".04217");

    assertThat(input.get("taskId").asText()).isEqualTo("Breakfast");
    assertThat(input.get("timestamp").decimalValue()).isEqualByComparingTo(AFTER_2038 + ".04217");
    assertThat(input.get("moves"))
        .extracting(JsonNode::longValue)
        .containsExactly(
            AFTER_2038 + 1,
            AFTER_2038 + 2,
            AFTER_2038 + 3,
            AFTER_2038 + 4,
            AFTER_2038 + 5,
            AFTER_2038 + 6,
            AFTER_2038 + 7,
            AFTER_2038 + 8,
            AFTER_2038 + 9,
            AFTER_2038 + 10);
    assertThat(input.has("expiresAt")).isFalse();
  }

  @Test
  void aWholeSecondTimestampMovesToTheNextSecondFirst() throws Exception {
    JsonNode input =
        input(new ExecutionInput(330, Optional.empty(), Optional.empty()), AFTER_2038 + ".00000");

    assertThat(input.get("moves").get(0).longValue()).isEqualTo(AFTER_2038 + 1);
  }

  @Test
  void expiryCountsFromTheLatestEndTheTimeoutAllows() throws Exception {
    long tenYears = 3653L * 86_400;
    JsonNode input =
        input(
            new ExecutionInput(3_600, Optional.of(tenYears), Optional.empty()),
            AFTER_2038 + ".99999");

    assertThat(input.get("expiresAt").isIntegralNumber()).isTrue();
    assertThat(input.get("expiresAt").longValue()).isEqualTo(AFTER_2038 + 3_600 + tenYears);
  }

  @Test
  void theDeadlineIsTheLatestEndPlusTheGraceAsEnteredTimeWritesTimesPast2038() throws Exception {
    JsonNode input =
        input(new ExecutionInput(330, Optional.empty(), Optional.of(300L)), AFTER_2038 + ".75000");

    // 2039-06-03T00:00:00Z + 330 s + 300 s, in $$.State.EnteredTime's form.
    assertThat(input.get("deadline").asText()).isEqualTo("2039-06-03T00:10:30.000Z");
    assertThat(input.get("deadline").asText())
        .as("compares as a string with the times Step Functions gives")
        .isGreaterThan("2039-06-03T00:10:29.999Z")
        .isLessThan("2039-06-03T00:10:30.001Z");
  }

  @Test
  void noSweeperNoDeadline() throws Exception {
    assertThat(
            input(new ExecutionInput(330, Optional.empty(), Optional.empty()), "1.5")
                .has("deadline"))
        .isFalse();
  }

  @Test
  void readsTheTimeoutAndRetentionTheConstructSets() {
    assertThat(
            ExecutionInput.fromEnvironment(
                Map.of("TASK_TIMEOUT_SECONDS", "330", "RETENTION_SECONDS", "86400")::get))
        .isEqualTo(new ExecutionInput(330, Optional.of(86_400L), Optional.empty()));
    assertThat(ExecutionInput.fromEnvironment(Map.of("TASK_TIMEOUT_SECONDS", "330")::get))
        .isEqualTo(new ExecutionInput(330, Optional.empty(), Optional.empty()));
    assertThat(
            ExecutionInput.fromEnvironment(
                Map.of("TASK_TIMEOUT_SECONDS", "330", "DEADLINE_GRACE_SECONDS", "300")::get))
        .isEqualTo(new ExecutionInput(330, Optional.empty(), Optional.of(300L)));
  }

  @Test
  void aMissingOrMalformedVariableIsNamed() {
    assertThatThrownBy(() -> ExecutionInput.fromEnvironment(Map.<String, String>of()::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "TASK_TIMEOUT_SECONDS is not set; the TaskStatusWorkflow construct sets it to the"
                + " state machine's timeout in seconds");
    assertThatThrownBy(
            () -> ExecutionInput.fromEnvironment(Map.of("TASK_TIMEOUT_SECONDS", "soon")::get))
        .hasMessage("TASK_TIMEOUT_SECONDS must be a positive whole number of seconds");
    assertThatThrownBy(
            () ->
                ExecutionInput.fromEnvironment(
                    Map.of("TASK_TIMEOUT_SECONDS", "30", "RETENTION_SECONDS", "-1")::get))
        .hasMessage("RETENTION_SECONDS must be a positive whole number of seconds");
  }
}
