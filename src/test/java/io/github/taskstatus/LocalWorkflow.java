package io.github.taskstatus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * A synthesized workflow running on this machine: examples/local/local-cloud.mjs (a local
 * DynamoDB and a real ASL interpreter behind a Step Functions endpoint, all on 127.0.0.1) started
 * with the synthesized template, and the starter invoked from the embedded handler jar in its own
 * JVM. {@link #close()} stops every process it started.
 */
final class LocalWorkflow implements AutoCloseable {
  static final Path HARNESS = Paths.get(System.getProperty("taskstatus.local.dir",
      "local"));
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration INVOKE = Duration.ofSeconds(90);
  private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("local", "local");

  private final Process cloud;
  private final Path templateFile;
  private final String handler;
  final String stateMachineArn;
  final String tableName;
  final URI dynamodbEndpoint;
  final URI stepFunctionsEndpoint;
  /** Lambda Invoke and CloudFormation DescribeStacks, with {@code --starter-jar}; else null. */
  final URI accountEndpoint;
  /** What the starter needs to run against the local cloud, as local-cloud.mjs says. */
  private final Map<String, String> starterEnvironment = new java.util.TreeMap<>();
  final DynamoDbClient dynamodb;
  final SfnClient stepFunctions;

  private LocalWorkflow(JsonNode template, List<String> options) throws IOException {
    templateFile = Files.createTempFile("task-status-template", ".json");
    Synth.JSON.writeValue(templateFile.toFile(), template);
    handler = template.findParents("Handler").get(0).get("Handler").asText();
    List<String> command = new ArrayList<>(List.of(node().toString(), "local-cloud.mjs",
        "--template", templateFile.toString()));
    command.addAll(options);
    cloud = new ProcessBuilder(command).directory(HARNESS.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      JsonNode ready = Synth.parse(firstLine(cloud));
      stateMachineArn = ready.get("stateMachineArn").asText();
      tableName = ready.get("tableName").asText();
      dynamodbEndpoint = URI.create(ready.get("dynamodbEndpoint").asText());
      stepFunctionsEndpoint = URI.create(ready.get("stepFunctionsEndpoint").asText());
      ready.get("starterEnvironment").properties()
          .forEach(e -> starterEnvironment.put(e.getKey(), e.getValue().asText()));
      accountEndpoint = ready.hasNonNull("accountEndpoint")
          ? URI.create(ready.get("accountEndpoint").asText()) : null;
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
    dynamodb = DynamoDbClient.builder().endpointOverride(dynamodbEndpoint)
        .httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS)).build();
    stepFunctions = SfnClient.builder().endpointOverride(stepFunctionsEndpoint)
        .httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS)).build();
  }

  /**
   * Starts the local services for a synthesized stack.
   *
   * @param options local-cloud.mjs options, e.g. {@code --fault RecordStarted=...}
   */
  static LocalWorkflow start(Synth synth, String... options) {
    return start(synth.json, options);
  }

  /** Starts the local services for a synthesized template, as JSON. */
  static LocalWorkflow start(JsonNode template, String... options) {
    try {
      return new LocalWorkflow(template, List.of(options));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path node() {
    Path node = HARNESS.resolve("node_modules/node/bin/node");
    if (!Files.isExecutable(node)) {
      throw new IllegalStateException(node + " is missing: run 'npm ci' in " + HARNESS
          + " (the Maven build does this in generate-test-resources)");
    }
    return node;
  }

  private static String firstLine(Process process) throws IOException {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)).readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      String ready = line.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
      if (ready == null) {
        throw new IOException("local-cloud.mjs exited with " + process.waitFor()
            + " before it was ready (its stderr is above)");
      }
      return ready;
    } catch (Exception e) {
      throw new IOException("local-cloud.mjs did not start within " + STARTUP, e);
    }
  }

  /** The result of one starter invocation: its JSON output, or the function error. */
  record Invocation(int exitCode, JsonNode output) {
    boolean failed() {
      return exitCode != 0;
    }

    String executionArn() {
      return output.get("executionArn").asText();
    }

    long timestamp() {
      return output.get("timestamp").asLong();
    }
  }

  /** Invokes the starter with a new request id. */
  Invocation invoke(String event) {
    return invoke(event, UUID.randomUUID().toString());
  }

  /** Invokes the starter from the embedded jar in a new JVM, as Lambda would for one request. */
  Invocation invoke(String event, String requestId) {
    Path jar = StarterCode.extractedJar();
    ProcessBuilder builder = new ProcessBuilder(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar.toString(), "LambdaRunner.java", handler)
        .directory(HARNESS.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = builder.environment();
    env.putAll(starterEnvironment);
    env.put("LAMBDA_REQUEST_ID", requestId);
    Process process = null;
    try {
      process = builder.start();
      process.getOutputStream().write(event.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(INVOKE.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the starter did not finish within " + INVOKE);
      }
      return new Invocation(process.exitValue(), Synth.parse(out.strip()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }

  /** The item for a task start, or {@code null}. */
  Map<String, AttributeValue> item(String taskId, long timestamp) {
    Map<String, AttributeValue> item = dynamodb.getItem(b -> b.tableName(tableName)
        .consistentRead(true)
        .key(Map.of("taskId", AttributeValue.fromS(taskId),
            "timestamp", AttributeValue.fromN(Long.toString(timestamp))))).item();
    return item.isEmpty() ? null : item;
  }

  /** Every item of a task id, oldest first. */
  List<Map<String, AttributeValue>> items(String taskId) {
    return dynamodb.query(b -> b.tableName(tableName).consistentRead(true)
        .keyConditionExpression("taskId = :id")
        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(taskId)))).items();
  }

  /** Every item in the table. */
  List<Map<String, AttributeValue>> allItems() {
    return dynamodb.scan(b -> b.tableName(tableName).consistentRead(true)).items();
  }

  /** Polls the item until {@code condition} holds; fails after {@code timeout}. */
  Map<String, AttributeValue> awaitItem(String taskId, long timestamp,
      Predicate<Map<String, AttributeValue>> condition, Duration timeout) {
    return poll(() -> item(taskId, timestamp), i -> i != null && condition.test(i), timeout,
        "item " + taskId + "/" + timestamp);
  }

  static Predicate<Map<String, AttributeValue>> status(String status) {
    return item -> item.containsKey("Status") && status.equals(item.get("Status").s());
  }

  /** Polls the execution until it is no longer running. */
  DescribeExecutionResponse awaitExecution(String executionArn, Duration timeout) {
    return poll(() -> stepFunctions.describeExecution(b -> b.executionArn(executionArn)),
        e -> e.status() != ExecutionStatus.RUNNING, timeout, "execution " + executionArn);
  }

  /** Reads until {@code done} holds; fails after {@code timeout}, naming {@code what}. */
  static <T> T poll(java.util.function.Supplier<T> read, Predicate<T> done,
      Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    T value = read.get();
    while (!done.test(value)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what + " did not reach the expected state within " + timeout
            + "; last seen: " + value);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      value = read.get();
    }
    return value;
  }

  boolean isRunning() {
    return cloud.isAlive();
  }

  @Override
  public void close() {
    if (dynamodb != null) {
      dynamodb.close();
    }
    if (stepFunctions != null) {
      stepFunctions.close();
    }
    try {
      cloud.getOutputStream().close();
      if (!cloud.waitFor(5, TimeUnit.SECONDS)) {
        cloud.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      cloud.destroyForcibly();
    } catch (InterruptedException e) {
      cloud.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Files.deleteIfExists(templateFile);
      } catch (IOException ignored) {
        // A temp file; the OS cleans it up.
      }
    }
  }
}
