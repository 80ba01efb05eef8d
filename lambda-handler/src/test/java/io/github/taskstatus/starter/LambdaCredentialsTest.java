package io.github.taskstatus.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Credentials as Lambda delivers them: environment variables on demand, the container credentials
 * endpoint (checking its authorization token) under SnapStart, fresh ones after a restore, and a
 * clear, unretried failure when there are none.
 */
class LambdaCredentialsTest {
  private static final String TOKEN = "7c1d6f4e-local-token";

  private HttpServer endpoint;
  private final AtomicInteger generation = new AtomicInteger(1);
  private final AtomicInteger fetches = new AtomicInteger();
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void startEndpoint() throws IOException {
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    endpoint.createContext(
        "/2021-04-23/credentials",
        exchange -> {
          try (exchange) {
            fetches.incrementAndGet();
            boolean authorized =
                TOKEN.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            int g = generation.get();
            byte[] body =
                (authorized
                        ? "{\"AccessKeyId\":\"ASIAGEN"
                            + g
                            + "\",\"SecretAccessKey\":\"secret-"
                            + g
                            + "\",\"Token\":\"token-"
                            + g
                            + "\",\"Expiration\":\""
                            + Instant.now().plusSeconds(3600)
                            + "\"}"
                        : "cannot get credentials for the provided token")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    endpoint.start();
  }

  @AfterEach
  void stopEndpoint() {
    endpoint.stop(0);
    System.clearProperty("aws.containerCredentialsFullUri");
    System.clearProperty("aws.containerAuthorizationToken");
  }

  /** The SnapStart environment: only the endpoint and its token, as the SDK reads them. */
  private LambdaCredentials snapStart(String token) {
    String uri = "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/2021-04-23/credentials";
    env.put(LambdaCredentials.CONTAINER_URI, uri);
    System.setProperty("aws.containerCredentialsFullUri", uri);
    System.setProperty("aws.containerAuthorizationToken", token);
    return new LambdaCredentials(env::get);
  }

  @Test
  void onDemandCredentialsComeFromTheEnvironment() {
    env.put("AWS_ACCESS_KEY_ID", "ASIAENV");
    env.put("AWS_SECRET_ACCESS_KEY", "secret");
    env.put("AWS_SESSION_TOKEN", "session");

    AwsSessionCredentials credentials =
        (AwsSessionCredentials) new LambdaCredentials(env::get).resolveCredentials();

    assertThat(credentials.accessKeyId()).isEqualTo("ASIAENV");
    assertThat(credentials.sessionToken()).isEqualTo("session");
    assertThat(fetches).hasValue(0);
  }

  @Test
  void snapStartCredentialsComeFromTheContainerEndpointWithItsToken() {
    AwsSessionCredentials credentials =
        (AwsSessionCredentials) snapStart(TOKEN).resolveCredentials();

    assertThat(credentials.accessKeyId()).isEqualTo("ASIAGEN1");
    assertThat(credentials.sessionToken()).isEqualTo("token-1");
  }

  @Test
  void credentialsFetchedBeforeTheSnapshotAreNotUsedAfterTheRestore() {
    LambdaCredentials credentials = snapStart(TOKEN);
    assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("ASIAGEN1");

    credentials.beforeCheckpoint(null);
    generation.set(2); // Lambda hands a restored environment new credentials.
    credentials.afterRestore(null);

    assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("ASIAGEN2");
  }

  @Test
  void aRefusedTokenIsACredentialsFailureThatSaysWhatHappened() {
    LambdaCredentials credentials = snapStart("not-the-token");

    assertThatThrownBy(credentials::resolveCredentials)
        .isInstanceOf(SdkClientException.class)
        .hasMessageStartingWith(
            "the container credentials endpoint"
                + " AWS_CONTAINER_CREDENTIALS_FULL_URI gave no credentials: ")
        .satisfies(e -> assertThat(LambdaCredentials.isCredentialsFailure(e)).isTrue());
  }

  @Test
  void noCredentialsAtAllIsAClearFailure() {
    assertThatThrownBy(new LambdaCredentials(env::get)::resolveCredentials)
        .isInstanceOf(SdkClientException.class)
        .hasMessage(
            "no AWS credentials in the environment: neither AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY (on-demand functions) nor"
                + " AWS_CONTAINER_CREDENTIALS_FULL_URI (SnapStart functions) is set");
  }

  @Test
  void aStartWithoutCredentialsFailsAtOnceWithoutRetrying() throws IOException {
    List<Long> pauses = new ArrayList<>();
    try (LocalStepFunctions service = new LocalStepFunctions();
        SfnClient sfn =
            SfnClient.builder()
                .endpointOverride(service.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClient(
                    software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(new LambdaCredentials(env::get))
                .build()) {
      TaskStarter starter =
          new TaskStarter(
              sfn,
              LocalStepFunctions.STATE_MACHINE_ARN,
              new TaskTimestamps(Clock.systemUTC()),
              LocalStepFunctions.INPUT,
              pauses::add);
      List<String> logs = new ArrayList<>();

      assertThatThrownBy(
              () ->
                  starter.start(
                      new StartRequest("Breakfast", null), "req", () -> 30_000, logs::add))
          .hasMessageContaining("no AWS credentials in the environment");

      assertThat(pauses).isEmpty();
      assertThat(service.arrivals()).isZero();
      assertThat(logs)
          .singleElement()
          .satisfies(
              l -> assertThat(l).contains("\"event\":\"failed\"").contains("no AWS credentials"));
    }
  }

  @Test
  void aMissingStateMachineOrRegionNamesTheVariable() {
    Map<String, String> partial = new HashMap<>(Map.of("AWS_REGION", "eu-west-1"));
    assertThatThrownBy(() -> StarterEnvironment.of(partial::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "STATE_MACHINE_ARN is not set; the TaskStatusWorkflow construct sets it to"
                + " the state machine this function starts");
    partial.clear();
    partial.put("STATE_MACHINE_ARN", LocalStepFunctions.STATE_MACHINE_ARN);
    assertThatThrownBy(() -> StarterEnvironment.of(partial::get))
        .hasMessage("AWS_REGION is not set; Lambda sets it in every function");
    partial.put("STATE_MACHINE_ARN", "tasks");
    partial.put("AWS_REGION", "eu-west-1");
    assertThatThrownBy(() -> StarterEnvironment.of(partial::get))
        .hasMessage("STATE_MACHINE_ARN must be a state machine ARN, got 'tasks'");
  }
}
