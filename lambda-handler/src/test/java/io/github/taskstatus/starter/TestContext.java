package io.github.taskstatus.starter;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntSupplier;

/** The parts of a Lambda context the handler reads: the request id, the time left, the log. */
record TestContext(String awsRequestId, IntSupplier remainingMillis, List<String> logs)
    implements Context {

  /** A context with a fixed amount of time left. */
  TestContext(String awsRequestId, int remainingMillis, List<String> logs) {
    this(awsRequestId, () -> remainingMillis, logs);
  }

  /** A context whose time runs out {@code budgetMillis} from now, like Lambda's. */
  static TestContext withDeadline(String awsRequestId, long budgetMillis, List<String> logs) {
    long deadline = System.currentTimeMillis() + budgetMillis;
    return new TestContext(
        awsRequestId, () -> (int) Math.max(0, deadline - System.currentTimeMillis()), logs);
  }

  @Override
  public String getAwsRequestId() {
    return awsRequestId;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return remainingMillis.getAsInt();
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/test";
  }

  @Override
  public String getLogStreamName() {
    return "test";
  }

  @Override
  public String getFunctionName() {
    return "starter";
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:us-east-1:1:function:s";
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getMemoryLimitInMB() {
    return 512;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        logs.add(message);
      }

      @Override
      public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8));
      }
    };
  }
}
