package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;

/** The Step Functions client a task status client builds itself: on first use, closed with it. */
class LazyClientTest {
  private final List<Watched> built = new ArrayList<>();
  private final LazyClient<SfnClient> lazy =
      new LazyClient<>(
          () -> {
            Watched client = new Watched();
            built.add(client);
            return client;
          });

  @Test
  void theClientIsBuiltOnFirstUseOnly() {
    assertThat(built).isEmpty();

    SfnClient first = lazy.get();

    assertThat(lazy.get()).isSameAs(first);
    assertThat(built).hasSize(1);
  }

  @Test
  void closingClosesTheClientBuiltAndRefusesToBuildAnother() {
    lazy.get();

    lazy.close();

    assertThat(built).singleElement().satisfies(client -> assertThat(client.closed).isTrue());
    assertThatThrownBy(lazy::get)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this TaskStatusClient is closed");
    assertThat(built).hasSize(1);
  }

  @Test
  void closingBeforeAnyUseBuildsNothing() {
    lazy.close();

    assertThat(built).isEmpty();
  }

  /** A client that notes whether it is closed. */
  private static final class Watched implements SfnClient {
    private boolean closed;

    @Override
    public String serviceName() {
      return SfnClient.SERVICE_NAME;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
