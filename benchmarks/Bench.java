import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark driver behind {@code benchmarks/run.sh}; it uses only the JDK.
 *
 * <pre>{@code
 * java Bench.java <ours.jar> <baseline.jar> <classes dir> <runs> "<ours' JAVA_TOOL_OPTIONS>"
 * }</pre>
 *
 * <p>Starts a Step Functions stub on 127.0.0.1, then measures
 *
 * <ul>
 *   <li>cold start: from spawning a fresh JVM that runs a starter jar (through LambdaRunner) to the
 *       stub answering its first StartExecution; median of {@code runs}, ours and the baseline
 *       interleaved so drift hits both alike. Ours runs with the JVM options its function is
 *       deployed with (JAVA_TOOL_OPTIONS in the synthesized template), and, for reference, without;
 *   <li>batch: in one warm JVM, one SQS message vs a batch of ten, with the stub answering each
 *       StartExecution after 50 ms.
 * </ul>
 *
 * <p>Prints one figure per line, then: {@code cold_ms=<ours> baseline_ms=<baseline>
 * untuned_ms=<ours without its JVM options> single_ms=<x> batch_ms=<y>}.
 */
public final class Bench {
  static final String ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Bench";
  static final String OURS = "io.github.taskstatus.starter.StarterHandler::handleRequest";
  static final String NAIVE = "io.github.taskstatus.baseline.NaiveStarter::handleRequest";

  static volatile long delayMillis;
  static final AtomicLong firstResponse = new AtomicLong();

  /**
   * Runs every measurement and prints the figures.
   *
   * @param args see the class comment
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    Path ours = Path.of(args[0]);
    Path baseline = Path.of(args[1]);
    Path classes = Path.of(args[2]);
    int runs = Integer.parseInt(args[3]);
    List<String> oursJvmOptions =
        args.length > 4 && !args[4].isBlank() ? List.of(args[4].trim().split("\\s+")) : List.of();

    HttpServer stub =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.setExecutor(Executors.newFixedThreadPool(32));
    stub.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
              Thread.sleep(delayMillis);
            }
            byte[] body =
                ("{\"executionArn\":\""
                        + ARN.replace(":stateMachine:", ":execution:")
                        + ":x\",\"startDate\":1.7E9}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            firstResponse.compareAndSet(0, System.nanoTime());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    stub.start();
    String endpoint = "http://127.0.0.1:" + stub.getAddress().getPort();
    try {
      Map<String, List<Double>> cold =
          Map.of(
              "ours",
              new ArrayList<>(),
              "baseline",
              new ArrayList<>(),
              "untuned",
              new ArrayList<>());
      for (int i = 0; i < runs + 1; i++) {
        List<String> order =
            i % 2 == 0
                ? List.of("ours", "baseline", "untuned")
                : List.of("baseline", "untuned", "ours");
        for (String variant : order) {
          double ms =
              switch (variant) {
                case "ours" -> coldStart(ours, classes, OURS, endpoint, oursJvmOptions);
                case "baseline" -> coldStart(baseline, classes, NAIVE, endpoint, List.of());
                default -> coldStart(ours, classes, OURS, endpoint, List.of());
              };
          if (i > 0) {
            cold.get(variant).add(ms); // run 0 warms the page cache
          }
        }
      }
      double oursMs = median(cold.get("ours"));
      double baselineMs = median(cold.get("baseline"));
      double untunedMs = median(cold.get("untuned"));
      System.out.printf(
          "cold start, ours %s (median of %d): %.1f ms%n", oursJvmOptions, runs, oursMs);
      System.out.printf("cold start, baseline (median of %d): %.1f ms%n", runs, baselineMs);
      System.out.printf(
          "cold start, ours without JVM options (median of %d): %.1f ms%n", runs, untunedMs);

      delayMillis = 50;
      List<String> batchCommand = new ArrayList<>(List.of(java()));
      batchCommand.addAll(oursJvmOptions);
      batchCommand.addAll(List.of("-cp", ours + ":" + classes, "BatchRunner", OURS, "10"));
      String batch = run(batchCommand, endpoint).strip();
      System.out.println("batch (stub answers after 50 ms):    " + batch);
      System.out.println(
          "cold_ms="
              + fmt(oursMs)
              + " baseline_ms="
              + fmt(baselineMs)
              + " untuned_ms="
              + fmt(untunedMs)
              + " "
              + batch);
    } finally {
      stub.stop(0);
      ((java.util.concurrent.ExecutorService) stub.getExecutor()).shutdownNow();
    }
  }

  static double coldStart(
      Path jar, Path classes, String handler, String endpoint, List<String> jvmFlags)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", jar + ":" + classes, "LambdaRunner", handler));
    firstResponse.set(0);
    long start = System.nanoTime();
    run(command, endpoint);
    long answered = firstResponse.get();
    if (answered == 0) {
      throw new IllegalStateException("no StartExecution reached the stub from " + jar);
    }
    return (answered - start) / 1e6;
  }

  static String run(List<String> command, String endpoint)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = builder.environment();
    env.put("STATE_MACHINE_ARN", ARN);
    env.put("AWS_ENDPOINT_URL_SFN", endpoint);
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "bench");
    env.put("AWS_SECRET_ACCESS_KEY", "bench");
    env.remove("JAVA_TOOL_OPTIONS");
    Process process = builder.start();
    process.getOutputStream().write("{\"taskId\":\"bench\"}".getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " failed: " + out);
    }
    return out;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String fmt(double value) {
    return String.format("%.1f", value);
  }
}
