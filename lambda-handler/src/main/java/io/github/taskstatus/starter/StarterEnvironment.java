package io.github.taskstatus.starter;

import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.crac.Core;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What the starter builds from its environment, once per execution environment: the Step Functions
 * client with Lambda's credentials, the task starter, and the SnapStart hooks (the priming run
 * before the snapshot, the credentials reset around it). CRaC holds hooks weakly, so this object,
 * held by the handler, keeps them alive.
 */
final class StarterEnvironment {
  /** The environment variable holding the state machine's ARN. */
  static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";

  /** The region Lambda runs the function in. */
  static final String REGION = "AWS_REGION";

  /** Connecting to the regional endpoint never takes this long when it works. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private final TaskStarter starter;
  private final LambdaCredentials credentials;
  private final Priming priming;

  private StarterEnvironment(TaskStarter starter, LambdaCredentials credentials, Priming priming) {
    this.starter = starter;
    this.credentials = credentials;
    this.priming = priming;
  }

  /** From the process's environment, with the hooks registered with CRaC. */
  static StarterEnvironment fromSystem() {
    StarterEnvironment environment = of(System::getenv);
    Core.getGlobalContext().register(environment.credentials);
    Core.getGlobalContext().register(environment.priming);
    return environment;
  }

  /**
   * From an environment.
   *
   * @throws IllegalStateException naming a missing or invalid variable
   */
  static StarterEnvironment of(UnaryOperator<String> env) {
    String stateMachineArn =
        require(
            env,
            STATE_MACHINE_ARN,
            "the TaskStatusWorkflow construct"
                + " sets it to the state machine this function starts");
    if (!stateMachineArn.startsWith("arn:") || !stateMachineArn.contains(":stateMachine:")) {
      throw new IllegalStateException(
          STATE_MACHINE_ARN + " must be a state machine ARN, got '" + stateMachineArn + "'");
    }
    Region region = Region.of(require(env, REGION, "Lambda sets it in every function"));
    LambdaCredentials credentials = new LambdaCredentials(env);
    SfnClient sfn =
        SfnClient.builder()
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .socketTimeout(Duration.ofMillis(TaskStarter.ATTEMPT_TIMEOUT_MILLIS))
                    .build())
            .credentialsProvider(credentials)
            .region(region)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    ExecutionInput input = ExecutionInput.fromEnvironment(env);
    TaskStarter starter =
        new TaskStarter(
            sfn, stateMachineArn, new TaskTimestamps(Clock.systemUTC()), input, Thread::sleep);
    return new StarterEnvironment(
        starter, credentials, new Priming(region, stateMachineArn, input));
  }

  private static String require(UnaryOperator<String> env, String name, String why) {
    String value = env.apply(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set; " + why);
    }
    return value;
  }

  TaskStarter starter() {
    return starter;
  }

  LambdaCredentials credentials() {
    return credentials;
  }

  Priming priming() {
    return priming;
  }
}
