package io.github.taskstatus.starter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * Starts one execution per task: builds the execution input and an idempotent execution name,
 * retries throttling and transient errors with jittered exponential backoff while the caller's
 * time budget allows, and treats {@code ExecutionAlreadyExists} as the duplicate it is.
 */
public final class TaskStarter {

  /** Backoff before the second attempt; doubled for each further attempt. */
  static final long BASE_DELAY_MILLIS = 100;
  /** Upper bound of one backoff. */
  static final long MAX_DELAY_MILLIS = 2_000;
  /** Time kept in reserve after the last attempt, so the function can still answer. */
  static final long RESERVE_MILLIS = 3_000;
  /** Attempts at most, even with time to spare. */
  static final int MAX_ATTEMPTS = 8;

  private static final JsonFactory JSON = new JsonFactory();
  private static final SecureRandom JITTER = new SecureRandom();

  private final SfnClient sfn;
  private final String stateMachineArn;
  private final Clock clock;
  private final Sleeper sleeper;

  /** Pauses between attempts; a seam so tests need not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Pauses.
     *
     * @param millis how long
     * @throws InterruptedException if interrupted
     */
    void sleep(long millis) throws InterruptedException;
  }

  /**
   * The outcome of a start.
   *
   * @param taskId the task id
   * @param timestamp the Unix seconds sent as the execution's {@code timestamp}; {@code null} for
   *     a duplicate, whose first start chose it
   * @param executionName the execution name
   * @param executionArn the execution's ARN
   * @param duplicate whether an execution of this name already existed
   * @param attempts StartExecution calls made
   */
  public record Started(
      String taskId, Long timestamp, String executionName, String executionArn,
      boolean duplicate, int attempts) {

    /**
     * Renders the result the function returns.
     *
     * @return a JSON object with {@code taskId}, {@code timestamp}, {@code executionArn},
     *     {@code executionName} and {@code duplicate}
     */
    public String toJson() {
      return json(g -> {
        g.writeStringField("taskId", taskId);
        if (timestamp == null) {
          g.writeNullField("timestamp");
        } else {
          g.writeNumberField("timestamp", timestamp);
        }
        g.writeStringField("executionArn", executionArn);
        g.writeStringField("executionName", executionName);
        g.writeBooleanField("duplicate", duplicate);
      });
    }
  }

  /**
   * Creates a starter.
   *
   * @param sfn the Step Functions client; its own retries should be off, this class retries
   * @param stateMachineArn the state machine to start
   * @param clock the source of the execution's {@code timestamp}
   * @param sleeper pauses between attempts
   */
  public TaskStarter(SfnClient sfn, String stateMachineArn, Clock clock, Sleeper sleeper) {
    this.sfn = Objects.requireNonNull(sfn, "sfn");
    this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /**
   * Starts the task's execution, or recognises that this start already happened.
   *
   * @param request the validated request
   * @param defaultKey the idempotency key when the request has none: something stable across
   *     retries of the same delivery (the Lambda request id, an SQS message id)
   * @param remainingMillis the time left in the caller's budget
   * @param log receives one JSON line per decision: started, duplicate, retrying or failed
   * @return what was started
   * @throws SfnException or {@link SdkClientException} when the call fails for good: not
   *     retryable, or retried until the budget ran out
   */
  public Started start(StartRequest request, String defaultKey, LongSupplier remainingMillis,
      Consumer<String> log) {
    String key = request.idempotencyKey() != null ? request.idempotencyKey() : defaultKey;
    String name = ExecutionNames.of(request.taskId(), Objects.requireNonNull(key, "defaultKey"));
    long timestamp = clock.instant().getEpochSecond();
    String input = json(g -> {
      g.writeStringField("taskId", request.taskId());
      g.writeNumberField("timestamp", timestamp);
    });
    for (int attempt = 1; ; attempt++) {
      try {
        StartExecutionResponse response = sfn.startExecution(
            b -> b.stateMachineArn(stateMachineArn).name(name).input(input));
        logDecision(log, "started", request.taskId(), name, attempt, null);
        return new Started(request.taskId(), timestamp, name, response.executionArn(), false,
            attempt);
      } catch (ExecutionAlreadyExistsException e) {
        logDecision(log, "duplicate", request.taskId(), name, attempt, null);
        return new Started(request.taskId(), null, name, executionArn(name), true, attempt);
      } catch (SfnException | SdkClientException e) {
        long delay = backoff(attempt);
        if (!isTransient(e) || attempt >= MAX_ATTEMPTS
            || remainingMillis.getAsLong() < delay + RESERVE_MILLIS) {
          logDecision(log, "failed", request.taskId(), name, attempt, errorCode(e));
          throw e;
        }
        logDecision(log, "retrying", request.taskId(), name, attempt, errorCode(e));
        pause(delay);
      }
    }
  }

  /** The ARN Step Functions gives an execution of this state machine with this name. */
  String executionArn(String name) {
    return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + name;
  }

  static boolean isTransient(RuntimeException e) {
    if (e instanceof SdkClientException) {
      return true;
    }
    SfnException service = (SfnException) e;
    String code = errorCode(service);
    return service.statusCode() >= 500 || service.isThrottlingException()
        || "ThrottlingException".equals(code) || "ServiceUnavailable".equals(code);
  }

  private static String errorCode(RuntimeException e) {
    if (e instanceof SfnException service && service.awsErrorDetails() != null) {
      return service.awsErrorDetails().errorCode();
    }
    return e.getClass().getSimpleName();
  }

  /**
   * Jitter: a uniform pause between half and all of the exponential bound. SecureRandom, not
   * ThreadLocalRandom, whose seed would be the same in every environment restored from one
   * SnapStart snapshot.
   */
  private static long backoff(int attempt) {
    long bound = Math.min(MAX_DELAY_MILLIS, BASE_DELAY_MILLIS << Math.min(attempt - 1, 20));
    return bound / 2 + JITTER.nextLong(bound / 2 + 1);
  }

  private void pause(long millis) {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }

  private static void logDecision(Consumer<String> log, String event, String taskId, String name,
      int attempt, String error) {
    log.accept(json(g -> {
      g.writeStringField("event", event);
      g.writeStringField("taskId", taskId);
      g.writeStringField("executionName", name);
      g.writeNumberField("attempt", attempt);
      if (error != null) {
        g.writeStringField("error", error);
      }
    }));
  }

  /** Writes the fields of one JSON object. */
  @FunctionalInterface
  interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  static String json(Fields fields) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
