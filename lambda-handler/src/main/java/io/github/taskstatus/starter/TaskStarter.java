package io.github.taskstatus.starter;

import io.github.taskstatus.client.ExecutionNames;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * Starts one execution per task: builds the execution input and an idempotent execution name,
 * retries throttling and transient errors with jittered exponential backoff while the caller's time
 * budget allows, gives every attempt a timeout, and treats {@code ExecutionAlreadyExists} as the
 * duplicate it is. Configuration errors (no credentials, an unknown caller) fail at once.
 */
final class TaskStarter {

  /** Backoff before the second attempt; doubled for each further attempt. */
  static final long BASE_DELAY_MILLIS = 100;

  /** Upper bound of one backoff. */
  static final long MAX_DELAY_MILLIS = 2_000;

  /** Time kept in reserve after the last attempt, so the function can still answer. */
  static final long RESERVE_MILLIS = 3_000;

  /** Longest one StartExecution attempt may take; the service answers in milliseconds. */
  static final long ATTEMPT_TIMEOUT_MILLIS = 2_000;

  /** The shortest timeout an attempt gets, however little budget is left. */
  static final long MIN_ATTEMPT_MILLIS = 250;

  /** Attempts at most, even with time to spare. */
  static final int MAX_ATTEMPTS = 8;

  private static final SecureRandom JITTER = new SecureRandom();

  private final SfnClient sfn;
  private final String stateMachineArn;
  private final TaskTimestamps timestamps;
  private final ExecutionInput input;
  private final Sleeper sleeper;

  /** Pauses between attempts; a seam so tests need not sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /**
   * The outcome of a start.
   *
   * @param taskId the task id
   * @param timestamp the execution's {@code timestamp}, the item's sort key; {@code null} for a
   *     duplicate, whose item is the one that carries its {@code executionArn} (the starter may not
   *     read executions, so it cannot look the first start's timestamp up)
   * @param executionName the execution name
   * @param executionArn the execution's ARN
   * @param duplicate whether an execution of this name already existed
   * @param attempts StartExecution calls made
   */
  record Started(
      String taskId,
      BigDecimal timestamp,
      String executionName,
      String executionArn,
      boolean duplicate,
      int attempts) {

    /** The function's answer: taskId, timestamp, executionArn, executionName, duplicate. */
    String toJson() {
      return Json.object(
          g -> {
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

  TaskStarter(
      SfnClient sfn,
      String stateMachineArn,
      TaskTimestamps timestamps,
      ExecutionInput input,
      Sleeper sleeper) {
    this.sfn = Objects.requireNonNull(sfn, "sfn");
    this.stateMachineArn = Objects.requireNonNull(stateMachineArn, "stateMachineArn");
    this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
    this.input = Objects.requireNonNull(input, "input");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /** Whether the budget leaves room for a whole attempt and the answer after it. */
  static boolean hasRoomForAnAttempt(long remainingMillis) {
    return remainingMillis >= RESERVE_MILLIS + ATTEMPT_TIMEOUT_MILLIS;
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
   * @throws SdkException when the call fails for good: not retryable, or retried until the budget
   *     ran out
   */
  Started start(
      StartRequest request, String defaultKey, LongSupplier remainingMillis, Consumer<String> log) {
    String key = request.idempotencyKey() != null ? request.idempotencyKey() : defaultKey;
    String name = ExecutionNames.of(request.taskId(), Objects.requireNonNull(key, "defaultKey"));
    BigDecimal timestamp = timestamps.next(request.taskId());
    String executionInput = input.toJson(request.taskId(), timestamp);
    for (int attempt = 1; ; attempt++) {
      try {
        Duration timeout = attemptTimeout(remainingMillis.getAsLong());
        StartExecutionResponse response =
            sfn.startExecution(
                b ->
                    b.stateMachineArn(stateMachineArn)
                        .name(name)
                        .input(executionInput)
                        .overrideConfiguration(o -> o.apiCallAttemptTimeout(timeout)));
        logDecision(log, "started", request.taskId(), name, attempt, null);
        return new Started(
            request.taskId(), timestamp, name, response.executionArn(), false, attempt);
      } catch (ExecutionAlreadyExistsException e) {
        logDecision(log, "duplicate", request.taskId(), name, attempt, null);
        return new Started(request.taskId(), null, name, executionArn(name), true, attempt);
      } catch (SdkException e) {
        long delay = backoff(attempt);
        if (!isTransient(e)
            || attempt >= MAX_ATTEMPTS
            || !hasRoomForAnAttempt(remainingMillis.getAsLong() - delay)) {
          logDecision(log, "failed", request.taskId(), name, attempt, describe(e));
          throw e;
        }
        logDecision(log, "retrying", request.taskId(), name, attempt, describe(e));
        pause(delay);
      }
    }
  }

  /** The attempt's timeout: the usual one, or what the budget leaves, whichever is less. */
  private static Duration attemptTimeout(long remainingMillis) {
    return Duration.ofMillis(
        Math.max(
            MIN_ATTEMPT_MILLIS,
            Math.min(ATTEMPT_TIMEOUT_MILLIS, remainingMillis - RESERVE_MILLIS)));
  }

  /** The ARN Step Functions gives an execution of this state machine with this name. */
  String executionArn(String name) {
    return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + name;
  }

  /**
   * Throttling, server errors, timeouts and connection failures are transient; a caller AWS does
   * not recognise, missing permissions, bad input and missing credentials are not.
   */
  static boolean isTransient(SdkException e) {
    if (e instanceof SfnException service) {
      return service.statusCode() >= 500 || service.isThrottlingException();
    }
    return e instanceof SdkClientException && !LambdaCredentials.isCredentialsFailure(e);
  }

  private static String describe(SdkException e) {
    if (e instanceof SfnException service && service.awsErrorDetails() != null) {
      return service.awsErrorDetails().errorCode();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
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

  private static void logDecision(
      Consumer<String> log, String event, String taskId, String name, int attempt, String error) {
    log.accept(
        Json.object(
            g -> {
              g.writeStringField("event", event);
              g.writeStringField("taskId", taskId);
              g.writeStringField("executionName", name);
              g.writeNumberField("attempt", attempt);
              if (error != null) {
                g.writeStringField("error", error);
              }
            }));
  }
}
