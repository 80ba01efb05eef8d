package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.taskstatus.probe.EnvironmentProbe;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * The local Lambda against what Lambda documents, with a probe function that reports what it was
 * run with: the reserved variables and nothing of the caller's environment, credentials in
 * variables on demand and only from the token-checked container endpoint under SnapStart, the
 * org.crac hooks around the snapshot, a context with a real deadline, timeouts. And the local Step
 * Functions endpoint's check of who signed each request.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LambdaEnvironmentIT {
  private static final String HANDLER = EnvironmentProbe.class.getName() + "::handleRequest";

  /** A state machine no one made, whose executions the probes' role may list. */
  private static final String NOTHING =
      "arn:aws:states:" + Synth.REGION + ":" + Synth.ACCOUNT + ":stateMachine:none";

  /** What Lambda sets in every Java function's environment (developer guide). */
  private static final Set<String> RESERVED =
      Set.of(
          "_HANDLER",
          "AWS_REGION",
          "AWS_DEFAULT_REGION",
          "AWS_EXECUTION_ENV",
          "AWS_LAMBDA_FUNCTION_NAME",
          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
          "AWS_LAMBDA_FUNCTION_VERSION",
          "AWS_LAMBDA_INITIALIZATION_TYPE",
          "AWS_LAMBDA_RUNTIME_API",
          "LAMBDA_TASK_ROOT",
          "LAMBDA_RUNTIME_DIR",
          "TZ",
          "LANG",
          "PATH",
          "AWS_LAMBDA_LOG_GROUP_NAME",
          "AWS_LAMBDA_LOG_STREAM_NAME",
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN");

  private static Path probeJar;
  private static LocalCloud cloud;

  @BeforeAll
  static void deployTheProbe() throws IOException {
    probeJar = probeJar();
    cloud =
        LocalCloud.start(
            Synth.stack(
                stack -> {
                  Function snapStart =
                      probe(stack, "SnapStartProbe")
                          .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                          .build();
                  Alias.Builder.create(stack, "SnapStartProbeLive")
                      .aliasName("live")
                      .version(snapStart.getCurrentVersion())
                      .build();
                  probe(stack, "OnDemandProbe").build();
                }),
            "--code",
            "SnapStartProbe=" + probeJar,
            "--code",
            "OnDemandProbe=" + probeJar);
  }

  @AfterAll
  static void stop() throws IOException {
    if (cloud != null) {
      cloud.close();
    }
    Files.deleteIfExists(probeJar);
  }

  private static Function.Builder probe(software.amazon.awscdk.Stack stack, String id) {
    return Function.Builder.create(stack, id)
        .runtime(Runtime.JAVA_25)
        .architecture(Architecture.ARM_64)
        .handler(HANDLER)
        .memorySize(256)
        .timeout(Duration.seconds(3))
        .code(Code.fromAsset(probeJar.toString()))
        .initialPolicy(
            List.of(
                PolicyStatement.Builder.create()
                    .actions(List.of("states:ListExecutions"))
                    .resources(List.of(NOTHING))
                    .build()));
  }

  /** The probe's classes with what it needs that a Java runtime does not provide. */
  private static Path probeJar() throws IOException {
    Path jar = Files.createTempFile("environment-probe", ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      Path classes =
          Path.of(
              EnvironmentProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
      try (var files = Files.walk(classes.resolve("io/github/taskstatus/probe"))) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(file).toString()));
          Files.copy(file, out);
        }
      }
      for (Class<?> dependency :
          List.of(org.crac.Core.class, com.fasterxml.jackson.core.JsonFactory.class)) {
        copyClasses(
            Path.of(dependency.getProtectionDomain().getCodeSource().getLocation().getPath()), out);
      }
    }
    return jar;
  }

  private static void copyClasses(Path library, JarOutputStream out) throws IOException {
    try (JarFile jar = new JarFile(library.toFile())) {
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        if (entry.getName().endsWith(".class") && !entry.getName().contains("module-info")) {
          out.putNextEntry(new JarEntry(entry.getName()));
          try (InputStream in = jar.getInputStream(entry)) {
            in.transferTo(out);
          }
        }
      }
    }
  }

  private static JsonNode invoke(String function, String event) {
    InvokeResponse response =
        cloud.lambda.invoke(b -> b.functionName(function).payload(SdkBytes.fromUtf8String(event)));
    JsonNode report = Synth.parse(response.payload().asUtf8String());
    if (response.functionError() != null) {
      throw new AssertionError("function error " + report);
    }
    return report;
  }

  private static String function(String logicalIdPrefix) {
    for (var e : cloud.ready.get("functions").properties()) {
      if (e.getKey().startsWith(logicalIdPrefix)) {
        return e.getValue().asText();
      }
    }
    throw new AssertionError("no function " + logicalIdPrefix);
  }

  private static JsonNode environment(String logicalIdPrefix) {
    String name = function(logicalIdPrefix);
    JsonNode found = null;
    for (JsonNode environment : cloud.inspect("environments")) {
      if (environment.get("function").asText().equals(name)) {
        found = environment;
      }
    }
    return found;
  }

  private static Set<String> variables(JsonNode report) {
    Set<String> names = new TreeSet<>();
    report
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (!n.contains(".") && !n.equals("hooks")) {
                names.add(n);
              }
            });
    return names;
  }

  @Test
  void underSnapStartCredentialsComeOnlyFromTheContainerEndpointAndTheHooksRunAroundTheSnapshot()
      throws Exception {
    String alias = function("SnapStartProbe") + ":live";
    JsonNode report = invoke(alias, "{}");

    assertThat(report.get("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("snap-start");
    assertThat(variables(report))
        .doesNotContain(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME");
    String uri = report.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").asText();
    assertThat(uri).matches("http://127\\.0\\.0\\.1:\\d+/2021-04-23/credentials");
    assertThat(report.get("hooks").asText()).isEqualTo("beforeCheckpoint,afterRestore");
    assertThat(report.get("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("1");
    assertThat(report.get("context.invokedFunctionArn").asText()).endsWith(":live");

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "not-the-token")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(404);
    HttpResponse<String> served =
        http.send(
            HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", report.get("AWS_CONTAINER_AUTHORIZATION_TOKEN").asText())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(served.statusCode()).isEqualTo(200);
    JsonNode restored = Synth.parse(served.body());

    JsonNode lifecycle = environment("SnapStartProbe").get("lifecycle");
    List<String> events = new ArrayList<>();
    lifecycle.forEach(e -> events.add(e.get("event").asText()));
    assertThat(events).containsSubsequence("init", "snapshot", "restore", "ready", "invoke");
    String beforeSnapshot = lifecycle.findValue("revoked").asText();
    assertThat(restored.get("AccessKeyId").asText())
        .isNotEqualTo(beforeSnapshot)
        .isEqualTo(lifecycle.findParents("accessKeyId").get(0).get("accessKeyId").asText());
    try (SfnClient stale = sfn(AwsBasicCredentials.create(beforeSnapshot, "any"))) {
      assertThatThrownBy(() -> stale.listExecutions(b -> b.stateMachineArn(NOTHING)))
          .isInstanceOf(SfnException.class)
          .satisfies(
              e ->
                  assertThat(((SfnException) e).awsErrorDetails().errorCode())
                      .isEqualTo("UnrecognizedClientException"));
    }
  }

  @Test
  void onDemandCredentialsAreWorkingEnvironmentVariablesAndNoHookRuns() {
    JsonNode report = invoke(function("OnDemandProbe"), "{}");

    assertThat(report.get("AWS_LAMBDA_INITIALIZATION_TYPE").asText()).isEqualTo("on-demand");
    assertThat(variables(report))
        .contains(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME")
        .doesNotContain("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    assertThat(report.get("hooks").asText()).isEmpty();
    assertThat(report.get("AWS_LAMBDA_FUNCTION_VERSION").asText()).isEqualTo("$LATEST");
    try (SfnClient function =
        sfn(
            AwsSessionCredentials.create(
                report.get("AWS_ACCESS_KEY_ID").asText(),
                report.get("AWS_SECRET_ACCESS_KEY").asText(),
                report.get("AWS_SESSION_TOKEN").asText()))) {
      assertThat(function.listExecutions(b -> b.stateMachineArn(NOTHING)).executions()).isEmpty();
      assertThatThrownBy(() -> function.startExecution(b -> b.stateMachineArn(NOTHING).input("{}")))
          .as("the credentials act as the function's role, which may only list")
          .isInstanceOf(SfnException.class)
          .hasMessageContaining(":assumed-role/Test-OnDemandProbeServiceRole")
          .hasMessageContaining("is not authorized to perform: states:StartExecution");
    }
  }

  @Test
  void theEnvironmentHoldsTheReservedVariablesFromTheTemplateAndNothingOfTheCaller() {
    JsonNode report = invoke(function("OnDemandProbe"), "{}");

    assertThat(report.get("_HANDLER").asText()).isEqualTo(HANDLER);
    assertThat(report.get("AWS_LAMBDA_FUNCTION_NAME").asText())
        .isEqualTo(function("OnDemandProbe"));
    assertThat(report.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText()).isEqualTo("256");
    assertThat(report.get("AWS_EXECUTION_ENV").asText()).isEqualTo("AWS_Lambda_java25");
    assertThat(report.get("AWS_REGION").asText()).isEqualTo(Synth.REGION);
    assertThat(report.get("TZ").asText()).isEqualTo(":UTC");
    Set<String> unexpected = new TreeSet<>(variables(report));
    unexpected.removeAll(RESERVED);
    assertThat(unexpected).as("variables Lambda does not set").containsExactly("AWS_ENDPOINT_URL");
    assertThat(report.get("context.memoryLimitInMB").asText()).isEqualTo("256");
    assertThat(report.get("context.remainingTimeInMillis").asInt()).isBetween(1, 3000);
    assertThat(report.get("context.functionName").asText()).isEqualTo(function("OnDemandProbe"));
  }

  @Test
  void aWarmEnvironmentServesTheNextInvocationAndAnOverlongOneIsStoppedAtTheTimeout() {
    String name = function("OnDemandProbe");
    invoke(name, "{}");
    int warm = environment("OnDemandProbe").get("id").asInt();
    invoke(name, "{}");
    assertThat(environment("OnDemandProbe").get("id").asInt()).isEqualTo(warm);

    InvokeResponse timedOut =
        cloud.lambda.invoke(
            b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"sleepMillis\": 6000}")));

    assertThat(timedOut.functionError()).isEqualTo("Unhandled");
    JsonNode error = Synth.parse(timedOut.payload().asUtf8String());
    assertThat(error.get("errorType").asText()).isEqualTo("Sandbox.Timedout");
    assertThat(error.get("errorMessage").asText()).endsWith("Task timed out after 3.00 seconds");
    invoke(name, "{}");
    assertThat(environment("OnDemandProbe").get("id").asInt())
        .as("a new environment")
        .isNotEqualTo(warm);
  }

  @Test
  void stepFunctionsChecksWhoSignedEachRequest() {
    try (SfnClient unknown = sfn(AwsBasicCredentials.create("AKIAUNKNOWN", "secret"));
        SfnClient wrongSecret =
            sfn(
                AwsBasicCredentials.create(
                    cloud.ready.at("/credentials/accessKeyId").asText(), "wrong-secret"))) {
      assertThatThrownBy(() -> unknown.listExecutions(b -> b.stateMachineArn("x")))
          .isInstanceOf(SfnException.class)
          .satisfies(
              e ->
                  assertThat(((SfnException) e).awsErrorDetails().errorCode())
                      .isEqualTo("UnrecognizedClientException"));
      assertThatThrownBy(() -> wrongSecret.listExecutions(b -> b.stateMachineArn("x")))
          .isInstanceOf(SfnException.class)
          .satisfies(
              e ->
                  assertThat(((SfnException) e).awsErrorDetails().errorCode())
                      .isEqualTo("InvalidSignatureException"));
    }
  }

  private static SfnClient sfn(software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
    return SfnClient.builder()
        .endpointOverride(cloud.endpoint)
        .region(Region.of(Synth.REGION))
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .build();
  }
}
