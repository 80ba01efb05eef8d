package io.github.taskstatus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A synthesized template deployed to the local cloud (local/cloud.mjs) on 127.0.0.1: DynamoDB, Step
 * Functions (a real ASL interpreter), Lambda (the embedded starter jar in AWS's runtime interface
 * client), SQS and EventBridge, every request signature-checked. Tests reach it with the real SDK
 * and the credentials the local cloud issued. {@link #close()} stops everything.
 */
final class LocalCloud implements AutoCloseable {
  static final Path HOME = Path.of(System.getProperty("taskstatus.local.dir", "local"));
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private final Process process;
  private final Path templateFile;
  final JsonNode ready;
  final URI endpoint;
  final StaticCredentialsProvider credentials;
  final DynamoDbClient dynamodb;
  final SfnClient stepFunctions;
  final LambdaClient lambda;
  final SqsClient sqs;
  private final HttpClient http = HttpClient.newHttpClient();

  private LocalCloud(JsonNode template, List<String> options) throws IOException {
    this(template, options, true);
  }

  private LocalCloud(JsonNode template, List<String> options, boolean withStarter)
      throws IOException {
    templateFile = Files.createTempFile("task-status-template", ".json");
    Synth.JSON.writeValue(templateFile.toFile(), template);
    List<String> command =
        new ArrayList<>(
            List.of(
                node().toString(),
                "cloud.mjs",
                "--template",
                templateFile.toString(),
                "--stack-name",
                "Test",
                "--account",
                Synth.ACCOUNT,
                "--region",
                Synth.REGION));
    if (withStarter) {
      command.addAll(List.of("--code", "TasksStarter=" + StarterCode.extractedJar()));
    }
    command.addAll(options);
    process =
        new ProcessBuilder(command)
            .directory(HOME.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      ready = Synth.parse(firstLine(process));
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
    endpoint = URI.create(ready.get("endpoint").asText());
    credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(
                ready.at("/credentials/accessKeyId").asText(),
                ready.at("/credentials/secretAccessKey").asText()));
    dynamodb = configure(DynamoDbClient.builder()).build();
    stepFunctions = configure(SfnClient.builder()).build();
    lambda =
        configure(LambdaClient.builder())
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(Duration.ofSeconds(120))
                    .build())
            .httpClient(
                UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(120)).build())
            .build();
    sqs = configure(SqsClient.builder()).build();
  }

  private <
          B extends
              software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
                  & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>>
      B configure(B builder) {
    return configure(builder, credentials);
  }

  private <
          B extends
              software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
                  & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>>
      B configure(B builder, AwsCredentialsProvider signer) {
    return builder
        .endpointOverride(endpoint)
        .region(Region.of(ready.get("region").asText()))
        .credentialsProvider(signer)
        .httpClient(UrlConnectionHttpClient.create());
  }

  /** SDK clients signed as a session of one of the template's roles, as an application on AWS. */
  record RoleClients(DynamoDbClient dynamodb, LambdaClient lambda, SqsClient sqs, SfnClient sfn)
      implements AutoCloseable {
    @Override
    public void close() {
      dynamodb.close();
      lambda.close();
      sqs.close();
      sfn.close();
    }
  }

  /**
   * Clients that act as a role of the template: the first whose logical id starts with the prefix.
   */
  RoleClients as(String roleLogicalIdPrefix) {
    JsonNode role = ready.get("roles").get(logicalId("roles", roleLogicalIdPrefix));
    StaticCredentialsProvider session =
        StaticCredentialsProvider.create(
            AwsSessionCredentials.create(
                role.get("accessKeyId").asText(),
                role.get("secretAccessKey").asText(),
                role.get("sessionToken").asText()));
    return new RoleClients(
        configure(DynamoDbClient.builder(), session).build(),
        configure(LambdaClient.builder(), session).build(),
        configure(SqsClient.builder(), session).build(),
        configure(SfnClient.builder(), session).build());
  }

  /**
   * Every grant of the template's roles (an action, or a resource of a statement with several) with
   * the requests of this cloud's run that would have been denied without it: {@code [{role, policy,
   * statement, action | resource, neededBy: [{action, resource}]}]}.
   */
  JsonNode grants() {
    return inspect("iam/grants");
  }

  /** Every request the local IAM denied so far: {@code [{principal, action, resource}]}. */
  List<JsonNode> denials() {
    List<JsonNode> denied = new ArrayList<>();
    for (JsonNode decision : inspect("iam").get("decisions")) {
      if (!decision.get("result").asText().equals("Allowed")) {
        denied.add(decision);
      }
    }
    return denied;
  }

  /**
   * Deploys a synthesized stack locally.
   *
   * @param options cloud.mjs options, e.g. {@code --fault RecordStarted=...}
   */
  static LocalCloud start(Synth synth, String... options) {
    return start(synth.json, options);
  }

  static LocalCloud start(JsonNode template, String... options) {
    try {
      return new LocalCloud(template, List.of(options));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deploys a stack of plain CDK constructs, without the library's starter function. */
  static LocalCloud startWithoutStarter(Synth synth, String... options) {
    try {
      return new LocalCloud(synth.json, List.of(options), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path node() {
    Path node = HOME.resolve("node_modules/node/bin/node");
    if (!Files.isExecutable(node)) {
      throw new IllegalStateException(
          node
              + " is missing: run 'npm ci' in "
              + HOME
              + " (the Maven build does this in pre-integration-test)");
    }
    return node;
  }

  private static String firstLine(Process process) throws IOException {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      String ready = line.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
      if (ready == null) {
        throw new IOException(
            "cloud.mjs exited with "
                + process.waitFor()
                + " before it was ready (its stderr is above)");
      }
      return ready;
    } catch (Exception e) {
      throw new IOException("cloud.mjs did not start within " + STARTUP, e);
    }
  }

  String tableName() {
    return ready.get("tables").elements().next().asText();
  }

  /** The name of the first table whose logical id starts with the prefix. */
  String tableName(String logicalIdPrefix) {
    return name("tables", logicalIdPrefix);
  }

  String stateMachineArn() {
    return name("stateMachines", "TasksStateMachine");
  }

  /** The ARN of the first state machine whose logical id starts with the prefix. */
  String stateMachineArn(String logicalIdPrefix) {
    return name("stateMachines", logicalIdPrefix);
  }

  String reconcilerArn() {
    return name("stateMachines", "TasksReconciler");
  }

  /** The starter as callers invoke it: its alias with SnapStart, else the function. */
  String starter() {
    return ready.get("aliases").size() > 0
        ? ready.get("aliases").elements().next().asText()
        : ready.get("functions").elements().next().asText();
  }

  String queueUrl(String logicalIdPrefix) {
    return name("queues", logicalIdPrefix);
  }

  /** The ARN of the first custom event bus whose logical id starts with the prefix. */
  String eventBusArn(String logicalIdPrefix) {
    return name("eventBuses", logicalIdPrefix);
  }

  /** The name of the first pipe whose logical id starts with the prefix. */
  String pipeName(String logicalIdPrefix) {
    return name("pipes", logicalIdPrefix);
  }

  /** A DynamoDB Streams client, signed as the administrator. */
  DynamoDbStreamsClient streams() {
    return configure(DynamoDbStreamsClient.builder()).build();
  }

  /** An answer of EventBridge's JSON API: the HTTP status and the JSON body. */
  record EventsAnswer(int status, JsonNode body) {}

  /**
   * EventBridge's PutEvents (the SDK's request shape, {@code {"Entries": [...]}}), signed with
   * Signature Version 4 by the SDK's signer as a session of a role of the template (the first whose
   * logical id starts with the prefix). This build has no EventBridge SDK client.
   */
  EventsAnswer putEvents(String roleLogicalIdPrefix, String request) {
    JsonNode role = ready.get("roles").get(logicalId("roles", roleLogicalIdPrefix));
    AwsSessionCredentials session =
        AwsSessionCredentials.create(
            role.get("accessKeyId").asText(),
            role.get("secretAccessKey").asText(),
            role.get("sessionToken").asText());
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .uri(endpoint)
            .method(SdkHttpMethod.POST)
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "AWSEvents.PutEvents")
            .build();
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(session)
                        .request(unsigned)
                        .payload(ContentStreamProvider.fromUtf8String(request))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "events")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, ready.get("region").asText()))
            .request();
    HttpRequest.Builder http =
        HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofString(request));
    signed
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> http.header(name, value));
              }
            });
    try {
      HttpResponse<String> response =
          this.http.send(http.build(), HttpResponse.BodyHandlers.ofString());
      return new EventsAnswer(response.statusCode(), Synth.parse(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String name(String kind, String logicalIdPrefix) {
    return ready.get(kind).get(logicalId(kind, logicalIdPrefix)).asText();
  }

  /** The logical id of the first resource of a kind whose logical id starts with the prefix. */
  private String logicalId(String kind, String logicalIdPrefix) {
    for (Map.Entry<String, JsonNode> e : ready.get(kind).properties()) {
      if (e.getKey().startsWith(logicalIdPrefix)) {
        return e.getKey();
      }
    }
    throw new AssertionError("no " + kind + " " + logicalIdPrefix + " in " + ready.get(kind));
  }

  /** One synchronous invocation of the starter: its answer, or the function error. */
  record Invocation(String functionError, JsonNode output) {
    boolean failed() {
      return functionError != null;
    }

    String executionArn() {
      return output.get("executionArn").asText();
    }

    String taskId() {
      return output.get("taskId").asText();
    }

    /** The answer's timestamp exactly as sent, as DynamoDB's N string. */
    String timestamp() {
      return output.get("timestamp").decimalValue().toPlainString();
    }
  }

  Invocation invoke(String event) {
    InvokeResponse response =
        lambda.invoke(b -> b.functionName(starter()).payload(SdkBytes.fromUtf8String(event)));
    return new Invocation(response.functionError(), Synth.parse(response.payload().asUtf8String()));
  }

  /** Invokes with InvocationType Event: Lambda queues it and answers 202. */
  int invokeAsync(String event) {
    return lambda
        .invoke(
            b ->
                b.functionName(starter())
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(event)))
        .statusCode();
  }

  /** The item a start owns: the one of its task id whose ExecutionArn is the execution's. */
  List<Map<String, AttributeValue>> itemsOf(String taskId, String executionArn) {
    return items(taskId).stream()
        .filter(
            i -> i.containsKey("ExecutionArn") && executionArn.equals(i.get("ExecutionArn").s()))
        .toList();
  }

  Map<String, AttributeValue> item(String taskId, String timestamp) {
    Map<String, AttributeValue> item =
        dynamodb
            .getItem(
                b ->
                    b.tableName(tableName())
                        .consistentRead(true)
                        .key(
                            Map.of(
                                "taskId",
                                AttributeValue.fromS(taskId),
                                "timestamp",
                                AttributeValue.fromN(timestamp))))
            .item();
    return item.isEmpty() ? null : item;
  }

  List<Map<String, AttributeValue>> items(String taskId) {
    return dynamodb
        .query(
            b ->
                b.tableName(tableName())
                    .consistentRead(true)
                    .keyConditionExpression("taskId = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(taskId))))
        .items();
  }

  List<Map<String, AttributeValue>> allItems() {
    return dynamodb.scan(b -> b.tableName(tableName()).consistentRead(true)).items();
  }

  Map<String, AttributeValue> awaitItem(
      String taskId, String timestamp, Predicate<Map<String, AttributeValue>> condition) {
    return poll(
        () -> item(taskId, timestamp),
        i -> i != null && condition.test(i),
        "item " + taskId + "/" + timestamp);
  }

  static Predicate<Map<String, AttributeValue>> status(String... statuses) {
    return item -> item.containsKey("Status") && List.of(statuses).contains(item.get("Status").s());
  }

  DescribeExecutionResponse awaitExecution(String executionArn) {
    return poll(
        () -> stepFunctions.describeExecution(b -> b.executionArn(executionArn)),
        e -> e.status() != ExecutionStatus.RUNNING,
        "execution " + executionArn);
  }

  /** What the local cloud saw, from its inspection endpoint: executions, invocations... */
  JsonNode inspect(String what) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve("/_local/" + what)).build(),
              HttpResponse.BodyHandlers.ofString());
      return Synth.parse(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The local record of one execution, with the states it entered. */
  JsonNode execution(String executionArn) {
    for (JsonNode execution : inspect("executions")) {
      if (execution.get("executionArn").asText().equals(executionArn)) {
        return execution;
      }
    }
    throw new AssertionError("no execution " + executionArn);
  }

  /**
   * Waits until nothing runs any more: every execution, reconciler included, has ended and no
   * status change event is still being delivered. Executions are read before and after the
   * deliveries, so a delivery that starts the reconciler between two reads is not missed.
   */
  void awaitQuiet() {
    poll(
        () -> List.of(inspect("executions"), inspect("deliveries"), inspect("executions")),
        views ->
            noneIs(views.get(0), "RUNNING")
                && noneIs(views.get(1), "PENDING")
                && noneIs(views.get(2), "RUNNING"),
        "every event delivery and every execution to end");
  }

  private static boolean noneIs(JsonNode entries, String status) {
    for (JsonNode entry : entries) {
      if (entry.get("status").asText().equals(status)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every acknowledged start has exactly one item, its own (by ExecutionArn), with the acknowledged
   * timestamp (or the later one its collision moved it to), DONE or FAILED.
   */
  void assertEveryStartEndedInItsOwnFinalItem(List<Invocation> acknowledged) {
    awaitQuiet();
    for (Invocation started : acknowledged) {
      List<Map<String, AttributeValue>> own = itemsOf(started.taskId(), started.executionArn());
      if (own.size() != 1) {
        throw new AssertionError(
            "start "
                + started.output()
                + " has "
                + own.size()
                + " items: "
                + items(started.taskId()));
      }
      Map<String, AttributeValue> item = own.get(0);
      String status = item.get("Status").s();
      if (!status.equals("DONE") && !status.equals("FAILED")) {
        throw new AssertionError("start " + started.output() + " ended " + status + ": " + item);
      }
      BigDecimal recorded = new BigDecimal(item.get("timestamp").n());
      BigDecimal answered = new BigDecimal(started.timestamp());
      if (recorded.compareTo(answered) != 0 && !item.containsKey("RequestedTimestamp")) {
        throw new AssertionError(
            "start answered timestamp "
                + answered
                + " but its item is at "
                + recorded
                + " without a RequestedTimestamp: "
                + item);
      }
    }
  }

  static <T> T poll(Supplier<T> read, Predicate<T> done, String what) {
    return poll(read, done, PATIENCE, what);
  }

  static <T> T poll(Supplier<T> read, Predicate<T> done, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    T value = read.get();
    while (!done.test(value)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            what + " did not reach the expected state within " + timeout + "; last seen: " + value);
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
    return process.isAlive();
  }

  @Override
  public void close() {
    for (AutoCloseable client : new AutoCloseable[] {dynamodb, stepFunctions, lambda, sqs}) {
      try {
        if (client != null) {
          client.close();
        }
      } catch (Exception ignored) {
        // Closing a client of a local endpoint cannot fail in a way that matters.
      }
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
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
