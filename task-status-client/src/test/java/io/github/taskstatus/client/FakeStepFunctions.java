package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjIntConsumer;

/**
 * Step Functions' {@code RedriveExecution} as the API reference documents it, over the JSON 1.0
 * protocol ({@code X-Amz-Target: AWSStepFunctions.RedriveExecution}): only a Standard execution
 * that is {@code FAILED}, {@code TIMED_OUT} or {@code ABORTED} and ended at most 14 days ago is
 * redriven (its status {@code RUNNING} again, its redrive count one higher); anything else is
 * {@code ExecutionNotRedrivable}, with the reason {@code DescribeExecution} gives as {@code
 * redriveStatusReason}; an unknown ARN is {@code ExecutionDoesNotExist}. A client token already
 * used for a redrive of the execution gets that redrive's answer again and redrives nothing, as AWS
 * answers the last client tokens idempotently. It can also commit a redrive and then answer 500, as
 * any AWS call may.
 */
final class FakeStepFunctions {
  private static final Set<String> REDRIVABLE = Set.of("FAILED", "TIMED_OUT", "ABORTED");
  private static final Duration REDRIVABLE_PERIOD = Duration.ofDays(14);

  /** One execution: its status, when it stopped, how often it was redriven, and when. */
  private static final class Execution {
    String status;
    Instant stopDate;
    int redriveCount;
    final Map<String, Instant> redrivesByToken = new HashMap<>();
  }

  private final Map<String, Execution> executions = new HashMap<>();
  private final List<String> redriven = new ArrayList<>();
  private Instant now = Instant.now();
  private int failuresAfterCommit;
  private ObjIntConsumer<String> onRedrive = (arn, count) -> {};

  /** Adds an execution, not yet redriven. */
  synchronized FakeStepFunctions execution(String arn, String status, Instant stopDate) {
    return execution(arn, status, stopDate, 0);
  }

  /** Adds an execution that was redriven {@code redriveCount} times already. */
  synchronized FakeStepFunctions execution(
      String arn, String status, Instant stopDate, int redriveCount) {
    Execution execution = new Execution();
    execution.status = status;
    execution.stopDate = stopDate;
    execution.redriveCount = redriveCount;
    executions.put(arn, execution);
    return this;
  }

  /** The service's clock, for the 14 days. */
  synchronized FakeStepFunctions now(Instant now) {
    this.now = now;
    return this;
  }

  /** Answers the next {@code count} redrives with a 500 after committing them. */
  synchronized FakeStepFunctions failAfterCommit(int count) {
    this.failuresAfterCommit = count;
    return this;
  }

  /** Runs after each redrive commits, with the execution and its new redrive count. */
  synchronized FakeStepFunctions onRedrive(ObjIntConsumer<String> onRedrive) {
    this.onRedrive = onRedrive;
    return this;
  }

  /** The execution's status now. */
  synchronized String status(String arn) {
    return executions.get(arn).status;
  }

  /** How often the execution was redriven. */
  synchronized int redriveCount(String arn) {
    return executions.get(arn).redriveCount;
  }

  /** The executions redriven so far, once per redrive, in order. */
  synchronized List<String> redriven() {
    return List.copyOf(redriven);
  }

  synchronized FakeAws.Reply handle(String operation, JsonNode request) {
    if (!operation.equals("RedriveExecution")) {
      return error("UnknownOperationException", "not served here: " + operation);
    }
    String arn = request.path("executionArn").asText(null);
    String token = request.path("clientToken").asText(null);
    if (arn == null) {
      return error(
          "ValidationException",
          "1 validation error detected: Value null at 'executionArn' failed to satisfy"
              + " constraint: Member must not be null");
    }
    if (token != null && (token.isEmpty() || token.length() > 64)) {
      return error(
          "ValidationException",
          "1 validation error detected: Value at 'clientToken' failed to satisfy constraint:"
              + " Member must have length between 1 and 64");
    }
    Execution execution = executions.get(arn);
    if (execution == null) {
      return error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
    }
    Instant earlier = token == null ? null : execution.redrivesByToken.get(token);
    if (earlier != null) {
      return redriveDate(earlier);
    }
    if (!REDRIVABLE.contains(execution.status)) {
      return error(
          "ExecutionNotRedrivable",
          "Execution is " + execution.status + " and cannot be redriven.");
    }
    if (execution.stopDate.plus(REDRIVABLE_PERIOD).isBefore(now)) {
      return error("ExecutionNotRedrivable", "Execution redrivable period exceeded.");
    }
    execution.status = "RUNNING";
    execution.redriveCount++;
    if (token != null) {
      execution.redrivesByToken.put(token, now);
    }
    redriven.add(arn);
    onRedrive.accept(arn, execution.redriveCount);
    if (failuresAfterCommit > 0) {
      failuresAfterCommit--;
      return new FakeAws.Reply(
          500,
          Map.of(),
          FakeAws.JSON
              .createObjectNode()
              .put("__type", "com.amazonaws.swf.service.v2.model#InternalServerError")
              .put("message", "Internal server error")
              .toString());
    }
    return redriveDate(now);
  }

  /** The answer: the redrive's date, a JSON 1.0 timestamp (epoch seconds). */
  private static FakeAws.Reply redriveDate(Instant date) {
    BigDecimal seconds = BigDecimal.valueOf(date.toEpochMilli()).movePointLeft(3);
    return new FakeAws.Reply(
        200, Map.of(), FakeAws.JSON.createObjectNode().put("redriveDate", seconds).toString());
  }

  private static FakeAws.Reply error(String type, String message) {
    return new FakeAws.Reply(
        400,
        Map.of(),
        FakeAws.JSON
            .createObjectNode()
            .put("__type", "com.amazonaws.swf.service.v2.model#" + type)
            .put("message", message)
            .toString());
  }
}
