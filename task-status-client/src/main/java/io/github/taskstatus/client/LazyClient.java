package io.github.taskstatus.client;

import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * An SDK client built on first use and closed with the task status client. For a client that few
 * applications call (Step Functions, to redrive and cancel): building one costs tens of
 * milliseconds at start-up, which a Lambda cold start pays for nothing when the application never
 * calls it.
 */
final class LazyClient<C extends SdkClient> implements Supplier<C>, SdkAutoCloseable {
  private final Supplier<C> factory;
  private C client;
  private boolean closed;

  LazyClient(Supplier<C> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * The client, built on the first call.
   *
   * @throws IllegalStateException once closed: a client built then would never be closed
   */
  @Override
  public synchronized C get() {
    if (closed) {
      throw new IllegalStateException("this TaskStatusClient is closed");
    }
    if (client == null) {
      client = factory.get();
    }
    return client;
  }

  /** Closes the client if it was built. */
  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }
}
