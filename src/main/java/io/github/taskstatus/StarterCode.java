package io.github.taskstatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import software.amazon.awscdk.services.lambda.Code;

/**
 * The starter Lambda's code: the shaded handler jar embedded in this library's jar, extracted to a
 * file once per JVM so CDK can stage it as an asset. No Docker, no build at synth; the jar is built
 * reproducibly, so its asset hash only changes when its content does.
 */
final class StarterCode {

  /** Where the library build puts the handler jar. */
  static final String RESOURCE = "task-status-starter-lambda.jar";

  /** The handler's entry point inside the jar. */
  static final String HANDLER = "io.github.taskstatus.starter.StarterHandler::handleRequest";

  private StarterCode() {}

  static Code asset() {
    return Code.fromAsset(extractedJar().toString());
  }

  /** The extracted handler jar; the local harness runs this very file. */
  static Path extractedJar() {
    return Extracted.PATH;
  }

  /** Extracted on first use; the file lives until the JVM exits, after synthesis. */
  private static final class Extracted {
    static final Path PATH = extract();

    private static Path extract() {
      try (InputStream in = StarterCode.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "The starter Lambda jar "
                  + RESOURCE
                  + " is missing from"
                  + " the task-status-workflow jar; build the library with 'mvn install' at its"
                  + " root");
        }
        Path dir = Files.createTempDirectory("task-status-starter");
        Path jar = dir.resolve(RESOURCE);
        Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        jar.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return jar;
      } catch (IOException e) {
        throw new UncheckedIOException("Could not extract the starter Lambda jar", e);
      }
    }
  }
}
