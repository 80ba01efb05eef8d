package io.github.taskstatus.client;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Each test gets a client against fresh fakes, both closed after it. */
abstract class ClientTest {
  FakeAws aws;
  TaskStatusClient client;

  /** What the fakes answer before the client is built; none by default. */
  void prepare(FakeAws fakes) {}

  /** The client's configuration beyond the fakes' endpoints; none by default. */
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder;
  }

  @BeforeEach
  final void startClient() throws IOException {
    aws = new FakeAws();
    prepare(aws);
    client = configure(aws.client()).build();
  }

  @AfterEach
  final void closeClient() {
    client.close();
    aws.close();
  }
}
