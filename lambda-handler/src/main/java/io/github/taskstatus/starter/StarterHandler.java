package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.crac.Core;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The Lambda entry point. Invoked directly with {@code {"taskId": "..."}} (optionally with an
 * {@code idempotencyKey}), it starts the execution and returns {@code taskId}, {@code timestamp}
 * and {@code executionArn} as JSON. Invoked by an SQS event source, it starts one execution per
 * message, keyed on the message id, and returns {@code batchItemFailures}.
 *
 * <p>Configuration comes from the environment: {@code STATE_MACHINE_ARN} (set by the construct),
 * {@code AWS_REGION} and the credentials Lambda provides. {@code AWS_ENDPOINT_URL_SFN}, honoured
 * by the SDK, points the client elsewhere, which is how the local harness runs this jar.
 */
public final class StarterHandler implements RequestStreamHandler {

  /** The environment variable holding the state machine's ARN. */
  public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";

  /** Lambda's own limit on a synchronous event; an SQS batch can be this large. */
  static final int MAX_LAMBDA_EVENT_BYTES = 6 * 1024 * 1024;

  /** How many starts of one SQS batch run at once. */
  static final int BATCH_CONCURRENCY = 10;

  private final TaskStarter starter;
  private final BatchStarter batchStarter;

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
    this.batchStarter = new BatchStarter(starter, BatchPool.INSTANCE);
  }

  /**
   * Starts one task for {@code {"taskId": "..."}}, answering with the execution; or, for an SQS
   * event, one task per message, answering with the messages that failed.
   */
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] event = input.readNBytes(MAX_LAMBDA_EVENT_BYTES + 1);
    SQSEvent batch = event.length <= MAX_LAMBDA_EVENT_BYTES ? SqsEvents.parse(event) : null;
    String response;
    if (batch != null) {
      response = SqsEvents.toJson(batchStarter.start(batch, context::getRemainingTimeInMillis,
          context.getLogger()::log));
    } else {
      response = starter.start(StartRequest.parse(event), context.getAwsRequestId(),
          context::getRemainingTimeInMillis, context.getLogger()::log).toJson();
    }
    output.write(response.getBytes(StandardCharsets.UTF_8));
  }

  /** The threads that start a batch's tasks, shared by every invocation of the environment. */
  private static final class BatchPool {
    static final ExecutorService INSTANCE = Executors.newFixedThreadPool(BATCH_CONCURRENCY,
        runnable -> {
          Thread thread = new Thread(runnable, "task-starter");
          thread.setDaemon(true);
          return thread;
        });
  }

  /** Holds the client built from the environment; initialised once, when Lambda first calls. */
  private static final class Default {
    static final String STATE_MACHINE = requireStateMachineArn();
    static final Region REGION =
        Region.of(Objects.requireNonNullElse(System.getenv("AWS_REGION"), "us-east-1"));
    static final TaskStarter STARTER = new TaskStarter(SfnClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
        .region(REGION)
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build(), STATE_MACHINE, Clock.systemUTC(), Thread::sleep);
    /** Runs when SnapStart takes the snapshot; held here because CRaC holds it weakly. */
    static final Priming PRIMING = new Priming(REGION, STATE_MACHINE);

    static {
      Core.getGlobalContext().register(PRIMING);
    }

    private static String requireStateMachineArn() {
      String arn = System.getenv(STATE_MACHINE_ARN);
      if (arn == null || arn.isBlank()) {
        throw new IllegalStateException(STATE_MACHINE_ARN + " is not set; the TaskStatusWorkflow"
            + " construct sets it to the state machine this function starts");
      }
      return arn;
    }
  }
}
