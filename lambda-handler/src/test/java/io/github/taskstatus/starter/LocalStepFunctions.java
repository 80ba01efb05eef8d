package io.github.taskstatus.starter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * A Step Functions endpoint on 127.0.0.1 that speaks the service's JSON 1.0 protocol for
 * StartExecution, as the SDK sends it. It records each request, can be told to fail the next calls
 * with a given error, and applies the service's name rule: a name already used with a different
 * input is {@code ExecutionAlreadyExists}; the same name and input returns the same ARN.
 */
final class LocalStepFunctions implements AutoCloseable {
  static final String STATE_MACHINE_ARN =
      "arn:aws:states:us-east-1:123456789012:stateMachine:Tasks";

  /** What the construct's environment gives the starter: a 330-second timeout, no retention. */
  static final ExecutionInput INPUT =
      new ExecutionInput(330, java.util.Optional.empty(), java.util.Optional.empty());

  /** The real handler, starting this endpoint's state machine through {@code client}. */
  static StarterHandler handler(
      SfnClient client, java.time.Clock clock, TaskStarter.Sleeper sleeper) {
    return new StarterHandler(
        new TaskStarter(client, STATE_MACHINE_ARN, new TaskTimestamps(clock), INPUT, sleeper),
        null);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<JsonNode> requests = new ArrayList<>();
  private final Deque<int[]> failureStatus = new ArrayDeque<>();
  private final Deque<String> failureCodes = new ArrayDeque<>();
  private final Map<String, String> inputsByName = new HashMap<>();
  private final java.util.Set<String> throttledTaskIds = new java.util.HashSet<>();
  private volatile long delayMillis;
  private final java.util.concurrent.atomic.AtomicInteger arrivals =
      new java.util.concurrent.atomic.AtomicInteger();

  LocalStepFunctions() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(32));
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A client as the handler builds it (URLConnection, no SDK retries), aimed at this endpoint. */
  SfnClient client() {
    return SfnClient.builder()
        .endpointOverride(endpoint())
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** Makes the next {@code times} calls fail with this HTTP status and error code. */
  synchronized void failNext(int times, int status, String errorCode) {
    for (int i = 0; i < times; i++) {
      failureStatus.add(new int[] {status});
      failureCodes.add(errorCode);
    }
  }

  /** Makes every answer come this much later, like a slow or unreachable service. */
  void delayAnswers(long millis) {
    delayMillis = millis;
  }

  /** Makes every start of these task ids fail with ThrottlingException. */
  synchronized void throttleAlways(java.util.Collection<String> taskIds) {
    throttledTaskIds.addAll(taskIds);
  }

  /** The executions started, by name: one per distinct name. */
  synchronized Map<String, String> executions() {
    return Map.copyOf(inputsByName);
  }

  /** Requests that arrived, answered or not. */
  int arrivals() {
    return arrivals.get();
  }

  synchronized List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      arrivals.incrementAndGet();
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      int status;
      String response;
      synchronized (this) {
        requests.add(body);
        if (!"AWSStepFunctions.StartExecution".equals(target)) {
          status = 400;
          response = error("UnknownOperationException", "unsupported: " + target);
        } else if (throttledTaskIds.contains(
            JSON.readTree(body.path("input").asText("{}")).path("taskId").asText())) {
          status = 400;
          response = error("ThrottlingException", "Rate exceeded");
        } else if (!failureStatus.isEmpty()) {
          status = failureStatus.poll()[0];
          String code = failureCodes.poll();
          response = error(code, "injected " + code);
        } else {
          String name = body.path("name").asText();
          String input = body.path("input").asText();
          String previous = inputsByName.putIfAbsent(name, input);
          if (previous != null && !previous.equals(input)) {
            status = 400;
            response = error("ExecutionAlreadyExists", "Execution Already Exists: '" + name + "'");
          } else {
            status = 200;
            response =
                "{\"executionArn\":\""
                    + STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")
                    + ":"
                    + name
                    + "\",\"startDate\":1.7E9}";
          }
        }
      }
      byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private static String error(String code, String message) {
    return "{\"__type\":\"com.amazonaws.swf.service.v2.model#"
        + code
        + "\",\"message\":\""
        + message
        + "\"}";
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
