package io.github.taskstatus.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crac.Core;
import org.crac.Resource;

/**
 * A Lambda function that reports what it was run with: its environment variables, its context and
 * the CRaC hooks that ran. The local Lambda's tests deploy it to check the local cloud against what
 * Lambda documents; {@code {"sleepMillis": n}} makes it outlive its timeout.
 */
public final class EnvironmentProbe implements RequestStreamHandler {
  private static final List<String> HOOKS = new ArrayList<>();

  /** Held strongly: CRaC holds resources weakly. */
  private final Resource hook =
      new Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
          HOOKS.add("beforeCheckpoint");
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
          HOOKS.add("afterRestore");
        }
      };

  /** Registers the checkpoint hooks, as a handler's constructor does during init. */
  public EnvironmentProbe() {
    Core.getGlobalContext().register(hook);
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    String event = new String(input.readAllBytes(), StandardCharsets.UTF_8);
    if (event.contains("sleepMillis")) {
      try {
        Thread.sleep(Long.parseLong(event.replaceAll("\\D", "")));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<String, String> report = new TreeMap<>(System.getenv());
    report.put("context.awsRequestId", context.getAwsRequestId());
    report.put("context.functionName", context.getFunctionName());
    report.put("context.functionVersion", context.getFunctionVersion());
    report.put("context.invokedFunctionArn", context.getInvokedFunctionArn());
    report.put("context.memoryLimitInMB", Integer.toString(context.getMemoryLimitInMB()));
    report.put(
        "context.remainingTimeInMillis", Integer.toString(context.getRemainingTimeInMillis()));
    report.put("hooks", String.join(",", HOOKS));
    try (JsonGenerator json = new JsonFactory().createGenerator(output)) {
      json.writeStartObject();
      for (Map.Entry<String, String> entry : report.entrySet()) {
        json.writeStringField(entry.getKey(), entry.getValue());
      }
      json.writeEndObject();
    }
  }
}
