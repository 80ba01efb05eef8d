package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad arguments fail before any AWS call, with a message naming the argument. */
class ValidationTest extends ClientTest {

  @AfterEach
  void noRequestWasMade() {
    assertThat(aws.requests()).isEmpty();
  }

  /** Every method that takes a task id. */
  private List<Consumer<String>> taskIdMethods() {
    return List.of(
        client::start,
        client::latest,
        client::history,
        client::retry,
        client::redrive,
        taskId -> client.await(taskId, Duration.ZERO));
  }

  @Test
  void aNullTaskIdIsRefused() {
    for (Consumer<String> method : taskIdMethods()) {
      assertThatThrownBy(() -> method.accept(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("taskId must not be null");
    }
  }

  @Test
  void aBlankTaskIdIsRefused() {
    for (Consumer<String> method : taskIdMethods()) {
      assertThatThrownBy(() -> method.accept(" \t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("taskId must not be blank");
    }
  }

  @Test
  void aTaskIdOver1024Utf8BytesIsRefused() {
    String taskId = "é".repeat(513);
    for (Consumer<String> method : taskIdMethods()) {
      assertThatThrownBy(() -> method.accept(taskId))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("taskId is 1026 bytes in UTF-8; the maximum is 1024");
    }
  }

  @Test
  void aTaskIdWithAControlCharacterIsRefused() {
    assertThatThrownBy(() -> client.start("Break\u0007fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "taskId has the control character U+0007 at index 5; it must be printable" + " text");
  }

  @Test
  void aTaskIdWithAnUnpairedSurrogateIsRefused() {
    assertThatThrownBy(() -> client.start("Toast\uD83C")) // a high surrogate with no low one
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "taskId has an unpaired surrogate U+D83C at index 5; it must be valid"
                + " Unicode text");
  }

  @Test
  void timeoutsAndOtherArgumentsAreChecked() {
    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must not be negative, got PT-0.001S");
    assertThatThrownBy(() -> client.await("Breakfast", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout must not be null");
    assertThatThrownBy(() -> client.await((TaskStart) null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("start must not be null");
    assertThatThrownBy(() -> client.failedSince(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("since must not be null");
    assertThatThrownBy(() -> client.open(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1, got 0");
  }

  @Test
  void theBuilderNamesWhatIsWrong() {
    assertThatThrownBy(() -> TaskStatusClient.builder().tableName(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableName must not be blank");
    assertThatThrownBy(() -> TaskStatusClient.builder().starterFunction(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("starterFunction must not be null");
    assertThatThrownBy(() -> TaskStatusClient.builder().queueUrl(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueUrl must not be blank");
    assertThatThrownBy(() -> TaskStatusClient.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval must be positive, got PT0S");
    assertThatThrownBy(() -> TaskStatusClient.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "set tableName to read status, starterFunction or queueUrl to start tasks,"
                + " or both");
    assertThatThrownBy(
            () ->
                TaskStatusClient.builder()
                    .starterFunction(FakeAws.STARTER)
                    .failedTaskIndex("FailedTasks")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "failedTaskIndex (FailedTasks) needs tableName: the index belongs to the" + " table");
    assertThatThrownBy(
            () ->
                TaskStatusClient.builder()
                    .starterFunction(FakeAws.STARTER)
                    .openTaskIndex("OpenTasks")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("openTaskIndex (OpenTasks) needs tableName: the index belongs to the table");
    assertThatThrownBy(() -> TaskStatusClient.builder().openTaskIndex(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("openTaskIndex must not be blank");
    assertThatThrownBy(() -> TaskStatusClient.builder().stepFunctions(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("stepFunctions must not be null");
    assertThatThrownBy(
            () ->
                aws.client()
                    .pollInterval(Duration.ofSeconds(3))
                    .maxPollInterval(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval (PT3S) must not exceed maxPollInterval (PT2S)");
  }
}
