package io.github.taskstatus.starter;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Credentials as Lambda delivers them (Lambda developer guide, "SnapStart" and "Using Lambda
 * environment variables"): on demand in {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}
 * and {@code AWS_SESSION_TOKEN}; under SnapStart only through the container credentials endpoint
 * ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}).
 *
 * <p>Credentials fetched from the endpoint are cached until they near expiry, and dropped around a
 * SnapStart snapshot: an environment restored days later must not sign with the credentials its
 * snapshot was taken with. When none can be had the failure says what is missing and is not retried
 * ({@link #isCredentialsFailure}).
 */
final class LambdaCredentials implements AwsCredentialsProvider, Resource {
  static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
  static final String CONTAINER_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

  private final UnaryOperator<String> env;
  private final Supplier<AwsCredentialsProvider> containerProvider;
  private volatile AwsCredentialsProvider container;

  LambdaCredentials(UnaryOperator<String> env) {
    this(env, ContainerCredentialsProvider::create);
  }

  LambdaCredentials(UnaryOperator<String> env, Supplier<AwsCredentialsProvider> containerProvider) {
    this.env = env;
    this.containerProvider = containerProvider;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    String keyId = env.apply(ACCESS_KEY_ID);
    String secret = env.apply(SECRET_ACCESS_KEY);
    if (present(keyId) && present(secret)) {
      String token = env.apply(SESSION_TOKEN);
      return present(token)
          ? AwsSessionCredentials.create(keyId, secret, token)
          : AwsBasicCredentials.create(keyId, secret);
    }
    if (present(env.apply(CONTAINER_URI))) {
      try {
        return container().resolveCredentials();
      } catch (RuntimeException e) {
        throw failure(
            "the container credentials endpoint "
                + CONTAINER_URI
                + " gave no"
                + " credentials: "
                + e.getMessage(),
            e);
      }
    }
    throw failure(
        "no AWS credentials in the environment: neither "
            + ACCESS_KEY_ID
            + " and "
            + SECRET_ACCESS_KEY
            + " (on-demand functions) nor "
            + CONTAINER_URI
            + " (SnapStart functions) is set",
        null);
  }

  private AwsCredentialsProvider container() {
    AwsCredentialsProvider provider = container;
    if (provider == null) {
      synchronized (this) {
        if (container == null) {
          container = containerProvider.get();
        }
        provider = container;
      }
    }
    return provider;
  }

  /** Forgets cached credentials: the next request fetches fresh ones. */
  synchronized void reset() {
    if (container instanceof SdkAutoCloseable closeable) {
      closeable.close();
    }
    container = null;
  }

  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    reset();
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    reset();
  }

  /** Whether {@code e}, or what caused it, is a failure to get credentials: never transient. */
  static boolean isCredentialsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Unavailable) {
        return true;
      }
    }
    return false;
  }

  private static SdkClientException failure(String message, Throwable cause) {
    Unavailable unavailable = new Unavailable(message, cause);
    return SdkClientException.builder().message(message).cause(unavailable).build();
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  /** Marks a credentials failure in a cause chain. */
  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
