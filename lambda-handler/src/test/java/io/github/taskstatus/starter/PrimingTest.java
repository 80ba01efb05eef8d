package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The SnapStart hook runs the whole start path against an in-memory client. */
class PrimingTest {

  @Test
  void beforeCheckpointRunsOneStartThroughTheInMemoryClientOnly() {
    Priming priming =
        new Priming(
            Region.EU_WEST_1, LocalStepFunctions.STATE_MACHINE_ARN, LocalStepFunctions.INPUT);

    priming.beforeCheckpoint(null);

    assertThat(priming.cannedCalls()).isEqualTo(1);
  }

  @Test
  void primingCanRunAgainAfterARestore() {
    Priming priming =
        new Priming(
            Region.US_EAST_1, LocalStepFunctions.STATE_MACHINE_ARN, LocalStepFunctions.INPUT);

    priming.prime();
    priming.afterRestore(null);
    priming.prime();

    assertThat(priming.cannedCalls()).isEqualTo(2);
  }
}
