package io.github.taskstatus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.taskstatus.client.TaskStatusClient;
import io.github.taskstatus.client.TaskWorker;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs your CDK stack on this machine for the tests of one class: a JUnit 5 extension that
 * synthesizes the stack, deploys the template to the local cloud on 127.0.0.1 (DynamoDB, Step
 * Functions, Lambda running your Java functions, SQS, EventBridge; every request signed and
 * authorized with the template's own IAM policies) and stops it after the class's last test.
 *
 * <pre>{@code
 * class TasksIT {
 *   @RegisterExtension
 *   static final LocalTaskCloud cloud = LocalTaskCloud.of(app -> new TasksStack(app, "Tasks"));
 *
 *   @Test
 *   void breakfastIsDone() {
 *     TaskStatusClient tasks = cloud.client();
 *     TaskRecord end = tasks.await(tasks.start("Breakfast"), Duration.ofMinutes(2));
 *     assertEquals(TaskStatus.DONE, end.status());
 *   }
 * }
 * }</pre>
 *
 * <p>Register it on a {@code static} field with {@code @RegisterExtension}: it starts before the
 * class's first test and stops after its last. Outside JUnit, call {@link #start()} and {@link
 * #close()}. The first start installs the local cloud with {@code npm ci} (Node.js 22 from npm, an
 * ASL interpreter, a local DynamoDB) into a cache directory, so {@code npm} must be on the {@code
 * PATH} and reach its registry once; later starts take a few seconds.
 */
