package io.github.taskstatus.baseline;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * The benchmark's baseline: the starter as it is usually first written. SDK defaults (default HTTP
 * client, credentials and region chains), Jackson databind for every JSON value, and an SQS batch
 * handled one message after the other.
 */
public class NaiveStarter implements RequestStreamHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SfnClient SFN = SfnClient.create();

  /** The input. */
  public static class Task {
    public String taskId;
  }

  /** The execution input. */
  public static class Execution {
    public String taskId;
    public long timestamp;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    Map<String, Object> event = MAPPER.readValue(input, Map.class);
    if (event.containsKey("Records")) {
      List<Map<String, Object>> failures = new ArrayList<>();
      for (Map<String, Object> record : (List<Map<String, Object>>) event.get("Records")) {
        try {
          start(MAPPER.readValue((String) record.get("body"), Task.class));
        } catch (RuntimeException e) {
          failures.add(Map.of("itemIdentifier", record.get("messageId")));
        }
      }
      MAPPER.writeValue(output, Map.of("batchItemFailures", failures));
    } else {
      MAPPER.writeValue(output, start(MAPPER.convertValue(event, Task.class)));
    }
  }

  private static Map<String, Object> start(Task task) throws IOException {
    Execution execution = new Execution();
    execution.taskId = task.taskId;
    execution.timestamp = Instant.now().getEpochSecond();
    StartExecutionResponse response =
        SFN.startExecution(
            b ->
                b.stateMachineArn(System.getenv("STATE_MACHINE_ARN"))
                    .name(task.taskId + "-" + execution.timestamp)
                    .input(writeJson(execution)));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("taskId", task.taskId);
    result.put("timestamp", execution.timestamp);
    result.put("executionArn", response.executionArn());
    return result;
  }

  private static String writeJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
