package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The Lambda entry point: reads {@code {"taskId": "..."}} (optionally with an
 * {@code idempotencyKey}), starts the execution and returns {@code taskId}, {@code timestamp}
 * and {@code executionArn} as JSON.
 *
 * <p>Configuration comes from the environment: {@code STATE_MACHINE_ARN} (set by the construct),
 * {@code AWS_REGION} and the credentials Lambda provides. {@code AWS_ENDPOINT_URL_SFN}, honoured
 * by the SDK, points the client elsewhere, which is how the local harness runs this jar.
 */
public final class StarterHandler implements RequestStreamHandler {

  /** The environment variable holding the state machine's ARN. */
  public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";

  private final TaskStarter starter;

  /** Used by Lambda: the client is built once per execution environment, on first use. */
  public StarterHandler() {
    this(Default.STARTER);
  }

  /**
   * Uses a given starter, for callers that build their own client.
   *
   * @param starter the starter
   */
  public StarterHandler(TaskStarter starter) {
    this.starter = Objects.requireNonNull(starter, "starter");
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    StartRequest request = StartRequest.parse(input.readNBytes(StartRequest.MAX_EVENT_BYTES + 1));
    TaskStarter.Started started =
        starter.start(request, context.getAwsRequestId(), context::getRemainingTimeInMillis,
            context.getLogger()::log);
    output.write(started.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** Holds the client built from the environment; initialised once, when Lambda first calls. */
  private static final class Default {
    static final TaskStarter STARTER = create();

    private static TaskStarter create() {
      String arn = System.getenv(STATE_MACHINE_ARN);
      if (arn == null || arn.isBlank()) {
        throw new IllegalStateException(STATE_MACHINE_ARN + " is not set; the TaskStatusWorkflow"
            + " construct sets it to the state machine this function starts");
      }
      SfnClient sfn = SfnClient.builder()
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
          .region(Region.of(Objects.requireNonNullElse(System.getenv("AWS_REGION"), "us-east-1")))
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
          .build();
      return new TaskStarter(sfn, arn, Clock.systemUTC(), Thread::sleep);
    }
  }
}
