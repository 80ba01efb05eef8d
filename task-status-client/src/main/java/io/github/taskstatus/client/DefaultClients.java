package io.github.taskstatus.client;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.SfnClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The SDK clients the client builds when none is given: the URLConnection HTTP client (named
 * explicitly, so another HTTP client on the application's classpath changes nothing), the default
 * credentials chain (which, unlike the environment variables alone, also covers Lambda SnapStart's
 * container credentials), and the given region or the default region chain.
 */
final class DefaultClients {

  /**
   * How long an {@code Invoke} may wait for the starter's answer: its 30-second timeout plus room
   * for a cold start. The HTTP client's default, 30 seconds, could give up on a start that then
   * succeeds, leaving the SDK to retry it.
   */
  static final Duration INVOKE_SOCKET_TIMEOUT = Duration.ofSeconds(45);

  private DefaultClients() {}

  static DynamoDbClient dynamoDb(Region region) {
    DynamoDbClientBuilder builder =
        DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    return (region == null ? builder : builder.region(region)).build();
  }

  static LambdaClient lambda(Region region) {
    LambdaClientBuilder builder =
        LambdaClient.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder().socketTimeout(INVOKE_SOCKET_TIMEOUT));
    return (region == null ? builder : builder.region(region)).build();
  }

  static SqsClient sqs(Region region) {
    SqsClientBuilder builder =
        SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    return (region == null ? builder : builder.region(region)).build();
  }

  static SfnClient stepFunctions(Region region) {
    SfnClientBuilder builder =
        SfnClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    return (region == null ? builder : builder.region(region)).build();
  }

  /** Adds a client a builder created to the ones it closes, and returns it. */
  static <C extends SdkAutoCloseable> C own(List<SdkAutoCloseable> owned, C client) {
    owned.add(client);
    return client;
  }
}
