package io.github.taskstatus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The local cloud's Node.js process ({@code cloud.mjs}) for one synthesized stack: started, read
 * until its ready line (endpoints, credentials, names), and stopped by closing its standard input,
 * which it watches so that it never outlives the JVM that started it.
 */
final class CloudProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many of the cloud's last error lines a start-up failure quotes. */
  private static final int TAIL_LINES = 40;

  final JsonNode ready;
  private final Process process;

  private CloudProcess(Process process, JsonNode ready) {
    this.process = process;
    this.ready = ready;
  }

  /**
   * Starts the cloud and waits for its ready line.
   *
   * @throws IllegalStateException if it exits or does not get ready in time, with its last error
   *     output
   */
  static CloudProcess start(
      Path installation,
      SynthesizedStack stack,
      List<Path> runtimeJars,
      List<String> extraArguments,
      Duration timeout) {
    List<String> command =
        new ArrayList<>(
            List.of(
                CloudInstallation.node(installation).toString(),
                installation.resolve("cloud.mjs").toString(),
                "--template",
                stack.template.toString(),
                "--stack-name",
                stack.stackName(),
                "--assembly",
                stack.assembly.toString()));
    if (stack.account() != null) {
      command.addAll(List.of("--account", stack.account()));
    }
    if (stack.region() != null) {
      command.addAll(List.of("--region", stack.region()));
    }
    for (Path jar : runtimeJars) {
      command.addAll(List.of("--runtime-lib", jar.toString()));
    }
    command.addAll(extraArguments);

    Process process;
    try {
      process = new ProcessBuilder(command).directory(installation.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the local cloud", e);
    }
    Deque<String> errors = new ArrayDeque<>();
    pump(
        process.getErrorStream(),
        line -> {
          System.err.println(line);
          synchronized (errors) {
            errors.addLast(line);
            if (errors.size() > TAIL_LINES) {
              errors.removeFirst();
            }
          }
        });
    CompletableFuture<String> firstLine = new CompletableFuture<>();
    pump(process.getInputStream(), firstLine::complete);
    process.onExit().thenRun(() -> firstLine.complete(null));
    try {
      String line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        process.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "the local cloud exited with code "
                + process.exitValue()
                + " before it was ready:\n"
                + tail(errors));
      }
      return new CloudProcess(process, JSON.readTree(line));
    } catch (TimeoutException e) {
      stop(process);
      throw new IllegalStateException(
          "the local cloud was not ready within "
              + timeout
              + "; its last errors:\n"
              + tail(errors));
    } catch (InterruptedException e) {
      stop(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the local cloud started", e);
    } catch (ExecutionException | IOException | RuntimeException e) {
      stop(process);
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /** Hands each line of a stream to a consumer, on a daemon thread, until the stream ends. */
  private static void pump(InputStream stream, Consumer<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.accept(line);
                }
              } catch (IOException ignored) {
                // The process ended; so does its output.
              }
            },
            "local-cloud-output");
    reader.setDaemon(true);
    reader.start();
  }

  private static String tail(Deque<String> errors) {
    synchronized (errors) {
      return errors.isEmpty() ? "(no error output)" : String.join("\n", errors);
    }
  }

  @Override
  public void close() {
    stop(process);
  }

  /**
   * Closes the cloud's standard input, which stops it and its Lambda environments; kills it and
   * what it started if it is still running after 15 seconds.
   */
  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (IOException e) {
      kill(process);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
    }
  }

  /** The Lambda JVMs are the cloud's children: killed with it, they would outlive it. */
  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
