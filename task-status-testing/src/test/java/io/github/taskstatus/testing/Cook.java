package io.github.taskstatus.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * A user's own function, as the work of a workflow invokes it: it cooks every task but "Burnt",
 * whose failure must mark the task FAILED.
 */
public final class Cook implements RequestHandler<Map<String, Object>, Map<String, Object>> {

  /** What the function throws for a burnt task; Lambda reports its name as the error type. */
  public static final class BurntException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BurntException(String message) {
      super(message);
    }
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    Object taskId = input.get("taskId");
    if ("Burnt".equals(taskId)) {
      throw new BurntException("the oven was too hot for " + taskId);
    }
    return Map.of("cooked", String.valueOf(taskId));
  }
}
