package io.github.taskstatus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

/** What the kit says when it is used wrongly, and what it carries; no cloud is started here. */
class LocalTaskCloudTest {

  @Test
  void aCloudThatWasNotStartedSaysHowToRegisterIt() {
    LocalTaskCloud cloud = LocalTaskCloud.of(app -> new Stack(app, "Empty"));

    for (Runnable call :
        List.<Runnable>of(cloud::client, cloud::endpoint, cloud::outputs, cloud::stack)) {
      assertThatThrownBy(call::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "the local cloud is not running: register LocalTaskCloud on a static field with"
                  + " @RegisterExtension (it starts before the class's first test), or call"
                  + " start()");
    }
  }

  @Test
  void contextIsForTheAppTheKitCreates() {
    LocalTaskCloud.Builder builder = LocalTaskCloud.builder(new Stack(new App(), "Mine"));

    assertThatThrownBy(() -> builder.context("waitSeconds", "2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "context is for the app LocalTaskCloud creates; with a stack of your own, set it on"
                + " your App");
  }

  @Test
  void theStartupTimeoutMustBePositive() {
    LocalTaskCloud.Builder builder = LocalTaskCloud.builder(app -> new Stack(app, "Empty"));

    assertThatThrownBy(() -> builder.startupTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("startupTimeout must be positive, got PT0S");
  }

  @Test
  void theKitCarriesTheLocalCloudAndItsLockFile() {
    Map<String, byte[]> files = CloudInstallation.resources();

    assertThat(files)
        .containsKeys(
            "cloud.mjs",
            "lambda.mjs",
            "package.json",
            "package-lock.json",
            "patches/aws-local-stepfunctions.mjs",
            "patches/iam-simulate.mjs");
    assertThat(new String(files.get("package.json"), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"node\": \"22.");
  }

  @Test
  void theInstallationIsNamedByItsContent() {
    Map<String, byte[]> files = Map.of("cloud.mjs", new byte[] {1});

    assertThat(CloudInstallation.contentHash(files))
        .hasSize(16)
        .isEqualTo(CloudInstallation.contentHash(Map.of("cloud.mjs", new byte[] {1})))
        .isNotEqualTo(CloudInstallation.contentHash(Map.of("cloud.mjs", new byte[] {2})))
        .isNotEqualTo(CloudInstallation.contentHash(Map.of("other.mjs", new byte[] {1})));
  }

  @Test
  void theLambdaRuntimeInterfaceClientAndWhatItNeedsAreFoundOnTheClasspath() {
    List<String> jars =
        RuntimeJars.find().stream().map(Path::getFileName).map(Path::toString).toList();

    assertThat(jars)
        .hasSize(5)
        .anyMatch(j -> j.startsWith("aws-lambda-java-runtime-interface-client-2.10.1"))
        .anyMatch(j -> j.startsWith("aws-lambda-java-core-"))
        .anyMatch(j -> j.startsWith("aws-lambda-java-serialization-"))
        .anyMatch(j -> j.startsWith("utils-lite-"))
        .anyMatch(j -> j.startsWith("annotations-"));
  }
}
