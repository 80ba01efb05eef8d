import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Runs a Lambda handler from its deployment jar the way the Java runtime would, for one event.
 *
 * <pre>{@code
 * java -cp <function.jar> LambdaRunner.java <package.Class::handleRequest> < event.json
 * }</pre>
 *
 * <p>The result goes to stdout; an error is printed as {@code {"errorType": ..., "errorMessage":
 * ...}} and the exit status is 1, as Lambda reports a function error. The request id comes from
 * LAMBDA_REQUEST_ID (a new UUID if unset) and the time budget from LAMBDA_TIMEOUT_SECONDS.
 */
public final class LambdaRunner {
  /**
   * Runs the handler once for the event on standard input.
   *
   * @param args see the class comment
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !args[0].contains("::")) {
      System.err.println(
          "usage: java -cp <function.jar> LambdaRunner.java <Class::method> < event");
      System.exit(2);
    }
    String className = args[0].substring(0, args[0].indexOf("::"));
    long deadline =
        System.currentTimeMillis()
            + 1000L * Long.parseLong(System.getenv().getOrDefault("LAMBDA_TIMEOUT_SECONDS", "30"));
    String requestId =
        System.getenv().getOrDefault("LAMBDA_REQUEST_ID", UUID.randomUUID().toString());
    byte[] event = System.in.readAllBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    // The function's own logging goes to stderr; stdout carries only the result.
    System.setOut(System.err);
    try {
      RequestStreamHandler handler =
          (RequestStreamHandler) Class.forName(className).getDeclaredConstructor().newInstance();
      handler.handleRequest(
          new java.io.ByteArrayInputStream(event), out, new LocalContext(requestId, deadline));
      stdout.println(out.toString(StandardCharsets.UTF_8));
    } catch (Throwable t) {
      Throwable cause = t;
      while ((cause instanceof java.lang.reflect.InvocationTargetException
              || cause instanceof ExceptionInInitializerError)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      stdout.println(
          "{\"errorType\":\""
              + cause.getClass().getName()
              + "\",\"errorMessage\":\""
              + String.valueOf(cause.getMessage())
                  .replace("\\", "\\\\")
                  .replace("\"", "\\\"")
                  .replace("\n", "\\n")
              + "\"}");
      System.exit(1);
    }
  }

  // Package-private: the benchmarks' BatchRunner invokes handlers with it too.
  record LocalContext(String requestId, long deadline) implements Context {
    public String getAwsRequestId() {
      return requestId;
    }

    public int getRemainingTimeInMillis() {
      return (int) Math.max(0, deadline - System.currentTimeMillis());
    }

    public String getLogGroupName() {
      return "/aws/lambda/local";
    }

    public String getLogStreamName() {
      return "local";
    }

    public String getFunctionName() {
      return "local";
    }

    public String getFunctionVersion() {
      return "$LATEST";
    }

    public String getInvokedFunctionArn() {
      return "arn:aws:lambda:us-east-1:000000000000:function:local";
    }

    public CognitoIdentity getIdentity() {
      return null;
    }

    public ClientContext getClientContext() {
      return null;
    }

    @Override
    public int getMemoryLimitInMB() {
      return 512;
    }

    public LambdaLogger getLogger() {
      return new LambdaLogger() {
        // Lambda makes each call one log record; locally, one line each.
        public void log(String message) {
          System.err.println(message);
        }

        public void log(byte[] message) {
          System.err.println(new String(message, StandardCharsets.UTF_8));
        }
      };
    }
  }
}
