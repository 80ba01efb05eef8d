import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Measures, in one warm JVM, how long the starter takes for one SQS message and for a batch of ten,
 * against the Step Functions endpoint in AWS_ENDPOINT_URL_SFN (the benchmark's stub, which answers
 * each StartExecution after 50 ms). Prints: single_ms=<median> batch_ms=<median>.
 *
 * <pre>{@code
 * java -cp <function.jar>:<classes> BatchRunner <Class::method> <rounds>
 * }</pre>
 */
public final class BatchRunner {
  /**
   * Runs the measurement and prints its one line.
   *
   * @param args see the class comment
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    String className = args[0].substring(0, args[0].indexOf("::"));
    int rounds = Integer.parseInt(args[1]);
    RequestStreamHandler handler =
        (RequestStreamHandler) Class.forName(className).getDeclaredConstructor().newInstance();
    System.setOut(System.err);
    for (int i = 0; i < 5; i++) {
      invoke(handler, batch("warm" + i, 10));
    }
    long[] single = new long[rounds];
    long[] batch = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      single[i] = invoke(handler, batch("single" + i, 1));
      batch[i] = invoke(handler, batch("batch" + i, 10));
    }
    System.err.flush();
    new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true)
        .println("single_ms=" + median(single) + " batch_ms=" + median(batch));
  }

  private static String batch(String prefix, int size) {
    StringBuilder json = new StringBuilder("{\"Records\":[");
    for (int i = 0; i < size; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"messageId\":\"")
          .append(prefix)
          .append('-')
          .append(i)
          .append("\",\"body\":\"{\\\"taskId\\\":\\\"")
          .append(prefix)
          .append('-')
          .append(i)
          .append("\\\"}\",\"eventSource\":\"aws:sqs\"}");
    }
    return json.append("]}").toString();
  }

  private static long invoke(RequestStreamHandler handler, String event) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long start = System.nanoTime();
    handler.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        new LambdaRunner.LocalContext("bench", System.currentTimeMillis() + 60_000));
    long micros = (System.nanoTime() - start) / 1000;
    if (out.toString(StandardCharsets.UTF_8).contains("itemIdentifier")) {
      throw new IllegalStateException("a message failed: " + out);
    }
    return micros;
  }

  private static String median(long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    return String.format("%.1f", sorted[sorted.length / 2] / 1000.0);
  }
}
