package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.CRC32;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * DynamoDB, Lambda, SQS and Step Functions on one local HTTP endpoint, speaking the wire protocols
 * the SDK speaks to the real services: DynamoDB's JSON 1.0 ({@code X-Amz-Target:
 * DynamoDB_20120810.Query}, with {@code x-amz-crc32}), Lambda's REST {@code Invoke} (function
 * errors in {@code X-Amz-Function-Error}), SQS's JSON 1.0 ({@code AmazonSQS.SendMessage}, with the
 * body's MD5, which the SDK checks: {@link FakeSqs}) and Step Functions' JSON 1.0 ({@code
 * AWSStepFunctions.RedriveExecution}: {@link FakeStepFunctions}). Every request is recorded for
 * assertions.
 */
final class FakeAws implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TABLE = "Tasks";
  static final String STARTER = "arn:aws:lambda:us-east-1:123456789012:function:Starter:live";
  static final String QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/Tasks";
  static final String WORKER_QUEUE_URL =
      "https://sqs.us-east-1.amazonaws.com/123456789012/TasksWorker";
  static final String RECONCILER =
      "arn:aws:states:us-east-1:123456789012:stateMachine:TasksReconciler";

  /** One request as the endpoint received it. */
  record Request(String method, String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The AWS operation: the target of JSON protocols, {@code Invoke} for Lambda. */
    String operation() {
      String target = header("X-Amz-Target");
      if (target != null) {
        return target.substring(target.indexOf('.') + 1);
      }
      return path.endsWith("/invocations") ? "Invoke" : method + " " + path;
    }
  }

  /** An HTTP answer. */
  record Reply(int status, Map<String, String> headers, String body) {
    static Reply json(int status, Object body) {
      try {
        return new Reply(status, Map.of(), JSON.writeValueAsString(body));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What the starter function answers for an invocation payload. */
  private volatile Function<JsonNode, Reply> starter =
      payload -> functionError("java.lang.IllegalStateException", "no answer configured");

  private final HttpServer server;
  private final FakeDynamoDb dynamoDb = new FakeDynamoDb();
  private final FakeStepFunctions stepFunctions = new FakeStepFunctions();
  private final FakeSqs sqs = new FakeSqs(QUEUE_URL, WORKER_QUEUE_URL);
  private final List<Request> requests = new ArrayList<>();
  private final List<SdkAutoCloseable> clients = new ArrayList<>();

  FakeAws() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  FakeDynamoDb dynamoDb() {
    return dynamoDb;
  }

  FakeStepFunctions stepFunctions() {
    return stepFunctions;
  }

  FakeSqs sqs() {
    return sqs;
  }

  /** Sets the starter function's behaviour. */
  void starter(Function<JsonNode, Reply> answer) {
    this.starter = Objects.requireNonNull(answer);
  }

  /** The starter's answer to a successful start. */
  static Reply started(String json) {
    return new Reply(200, Map.of(), json);
  }

  /** A function error as Lambda reports it: 200, X-Amz-Function-Error and the error JSON. */
  static Reply functionError(String type, String message) {
    ObjectNode error = JSON.createObjectNode().put("errorType", type).put("errorMessage", message);
    error.putArray("stackTrace").add("io.github.taskstatus.starter.StartRequest.<init>");
    return new Reply(200, Map.of("X-Amz-Function-Error", "Unhandled"), error.toString());
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The requests of one operation, such as {@code Query}, {@code Invoke}, {@code SendMessage}. */
  synchronized List<Request> requests(String operation) {
    return requests.stream().filter(r -> r.operation().equals(operation)).toList();
  }

  DynamoDbClient dynamoDbClient() {
    return keep(
        DynamoDbClient.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build());
  }

  LambdaClient lambdaClient() {
    return keep(
        LambdaClient.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build());
  }

  SqsClient sqsClient() {
    return keep(
        SqsClient.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build());
  }

  SfnClient sfnClient() {
    return keep(
        SfnClient.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build());
  }

  /** A worker on the fakes' worker queue and table, its SDK clients on the fakes. */
  TaskWorker.Builder worker() {
    return TaskWorker.builder()
        .queueUrl(WORKER_QUEUE_URL)
        .tableName(TABLE)
        .sqs(sqsClient())
        .stepFunctions(sfnClient())
        .dynamoDb(dynamoDbClient());
  }

  /** A client on all four fakes, in direct mode, with fast polling. */
  TaskStatusClient.Builder client() {
    return TaskStatusClient.builder()
        .tableName(TABLE)
        .starterFunction(STARTER)
        .dynamoDb(dynamoDbClient())
        .lambda(lambdaClient())
        .sqs(sqsClient())
        .stepFunctions(sfnClient())
        .pollInterval(Duration.ofMillis(5))
        .maxPollInterval(Duration.ofMillis(20));
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret"));
  }

  private synchronized <C extends SdkAutoCloseable> C keep(C client) {
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    server.stop(0);
    for (SdkAutoCloseable client : clients) {
      client.close();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      Request request =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              headers,
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      synchronized (this) {
        requests.add(request);
      }
      Reply reply = route(request);
      final byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
      if (request.header("X-Amz-Target") != null) {
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
      } else {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
      }
      if (isDynamoDb(request)) {
        CRC32 crc = new CRC32();
        crc.update(body);
        exchange.getResponseHeaders().add("x-amz-crc32", Long.toString(crc.getValue()));
      }
      exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static boolean isDynamoDb(Request request) {
    String target = request.header("X-Amz-Target");
    return target != null && target.startsWith("DynamoDB_20120810.");
  }

  private Reply route(Request request) {
    String target = request.header("X-Amz-Target");
    if (isDynamoDb(request)) {
      return dynamoDb.handle(request.operation(), request.json());
    }
    if (target != null && target.startsWith("AmazonSQS.")) {
      return sqs.handle(request.operation(), request.json());
    }
    if (target != null && target.startsWith("AWSStepFunctions.")) {
      return stepFunctions.handle(request.operation(), request.json());
    }
    if (request.method().equals("POST")
        && request.path().startsWith("/2015-03-31/functions/")
        && request.path().endsWith("/invocations")) {
      return invoke(request);
    }
    return Reply.json(
        404, Map.of("message", "no such operation: " + request.method() + " " + request.path()));
  }

  /** Lambda Invoke: the function name (or ARN) is the path's percent-decoded segment. */
  private Reply invoke(Request request) {
    String name =
        request
            .path()
            .substring(
                "/2015-03-31/functions/".length(),
                request.path().length() - "/invocations".length());
    if (!name.equals(STARTER)) {
      return new Reply(
          404,
          Map.of("x-amzn-ErrorType", "ResourceNotFoundException"),
          JSON.createObjectNode()
              .put("Type", "User")
              .put("Message", "Function not found: " + name)
              .toString());
    }
    Reply reply = starter.apply(request.json());
    Map<String, String> headers = new TreeMap<>(reply.headers());
    headers.put("X-Amz-Executed-Version", "1");
    return new Reply(reply.status(), headers, reply.body());
  }
}
