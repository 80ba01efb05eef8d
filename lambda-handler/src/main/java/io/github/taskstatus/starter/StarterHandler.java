package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Lambda entry point. Invoked directly with {@code {"taskId": "..."}} (optionally with an
 * {@code idempotencyKey}), it starts the execution and returns {@code taskId}, {@code timestamp}
 * and {@code executionArn} as JSON. Invoked by an SQS event source, it starts one execution per
 * message, keyed on the message id, and returns {@code batchItemFailures}.
 *
 * <p>Configuration comes from the environment Lambda provides: {@code STATE_MACHINE_ARN} (set by
 * the construct), {@code AWS_REGION} and credentials, in environment variables on demand and from
 * the container credentials endpoint under SnapStart (see {@link LambdaCredentials}).
 */
public final class StarterHandler implements RequestStreamHandler {

  /** Lambda's own limit on a synchronous event; an SQS batch can be this large. */
  static final int MAX_LAMBDA_EVENT_BYTES = 6 * 1024 * 1024;

  private final TaskStarter starter;
  private final BatchStarter batchStarter;

  /** Keeps the SnapStart hooks alive: CRaC holds them weakly. */
  private final Object hooks;

  /**
   * Used by Lambda: builds the client from the environment once per execution environment and
   * registers the SnapStart hooks.
   *
   * @throws IllegalStateException naming the environment variable that is missing or invalid
   */
  public StarterHandler() {
    this(StarterEnvironment.fromSystem());
  }

  private StarterHandler(StarterEnvironment environment) {
    this(environment.starter(), environment);
  }

  /** With a given starter, for tests; {@code hooks} is kept for as long as the handler. */
  StarterHandler(TaskStarter starter, Object hooks) {
    this.starter = Objects.requireNonNull(starter, "starter");
    this.batchStarter = new BatchStarter(starter, BatchPool.INSTANCE);
    this.hooks = hooks;
  }

  /**
   * Starts one task for {@code {"taskId": "..."}}, answering with the execution; or, for an SQS
   * event, one task per message, answering with the messages that were not started.
   */
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] event = input.readNBytes(MAX_LAMBDA_EVENT_BYTES + 1);
    if (event.length > MAX_LAMBDA_EVENT_BYTES) {
      throw new InvalidTaskException(
          "event is over Lambda's limit of " + MAX_LAMBDA_EVENT_BYTES + " bytes");
    }
    LambdaEvents.LambdaEvent classified = LambdaEvents.classify(event);
    String response =
        classified instanceof LambdaEvents.SqsBatch batch
            ? BatchStarter.toJson(
                batchStarter.start(
                    batch, context::getRemainingTimeInMillis, context.getLogger()::log))
            : starter
                .start(
                    StartRequest.parse(((LambdaEvents.Direct) classified).event()),
                    context.getAwsRequestId(),
                    context::getRemainingTimeInMillis,
                    context.getLogger()::log)
                .toJson();
    output.write(response.getBytes(StandardCharsets.UTF_8));
  }

  /** The threads that start a batch's tasks, shared by every invocation of the environment. */
  private static final class BatchPool {
    static final ExecutorService INSTANCE =
        Executors.newFixedThreadPool(
            BatchStarter.CONCURRENCY,
            runnable -> {
              Thread thread = new Thread(runnable, "task-starter");
              thread.setDaemon(true);
              return thread;
            });
  }
}
