package io.github.taskstatus.testing;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The jars the local Lambda runs Java functions in: AWS's runtime interface client and what it
 * needs, found on this JVM's classpath, where this kit's own dependencies put them.
 */
final class RuntimeJars {

  /** A class each jar holds, and the jar's Maven coordinates for the error message. */
  private static final Map<String, String> MARKERS =
      Map.of(
          "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
          "com.amazonaws:aws-lambda-java-runtime-interface-client",
          "com.amazonaws.services.lambda.runtime.Context",
          "com.amazonaws:aws-lambda-java-core",
          "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
          "com.amazonaws:aws-lambda-java-serialization",
          "software.amazon.awssdk.utilslite.SdkInternalThreadLocal",
          "software.amazon.awssdk:utils-lite",
          "software.amazon.awssdk.annotations.SdkInternalApi",
          "software.amazon.awssdk:annotations");

  private RuntimeJars() {}

  /**
   * The jar of each marker class.
   *
   * @throws IllegalStateException naming the artifact that is missing from the classpath
   */
  static List<Path> find() {
    List<Path> jars = new ArrayList<>();
    for (Map.Entry<String, String> marker : MARKERS.entrySet()) {
      jars.add(jarOf(marker.getKey(), marker.getValue()));
    }
    return jars.stream().distinct().sorted().toList();
  }

  private static Path jarOf(String className, String artifact) {
    try {
      Class<?> type = Class.forName(className, false, RuntimeJars.class.getClassLoader());
      CodeSource source = type.getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        throw new IllegalStateException(className + " was not loaded from a jar");
      }
      return Path.of(source.getLocation().toURI());
    } catch (ClassNotFoundException | URISyntaxException e) {
      throw new IllegalStateException(
          artifact
              + " is not on the classpath: task-status-testing depends on it to run your"
              + " functions in the local Lambda; check that your build does not exclude it",
          e);
    }
  }
}
