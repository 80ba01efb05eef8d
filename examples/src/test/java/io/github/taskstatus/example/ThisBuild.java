package io.github.taskstatus.example;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Maven repository this build resolves from, for the Maven runs the tests start themselves (the
 * CDK CLI's {@code mvn compile exec:java} through cdk.json, the README's minimal project): without
 * it they would resolve from {@code ~/.m2}, which may hold another build's artifacts, or none of
 * this one's.
 */
final class ThisBuild {
  private ThisBuild() {}

  /**
   * The {@code maven.repo.local} this build was given (failsafe passes it on), else the default.
   */
  static String mavenRepository() {
    return System.getProperty(
        "maven.repo.local",
        Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
  }

  /** Makes every Maven started with this environment use this build's repository. */
  static void shareMavenRepository(Map<String, String> environment) {
    String options = environment.getOrDefault("MAVEN_OPTS", "");
    environment.put("MAVEN_OPTS", (options + " -Dmaven.repo.local=" + mavenRepository()).strip());
  }
}
