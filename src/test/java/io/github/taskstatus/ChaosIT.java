package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos run at a small size, in every build (benchmarks/chaos.sh runs it at full size): every
 * start acknowledged under lost and late events, Express reruns, throttling, writes that commit and
 * then fail, stops, timeouts and redrives ends in the status its execution really ended in.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ChaosIT {
  @Test
  void everyAcknowledgedStartEndsTrueUnderEveryFault() {
    ChaosRun.Outcome outcome = ChaosRun.run(40, 19, true, System.out);
    System.out.println(outcome.line());

    assertThat(outcome.problems()).isEmpty();
    assertThat(outcome.acknowledged()).isEqualTo(40);
    assertThat(outcome.items()).isEqualTo(40 + outcome.duplicates());
    assertThat(outcome.stuck()).isZero();
    assertThat(outcome.wrong()).isZero();
    assertThat(outcome.lost()).isZero();
    assertThat(outcome.done() + outcome.failed()).isEqualTo(outcome.items());
    assertThat(outcome.failed()).as("failures, timeouts and stops happened").isPositive();
  }

  @Test
  void withoutTheSweeperLostEventsLeaveItemsStartedAndTheRunSaysSo() {
    ChaosRun.Outcome outcome = ChaosRun.run(40, 19, false, System.out);
    System.out.println("without the sweeper: " + outcome.line());

    // Express workflows send no status events at all: their timed-out tasks stay STARTED.
    assertThat(outcome.stuck()).as("items whose events were lost or never sent").isPositive();
    assertThat(outcome.passed()).isFalse();
    assertThat(outcome.wrong()).isZero();
    assertThat(outcome.lost()).isZero();
  }
}
