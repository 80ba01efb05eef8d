package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The embedded starter jar is shaded and minimized: what it keeps must still be enough. The
 * end-to-end tests run its handler; this runs its SnapStart priming hook, in a class loader that
 * sees nothing but the jar.
 */
class StarterJarTest {

  @Test
  void theMinimizedJarCanRunThePrimingHook() throws Exception {
    URL jar = StarterCode.extractedJar().toUri().toURL();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      Class<?> region = loader.loadClass("software.amazon.awssdk.regions.Region");
      Class<?> priming = loader.loadClass("io.github.taskstatus.starter.Priming");
      Class<?> input = loader.loadClass("io.github.taskstatus.starter.ExecutionInput");
      var inputConstructor =
          input.getDeclaredConstructor(
              long.class, java.util.Optional.class, java.util.Optional.class);
      inputConstructor.setAccessible(true);
      var constructor = priming.getDeclaredConstructor(region, String.class, input);
      constructor.setAccessible(true);
      Object hook =
          constructor.newInstance(
              region.getMethod("of", String.class).invoke(null, "eu-west-1"),
              "arn:aws:states:eu-west-1:123456789012:stateMachine:Tasks",
              inputConstructor.newInstance(
                  330L, java.util.Optional.of(86_400L), java.util.Optional.of(300L)));

      Method prime = priming.getDeclaredMethod("prime");
      prime.setAccessible(true);
      prime.invoke(hook);

      Method calls = priming.getDeclaredMethod("cannedCalls");
      calls.setAccessible(true);
      assertThat(calls.invoke(hook)).isEqualTo(1);
    }
  }

  @Test
  void theJarHoldsOnlyTheSqsEventTypesAndNoJodaTime() throws Exception {
    try (ZipFile zip = new ZipFile(StarterCode.extractedJar().toFile())) {
      assertThat(
              zip.stream()
                  .map(e -> e.getName())
                  .filter(n -> n.startsWith("com/amazonaws/services/lambda/runtime/events/"))
                  .filter(n -> n.endsWith(".class")))
          .isNotEmpty()
          .allSatisfy(
              n -> assertThat(n).startsWith("com/amazonaws/services/lambda/runtime/events/SQS"));
      assertThat(zip.getEntry("org/joda/time/DateTime.class")).isNull();
      assertThat(zip.getEntry("io/github/taskstatus/starter/StarterHandler.class")).isNotNull();
    }
  }

  @Test
  void theJarHoldsNothingOfTheClientButItsExecutionNamesAndNoneOfItsDependencies()
      throws Exception {
    try (ZipFile zip = new ZipFile(StarterCode.extractedJar().toFile())) {
      assertThat(
              zip.stream()
                  .map(e -> e.getName())
                  .filter(n -> n.startsWith("io/github/taskstatus/client/"))
                  .filter(n -> n.endsWith(".class")))
          .containsExactlyInAnyOrder(
              "io/github/taskstatus/client/ExecutionNames.class",
              "io/github/taskstatus/client/package-info.class");
      // The client's own dependencies: Jackson databind, the DynamoDB, Lambda and SQS clients.
      assertThat(zip.getEntry("com/fasterxml/jackson/databind/ObjectMapper.class")).isNull();
      assertThat(
              zip.stream()
                  .map(e -> e.getName())
                  .filter(
                      n ->
                          n.startsWith("software/amazon/awssdk/services/dynamodb/")
                              || n.startsWith("software/amazon/awssdk/services/lambda/")
                              || n.startsWith("software/amazon/awssdk/services/sqs/")))
          .isEmpty();
    }
  }
}