public final class LocalTaskCloud implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** How long the cloud may take to get ready once installed, unless the builder says otherwise. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(2);

  /** How long the one-time installation ({@code npm ci}) may take. */
  public static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

  private final Function<App, ? extends Stack> stackFactory;
  private final Stack givenStack;
  private final Map<String, Object> context;
  private final List<String> cloudArguments;
  private final Duration startupTimeout;
  private final Path cache;

  private SynthesizedStack synthesized;
  private CloudProcess cloud;
  private AwsCredentialsProvider administrator;
  private final List<SdkClient> clients = new ArrayList<>();
  private final List<TaskWorker> workers = new ArrayList<>();

  private LocalTaskCloud(Builder builder) {
    this.stackFactory = builder.stackFactory;
    this.givenStack = builder.stack;
    this.context = Map.copyOf(builder.context);
    this.cloudArguments = List.copyOf(builder.cloudArguments);
    this.startupTimeout = builder.startupTimeout;
    this.cache = builder.cache != null ? builder.cache : CloudInstallation.defaultCache();
  }

  /**
   * A local cloud for the stack a function builds in the app it is given.
   *
   * @param stack builds the stack in the given app, for example {@code app -> new TasksStack(app,
   *     "Tasks")}
   * @return the extension
   */
  public static LocalTaskCloud of(Function<App, ? extends Stack> stack) {
    return builder(stack).build();
  }

  /**
   * A local cloud for a stack you built in an app of your own; that app is synthesized.
   *
   * @param stack the stack
   * @return the extension
   */
  public static LocalTaskCloud of(Stack stack) {
    return builder(stack).build();
  }

  /**
   * A builder, for context values, local cloud options or a longer start-up time.
   *
   * @param stack builds the stack in the given app
   * @return a new builder
   */
  public static Builder builder(Function<App, ? extends Stack> stack) {
    return new Builder(Objects.requireNonNull(stack, "stack must not be null"), null);
  }

  /**
   * A builder for a stack you built in an app of your own.
   *
   * @param stack the stack
   * @return a new builder
   */
  public static Builder builder(Stack stack) {
    return new Builder(null, Objects.requireNonNull(stack, "stack must not be null"));
  }

  /**
   * Synthesizes the stack and starts the local cloud for it, installing the cloud first if this
   * machine does not have it yet.
   *
   * @throws IllegalStateException if it is already started, or if the cloud could not be installed
   *     or did not get ready in time (the message quotes its error output)
   */
  public synchronized void start() {
    if (cloud != null) {
      throw new IllegalStateException("this LocalTaskCloud is already started");
    }
    synthesized =
        stackFactory != null
            ? SynthesizedStack.of(stackFactory, context)
            : SynthesizedStack.of(givenStack);
    try {
      Path installation = CloudInstallation.ensure(cache, INSTALL_TIMEOUT);
      cloud =
          CloudProcess.start(
              installation, synthesized, RuntimeJars.find(), cloudArguments, startupTimeout);
    } catch (RuntimeException e) {
      synthesized.delete();
      synthesized = null;
      throw e;
    }
    administrator =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(
                ready().at("/credentials/accessKeyId").asText(),
                ready().at("/credentials/secretAccessKey").asText()));
  }

  /** Stops the local cloud and closes the SDK clients this extension built. */
  @Override
  public synchronized void close() {
    workers.forEach(TaskWorker::close);
    workers.clear();
    clients.forEach(SdkClient::close);
    clients.clear();
    if (cloud != null) {
      cloud.close();
      cloud = null;
    }
    if (synthesized != null) {
      synthesized.delete();
      synthesized = null;
    }
  }

  /**
   * Starts the cloud before the test class's first test.
   *
   * @param context the test class's context
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  /**
   * Stops the cloud after the test class's last test.
   *
   * @param context the test class's context
   */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * A client for the stack's only {@code TaskStatusWorkflow}, as the administrator.
   *
   * @return a client; closing it is not needed (the extension closes what it built)
   * @throws IllegalStateException if the stack has no workflow or several
   */
  public TaskStatusClient client() {
    return client(null, credentials());
  }

  /**
   * A client for the workflow at a construct path, as the administrator.
   *
   * @param workflowPath the workflow's construct path relative to the stack, such as {@code Tasks}
   *     or {@code Orders/Tasks}
   * @return a client
   * @throws IllegalArgumentException if there is no workflow at that path
   */
  public TaskStatusClient client(String workflowPath) {
    return client(
        Objects.requireNonNull(workflowPath, "workflowPath must not be null"), credentials());
  }

  /**
   * A client for the workflow at a construct path, signing as the given credentials: pass {@link
   * #roleCredentials(String)} to act as your application's role, with exactly the permissions it
   * would have on AWS.
   *
   * @param workflowPath the workflow's construct path relative to the stack, or {@code null} for
   *     the stack's only workflow
   * @param credentials who the client's calls are signed as
   * @return a client, polling every 50 ms up to 500 ms
   */
  public synchronized TaskStatusClient client(
      String workflowPath, AwsCredentialsProvider credentials) {
    Objects.requireNonNull(credentials, "credentials must not be null");
    Map<String, String> outputs = synthesized().clientOutputs(workflowPath);
    Map<String, String> environment = new LinkedHashMap<>();
    outputs.forEach((variable, output) -> environment.put(variable, output(output)));
    TaskStatusClient.Builder builder =
        TaskStatusClient.builder()
            .dynamoDb(
                sdkClient(DynamoDbClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .lambda(
                sdkClient(
                    LambdaClient.builder(),
                    credentials,
                    // The starter's first invocation starts a JVM.
                    UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(1))))
            .sqs(sdkClient(SqsClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .stepFunctions(
                sdkClient(SfnClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .pollInterval(Duration.ofMillis(50))
            .maxPollInterval(Duration.ofMillis(500));
    set(environment, TaskStatusClient.ENV_TABLE, builder::tableName);
    set(environment, TaskStatusClient.ENV_STARTER, builder::starterFunction);
    set(environment, TaskStatusClient.ENV_QUEUE_URL, builder::queueUrl);
    set(environment, TaskStatusClient.ENV_FAILED_INDEX, builder::failedTaskIndex);
    set(environment, TaskStatusClient.ENV_OPEN_INDEX, builder::openTaskIndex);
    set(environment, TaskStatusClient.ENV_RECONCILER, builder::reconcilerStateMachine);
    return builder.build();
  }

  /**
   * A worker for the stack's only workflow with {@code worker(...)}, as the administrator.
   *
   * @return a worker; closing it is not needed (the extension closes what it built)
   * @throws IllegalStateException if the stack has no workflow or several
   */
  public TaskWorker worker() {
    return worker(null, credentials());
  }

  /**
   * A worker for the workflow at a construct path, signing as the given credentials: pass {@link
   * #roleCredentials(String)} of the role you gave {@code grantWork}, to work with exactly its
   * permissions.
   *
   * @param workflowPath the workflow's construct path relative to the stack, or {@code null} for
   *     the stack's only workflow
   * @param credentials who the worker's calls are signed as
   * @return a worker of the workflow's worker queue
   * @throws IllegalArgumentException if the workflow has no worker
   */
  public synchronized TaskWorker worker(String workflowPath, AwsCredentialsProvider credentials) {
    Objects.requireNonNull(credentials, "credentials must not be null");
    Map<String, String> outputs = synthesized().clientOutputs(workflowPath);
    String queue = outputs.get(TaskWorker.ENV_QUEUE_URL);
    if (queue == null) {
      throw new IllegalArgumentException(
          "the workflow "
              + (workflowPath == null ? "of the stack" : "at " + workflowPath)
              + " has no worker: give it worker(TaskWorkerOptions...)");
    }
    TaskWorker worker =
        TaskWorker.builder()
            .queueUrl(output(queue))
            .tableName(output(outputs.get(TaskWorker.ENV_TABLE)))
            .sqs(sdkClient(SqsClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .stepFunctions(
                sdkClient(SfnClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .dynamoDb(
                sdkClient(DynamoDbClient.builder(), credentials, UrlConnectionHttpClient.builder()))
            .build();
    workers.add(worker);
    return worker;
  }

  private static void set(Map<String, String> environment, String variable, Consumer<String> to) {
    String value = environment.get(variable);
    if (value != null) {
      to.accept(value);
    }
  }

  /**
   * The one endpoint that serves every service of the local cloud, on 127.0.0.1.
   *
   * @return the endpoint, for {@code endpointOverride}
   */
  public URI endpoint() {
    return URI.create(ready().get("endpoint").asText());
  }

  /**
   * The region the stack runs in: the stack's own, or {@code us-east-1} for an environment-agnostic
   * stack.
   *
   * @return the region
   */
  public Region region() {
    return Region.of(ready().get("region").asText());
  }

  /**
   * The account the stack runs in: the stack's own, or {@code 000000000000} for an
   * environment-agnostic stack.
   *
   * @return the account id
   */
  public String account() {
    return ready().get("account").asText();
  }

  /**
   * The local administrator's credentials: allowed every action, except what a resource policy
   * explicitly denies. For inspecting state in a test.
   *
   * @return static credentials issued by the local cloud
   */
  public AwsCredentialsProvider credentials() {
    ready();
    return administrator;
  }

  /**
   * A session of one of the stack's IAM roles, as your application would have on AWS: its calls are
   * allowed exactly what the template's policies allow that role.
   *
   * @param path the construct path, relative to the stack, of the role (such as {@code AppRole}) or
   *     of a function, for the function's role (such as {@code Api/Handler})
   * @return session credentials issued by the local cloud
   * @throws IllegalArgumentException if there is no role at that path
   */
  public AwsCredentialsProvider roleCredentials(String path) {
    Objects.requireNonNull(path, "path must not be null");
    String logicalId = synthesized().roleLogicalId(path);
    JsonNode role = ready().get("roles").get(logicalId);
    if (role == null) {
      throw new IllegalArgumentException(
          "the local cloud has no role " + logicalId + " (at '" + path + "')");
    }
    return StaticCredentialsProvider.create(
        AwsSessionCredentials.create(
            role.get("accessKeyId").asText(),
            role.get("secretAccessKey").asText(),
            role.get("sessionToken").asText()));
  }

  /**
   * Points an AWS SDK client builder at the local cloud, as the administrator: its endpoint, region
   * and credentials. Use {@link #configure(AwsClientBuilder, AwsCredentialsProvider)} to sign as a
   * role.
   *
   * @param builder an SDK client builder, such as {@code DynamoDbClient.builder()}
   * @param <B> the builder's type
   * @return the same builder
   */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    return configure(builder, credentials());
  }

  /**
   * Points an AWS SDK client builder at the local cloud, signing as the given credentials.
   *
   * @param builder an SDK client builder, such as {@code SqsClient.builder()}
   * @param credentials who the client's calls are signed as
   * @param <B> the builder's type
   * @return the same builder
   */
  public <B extends AwsClientBuilder<B, ?>> B configure(
      B builder, AwsCredentialsProvider credentials) {
    return builder.endpointOverride(endpoint()).region(region()).credentialsProvider(credentials);
  }

  /**
   * The stack's outputs, resolved as CloudFormation would resolve them.
   *
   * @return output name to value
   */
  public Map<String, String> outputs() {
    Map<String, String> outputs = new LinkedHashMap<>();
    ready()
        .get("outputs")
        .properties()
        .forEach(
            e -> {
              if (!e.getKey().startsWith(SynthesizedStack.OUTPUT_PREFIX)) {
                outputs.put(e.getKey(), e.getValue().asText());
              }
            });
    return outputs;
  }

  /**
   * The stack that was synthesized, for assertions on its constructs.
   *
   * @return the stack
   */
  public Stack stack() {
    return synthesized().stack;
  }

  private String output(String key) {
    return ready().get("outputs").get(key).asText();
  }

  private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends SdkClient>
      C sdkClient(B builder, AwsCredentialsProvider credentials, SdkHttpClient.Builder<?> http) {
    return own(configure(builder, credentials).httpClientBuilder(http).build());
  }

  private <C extends SdkClient> C own(C client) {
    clients.add(client);
    return client;
  }

  private synchronized SynthesizedStack synthesized() {
    if (synthesized == null) {
      throw notStarted();
    }
    return synthesized;
  }

  private synchronized JsonNode ready() {
    if (cloud == null) {
      throw notStarted();
    }
    return cloud.ready;
  }

  private static IllegalStateException notStarted() {
    return new IllegalStateException(
        "the local cloud is not running: register LocalTaskCloud on a static field with"
            + " @RegisterExtension (it starts before the class's first test), or call start()");
  }

  /** Configures a {@link LocalTaskCloud}. */
  public static final class Builder {
    private final Function<App, ? extends Stack> stackFactory;
    private final Stack stack;
    private final Map<String, Object> context = new LinkedHashMap<>();
    private final List<String> cloudArguments = new ArrayList<>();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Path cache;

    private Builder(Function<App, ? extends Stack> stackFactory, Stack stack) {
      this.stackFactory = stackFactory;
      this.stack = stack;
    }

    /**
     * A context value for the app the stack is built in, as {@code cdk.json} or {@code cdk synth -c
     * key=value} would give it.
     *
     * @param key the context key
     * @param value its value
     * @return this builder
     * @throws IllegalStateException if the builder was given a stack rather than a function: set
     *     the context on your own app then
     */
    public Builder context(String key, Object value) {
      if (stackFactory == null) {
        throw new IllegalStateException(
            "context is for the app LocalTaskCloud creates; with a stack of your own, set it on"
                + " your App");
      }
      context.put(
          Objects.requireNonNull(key, "key must not be null"),
          Objects.requireNonNull(value, "value must not be null"));
      return this;
    }

    /**
     * Options for the local cloud program ({@code cloud.mjs}), such as {@code "--wait-ms",
     * "Work=100"} to shorten a wait state; see the README's "Running locally".
     *
     * @param arguments the options and their values, in order
     * @return this builder
     */
    public Builder cloudArguments(String... arguments) {
      for (String argument : arguments) {
        cloudArguments.add(Objects.requireNonNull(argument, "arguments must not be null"));
      }
      return this;
    }

    /**
     * How long the local cloud may take to get ready, not counting its one-time installation.
     *
     * @param timeout a positive duration
     * @return this builder
     * @default {@link LocalTaskCloud#DEFAULT_STARTUP_TIMEOUT}, 2 minutes: a stack whose functions
     *     publish SnapStart versions starts a JVM for each
     */
    public Builder startupTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout must not be null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive, got " + timeout);
      }
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * Where the local cloud is installed, once per version.
     *
     * @param directory the cache directory
     * @return this builder
     * @default the {@code taskstatus.testing.cache} system property, else the {@code
     *     TASK_STATUS_TESTING_CACHE} environment variable, else {@code
     *     ~/.cache/task-status-testing}
     */
    public Builder cacheDirectory(Path directory) {
      this.cache = Objects.requireNonNull(directory, "directory must not be null");
      return this;
    }

    /**
     * Builds the extension; nothing starts until the test class does (or {@link
     * LocalTaskCloud#start()}).
     *
     * @return the extension
     */
    public LocalTaskCloud build() {
      return new LocalTaskCloud(this);
    }
  }
}
