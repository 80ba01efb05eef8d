package io.github.taskstatus.client;

import java.util.Optional;
import java.util.function.Function;

/** Reads the variables the construct hands to a function, for the client and the worker alike. */
final class EnvironmentVariables {
  private EnvironmentVariables() {}

  /**
   * The variable's value, if it is set.
   *
   * @throws IllegalStateException if it is set but blank
   */
  static Optional<String> optional(Function<String, String> environment, String name) {
    String value = environment.apply(name);
    if (value != null && value.isBlank()) {
      throw new IllegalStateException(
          "the environment variable "
              + name
              + " is set but blank; set it to a value or leave it out");
    }
    return Optional.ofNullable(value);
  }
}
