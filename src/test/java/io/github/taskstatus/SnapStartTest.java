package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** SnapStart: on by default, with a published version and the alias callers use. */
class SnapStartTest {
  private static final Synth DEFAULT = Synth.workflow(null);

  @Test
  void theStarterRestoresPublishedVersionsFromSnapshots() {
    assertThat(DEFAULT.only("AWS::Lambda::Function").at("/Properties/SnapStart"))
        .isEqualTo(Synth.parse("{\"ApplyOn\": \"PublishedVersions\"}"));
  }

  @Test
  void aVersionIsPublishedAndTheLiveAliasPointsAtIt() {
    JsonNode version = DEFAULT.only("AWS::Lambda::Version").get("Properties");
    JsonNode alias = DEFAULT.only("AWS::Lambda::Alias").get("Properties");

    assertThat(version.get("FunctionName"))
        .isEqualTo(Synth.parse("{\"Ref\": \"TasksStarter986E6848\"}"));
    assertThat(alias.get("Name").asText()).isEqualTo("live");
    assertThat(alias.get("FunctionName"))
        .isEqualTo(Synth.parse("{\"Ref\": \"TasksStarter986E6848\"}"));
    assertThat(alias.get("FunctionVersion"))
        .isEqualTo(
            Synth.parse(
                "{\"Fn::GetAtt\": [\""
                    + DEFAULT.logicalId("AWS::Lambda::Version")
                    + "\", \"Version\"]}"));
  }

  @Test
  void snapStartCanBeTurnedOff() {
    Synth synth = Synth.workflow(TaskStatusWorkflowProps.builder().snapStart(false).build());

    assertThat(synth.only("AWS::Lambda::Function").at("/Properties/SnapStart").isMissingNode())
        .isTrue();
    synth.template.resourceCountIs("AWS::Lambda::Alias", 0);
    synth.template.resourceCountIs("AWS::Lambda::Version", 0);
  }

  @Test
  void theRuntimeSupportsSnapStart() {
    assertThat(StarterFunction.RUNTIME.getSupportsSnapStart()).isTrue();
  }
}
