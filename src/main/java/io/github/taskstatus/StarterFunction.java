package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * The starter Lambda: the function with a role of its own (its log group, StartExecution, X-Ray,
 * its dead-letter queue; nothing else), with SnapStart the published version and the alias callers
 * use, and the dead-letter queue that keeps asynchronous invocations Lambda gave up on.
 */
final class StarterFunction {
  /** The starter's alias when SnapStart is on. */
  static final String ALIAS = "live";

  /**
   * The starter's JVM options: C1 only, which benchmarks/run.sh measured to start it about a fifth
   * faster; the starter is short and I/O-bound, so C2's peak speed would not pay off.
   */
  static final String JVM_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

  /** The starter's timeout: its StartExecution retries stay within it. */
  static final int TIMEOUT_SECONDS = 30;

  /** How many starts of one batch the starter runs at once (its BatchStarter.CONCURRENCY). */
  static final int BATCH_CONCURRENCY = 10;

  /** The starter's cap on one StartExecution attempt (its TaskStarter.ATTEMPT_TIMEOUT_MILLIS). */
  static final int ATTEMPT_TIMEOUT_SECONDS = 2;

  /** What the starter keeps of its timeout to answer (its TaskStarter.RESERVE_MILLIS). */
  static final int RESERVE_SECONDS = 3;

  /** The variable that tells the starter the state machine's timeout, in seconds. */
  static final String TIMEOUT_VARIABLE = "TASK_TIMEOUT_SECONDS";

  /** The variable that tells the starter the retention, in seconds; unset without one. */
  static final String RETENTION_VARIABLE = "RETENTION_SECONDS";

  /**
   * The variable that tells the starter how long after the timeout an item's deadline is, in
   * seconds; unset without the sweeper.
   */
  static final String GRACE_VARIABLE = "DEADLINE_GRACE_SECONDS";

  /** The starter's runtime. */
  static final Runtime RUNTIME = Runtime.JAVA_25;

  /** The warning CDK gives every SnapStart function, which publishes a version here. */
  static final String SNAPSTART_WARNING = "@aws-cdk/aws-lambda:snapStartRequirePublish";

  private final Function function;
  private final IFunction invocable;
  private final Queue deadLetterQueue;

  StarterFunction(
      Construct scope,
      Settings settings,
      StateMachine stateMachine,
      TaskStatusLogs logs,
      IKey key) {
    LogGroup logGroup = logs.function("StarterLogs", "");
    Role role =
        Role.Builder.create(scope, "StarterRole")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .description("Starts executions of one TaskStatusWorkflow state machine")
            .build();
    logGroup.grantWrite(role);
    // An asynchronous invocation that fails its retries lands here instead of being dropped.
    deadLetterQueue =
        TaskQueues.secureQueue(
                scope,
                "StarterDeadLetterQueue",
                key,
                settings.removalPolicy(),
                QueueSettings.DEAD_LETTER_RETENTION)
            .build();
    Nag.acknowledge(deadLetterQueue, "Serverless-SQSRedrivePolicy", null, Nag.DEAD_LETTER_QUEUE);
    if (key != null) {
      key.grant(role, "kms:GenerateDataKey", "kms:Decrypt");
    }
    function =
        Function.Builder.create(scope, "Starter")
            .description("Starts a task status workflow execution for {\"taskId\": \"...\"}")
            .runtime(RUNTIME)
            .architecture(Architecture.ARM_64)
            .handler(StarterCode.HANDLER)
            .code(StarterCode.asset())
            .memorySize(512)
            .timeout(Duration.seconds(TIMEOUT_SECONDS))
            .role(role)
            .logGroup(logGroup)
            .loggingFormat(LoggingFormat.JSON)
            .snapStart(settings.snapStart() ? SnapStartConf.ON_PUBLISHED_VERSIONS : null)
            .deadLetterQueue(deadLetterQueue)
            .environment(environment(settings, stateMachine))
            .build();
    stateMachine.grantStartExecution(function);
    if (settings.tracing()) {
      trace(scope, function, role);
    }
    if (settings.snapStart()) {
      Annotations.of(function)
          .acknowledgeWarning(
              SNAPSTART_WARNING,
              "The construct publishes"
                  + " a version and points the '"
                  + ALIAS
                  + "' alias, which callers use, at it");
    }
    // SnapStart applies to published versions only: callers must invoke the alias.
    invocable =
        settings.snapStart()
            ? Alias.Builder.create(scope, "StarterAlias")
                .aliasName(ALIAS)
                .version(function.getCurrentVersion())
                .description("The published starter version, restored from its SnapStart snapshot")
                .build()
            : function;
  }

  /**
   * Active X-Ray tracing, set on the CloudFormation resource: the L2's {@code tracing} would add
   * the X-Ray statement, which AWS requires on {@code Resource: *}, to the role's {@code
   * DefaultPolicy}, where anything granted to the starter lands too ({@code
   * getStarterFunction().addToRolePolicy(...)}). It goes in a policy of its own, acknowledged there
   * alone, which the function waits for.
   */
  private static void trace(Construct scope, Function function, Role role) {
    ((CfnFunction) function.getNode().getDefaultChild())
        .setTracingConfig(CfnFunction.TracingConfigProperty.builder().mode("Active").build());
    Policy tracing =
        Policy.Builder.create(scope, "StarterTracingPolicy")
            .roles(List.of(role))
            .statements(
                List.of(
                    PolicyStatement.Builder.create()
                        .actions(List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords"))
                        .resources(List.of("*"))
                        .build()))
            .build();
    function.getNode().addDependency(tracing);
    Nag.wildcardsAwsRequires(tracing, Nag.STARTER_WILDCARDS);
  }

  /**
   * What the starter reads: the state machine to start, its JVM options, and what it needs to
   * compute the Unix times of each execution input (the timeout, the retention), which the state
   * machine cannot compute itself (States.MathAdd takes 32-bit integers).
   */
  private static Map<String, String> environment(Settings settings, StateMachine stateMachine) {
    Map<String, String> environment = new TreeMap<>();
    environment.put("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
    environment.put("JAVA_TOOL_OPTIONS", JVM_OPTIONS);
    environment.put(TIMEOUT_VARIABLE, seconds(settings.timeout()));
    if (settings.retention() != null) {
      environment.put(RETENTION_VARIABLE, seconds(settings.retention()));
    }
    if (settings.sweeper()) {
      environment.put(GRACE_VARIABLE, String.valueOf(Settings.SWEEP_GRACE_SECONDS));
    }
    return environment;
  }

  private static String seconds(Duration duration) {
    return duration.isUnresolved()
        ? Token.asString(duration.toSeconds())
        : String.valueOf(duration.toSeconds().longValue());
  }

  /** The function itself: its metrics cover every version. */
  Function function() {
    return function;
  }

  /** Where failed asynchronous invocations go. */
  Queue deadLetterQueue() {
    return deadLetterQueue;
  }

  /** What callers invoke: the SnapStart alias, or the function itself. */
  IFunction invocable() {
    return invocable;
  }
}
