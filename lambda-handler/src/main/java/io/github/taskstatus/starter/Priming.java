package io.github.taskstatus.starter;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * SnapStart priming: before Lambda takes the snapshot, run a whole start (request validation,
 * execution name, input JSON, the SDK's marshalling, endpoint resolution, signing and response
 * unmarshalling) and an SQS batch classification, so the classes are loaded and the code warm in
 * the snapshot. The SDK client used here answers from memory with made-up credentials: priming
 * never calls AWS, never starts an execution and never fetches real credentials.
 */
final class Priming implements Resource {
  private static final String CANNED_RESPONSE =
      "{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:priming:priming\","
          + "\"startDate\":1.7E9}";
  private static final byte[] SAMPLE_BATCH =
      ("{\"Records\":[{\"messageId\":\"priming\","
              + "\"body\":\"{\\\"taskId\\\":\\\"priming\\\"}\",\"eventSource\":\"aws:sqs\"}]}")
          .getBytes(StandardCharsets.UTF_8);

  private final Region region;
  private final String stateMachineArn;
  private final ExecutionInput input;
  private final AtomicInteger cannedCalls = new AtomicInteger();

  /**
   * Creates the hook.
   *
   * @param region the region the real client uses, so the same endpoint rules run
   * @param stateMachineArn the real state machine's ARN
   * @param input what the real starter's execution inputs carry
   */
  Priming(Region region, String stateMachineArn, ExecutionInput input) {
    this.region = region;
    this.stateMachineArn = stateMachineArn;
    this.input = input;
  }

  /** Runs the start path once against the in-memory client. */
  void prime() {
    try (SfnClient canned =
        SfnClient.builder()
            .httpClient(new CannedHttpClient())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
            .region(region)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      TaskStarter starter =
          new TaskStarter(
              canned, stateMachineArn, new TaskTimestamps(Clock.systemUTC()), input, millis -> {});
      LambdaEvents.LambdaEvent direct =
          LambdaEvents.classify("{\"taskId\":\"priming\"}".getBytes(StandardCharsets.UTF_8));
      starter
          .start(
              StartRequest.parse(((LambdaEvents.Direct) direct).event()),
              "priming",
              () -> 60_000,
              line -> {})
          .toJson();
      LambdaEvents.classify(SAMPLE_BATCH);
    }
  }

  /** How many requests the in-memory client answered: the real client sent none. */
  int cannedCalls() {
    return cannedCalls.get();
  }

  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    prime();
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    // Nothing here holds state from before the snapshot; LambdaCredentials resets its own.
  }

  /** Answers every request with a successful StartExecution response. */
  private final class CannedHttpClient implements SdkHttpClient {
    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() {
          cannedCalls.incrementAndGet();
          byte[] body = CANNED_RESPONSE.getBytes(StandardCharsets.UTF_8);
          return HttpExecuteResponse.builder()
              .response(
                  SdkHttpResponse.builder()
                      .statusCode(200)
                      .putHeader("Content-Type", "application/x-amz-json-1.0")
                      .putHeader("Content-Length", Integer.toString(body.length))
                      .build())
              .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
              .build();
        }

        @Override
        public void abort() {
          // Nothing in flight.
        }
      };
    }

    @Override
    public String clientName() {
      return "priming";
    }

    @Override
    public void close() {
      // Nothing to release.
    }
  }
}
