package io.github.taskstatus.compat.cdknag3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskstatus.TaskStatusWorkflow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.IConstruct;
import software.constructs.MetadataEntry;

/**
 * Every finding the library acknowledges for cdk-nag 3 says why it does not apply: CDK shows the
 * reason to whoever audits the consumer's app, so a missing or empty reason is a defect.
 */
class AcknowledgmentReasonsTest {

  private static final int MIN_REASON_LENGTH = 10;

  @TempDir Path outdir;

  @Test
  void everyAcknowledgmentHasAReason() {
    CheckedApp app = new CheckedApp(outdir);
    Stack stack = app.stack();
    // Between them, the three configurations create every resource the library acknowledges on.
    TaskStatusWorkflow everyFeature = CheckedApp.everyFeature(stack);
    TaskStatusWorkflow express =
        TaskStatusWorkflow.Builder.create(stack, "ExpressTasks")
            .stateMachineType(StateMachineType.EXPRESS)
            .build();
    final TaskStatusWorkflow workers = CheckedApp.workers(stack);
    // Synthesis runs anything the library adds late (aspects, lazy policies) before we look.
    app.synth();

    List<Acknowledgment> acknowledgments = new ArrayList<>();
    acknowledgments.addAll(acknowledgments(everyFeature));
    acknowledgments.addAll(acknowledgments(express));
    acknowledgments.addAll(acknowledgments(workers));

    assertThat(acknowledgments).as("the library's cdk-nag 3 acknowledgments").isNotEmpty();
    assertThat(acknowledgments)
        .allSatisfy(
            acknowledgment ->
                assertThat(acknowledgment.reason())
                    .as("reason of %s", acknowledgment)
                    .isNotNull()
                    .satisfies(
                        reason ->
                            assertThat(reason.strip())
                                .hasSizeGreaterThanOrEqualTo(MIN_REASON_LENGTH)));
  }

  /** The acknowledgment metadata on the workflow and everything in it. */
  private static List<Acknowledgment> acknowledgments(TaskStatusWorkflow workflow) {
    List<Acknowledgment> found = new ArrayList<>();
    for (IConstruct construct : workflow.getNode().findAll()) {
      for (MetadataEntry entry : construct.getNode().getMetadata()) {
        if (!Validations.ACKNOWLEDGED_RULES_METADATA_KEY.equals(entry.getType())) {
          continue;
        }
        assertThat(entry.getData())
            .as("acknowledgment metadata at %s", construct.getNode().getPath())
            .isInstanceOf(Map.class);
        ((Map<?, ?>) entry.getData())
            .forEach(
                (id, reason) ->
                    found.add(
                        new Acknowledgment(
                            construct.getNode().getPath(),
                            String.valueOf(id),
                            reason == null ? null : String.valueOf(reason))));
      }
    }
    return found;
  }

  /** One acknowledged rule id on one construct, with its reason. */
  private record Acknowledgment(String constructPath, String id, String reason) {}
}
