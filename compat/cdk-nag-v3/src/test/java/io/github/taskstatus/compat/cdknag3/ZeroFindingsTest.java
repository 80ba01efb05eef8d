package io.github.taskstatus.compat.cdknag3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskstatus.TaskStatusWorkflow;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * A consumer running cdk-nag 3's AwsSolutions and Serverless packs on an app that holds only the
 * workflow gets no finding at all, neither error nor warning, in any configuration: the library
 * fixes or acknowledges every finding on its own resources.
 */
class ZeroFindingsTest {

  @TempDir Path outdir;

  private CheckedApp.Report synth(Consumer<Stack> build) {
    CheckedApp app = new CheckedApp(outdir);
    build.accept(app.stack());
    return app.synth();
  }

  private static void assertNoFindings(CheckedApp.Report report) {
    assertThat(report.findings())
        .as("validation findings (cdk-nag 3 and CDK) on the workflow")
        .isEmpty();
    assertThat(report.synthFailed()).as("synthesis failed").isFalse();
  }

  @Test
  void theDefaultsHaveNoFinding() {
    assertNoFindings(synth(stack -> new TaskStatusWorkflow(stack, "Tasks")));
  }

  @Test
  void everyFeatureOnHasNoFinding() {
    assertNoFindings(synth(CheckedApp::everyFeature));
  }

  @Test
  void workersStatusEventsAndEveryGrantHaveNoFinding() {
    assertNoFindings(synth(CheckedApp::workers));
  }

  @Test
  void queueModeWithDefaultsHasNoFinding() {
    assertNoFindings(
        synth(stack -> TaskStatusWorkflow.Builder.create(stack, "Tasks").queue(true).build()));
  }

  @Test
  void withoutSnapStartHasNoFinding() {
    assertNoFindings(
        synth(stack -> TaskStatusWorkflow.Builder.create(stack, "Tasks").snapStart(false).build()));
  }

  @Test
  void expressWorkflowsHaveNoFinding() {
    assertNoFindings(
        synth(
            stack ->
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .stateMachineType(StateMachineType.EXPRESS)
                    .build()));
  }
}
