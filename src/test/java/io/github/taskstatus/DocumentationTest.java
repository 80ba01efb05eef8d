package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's props table and the builders agree with the props class, prop for prop; its contents
 * and its links within itself lead to its sections.
 */
class DocumentationTest {
  private static final Path README = Path.of(System.getProperty("taskstatus.readme", "README.md"));
  private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| `(\\w+)` \\| (.+?) \\|");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6}) (.+?)\\s*$");

  /** Prop name to its type's simple name, from the props class's getters. */
  private static List<String> props() {
    return props(TaskStatusWorkflowProps.class);
  }

  private static List<String> props(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getName().startsWith("get"))
        .map(
            m ->
                Character.toLowerCase(m.getName().charAt(3))
                    + m.getName().substring(4)
                    + ":"
                    + m.getReturnType().getSimpleName())
        .sorted()
        .toList();
  }

  private static List<String> setters(Class<?> builder) {
    return Arrays.stream(builder.getMethods())
        .filter(m -> m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getParameterCount() == 1)
        .map(m -> m.getName() + ":" + m.getParameterTypes()[0].getSimpleName())
        .distinct()
        .sorted()
        .toList();
  }

  /** The rows of the table under {@code heading}: name and type of each. */
  private static List<String> tableRows(String heading) throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf(heading + "\n");
    assertThat(start).as("README has a '%s' section", heading).isNotNegative();
    String section = readme.substring(start, readme.indexOf("\n## ", start));
    return section
        .lines()
        .map(ROW::matcher)
        .filter(Matcher::find)
        .peek(m -> assertThat(m.group(3)).as("default of %s", m.group(1)).isNotBlank())
        .map(m -> m.group(1) + ":" + m.group(2))
        .sorted()
        .toList();
  }

  @Test
  void theReadmePropsTableListsEveryPropWithItsTypeAndADefault() throws IOException {
    assertThat(tableRows("### Props")).isEqualTo(props());
  }

  @Test
  void theReadmeQueueOptionsTableListsEveryOption() throws IOException {
    assertThat(tableRows("### Queue options")).isEqualTo(props(TaskQueueOptions.class));
    assertThat(setters(TaskQueueOptions.Builder.class)).isEqualTo(props(TaskQueueOptions.class));
  }

  @Test
  void bothBuildersOfferExactlyTheProps() {
    assertThat(setters(TaskStatusWorkflowProps.Builder.class)).isEqualTo(props());
    assertThat(setters(TaskStatusWorkflow.Builder.class)).isEqualTo(props());
  }

  @Test
  void theReadmeAlarmTableListsEveryAlarmInTheGettersOrder() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("## Operations\n");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    Pattern row = Pattern.compile("^\\s*\\| `(\\w+Alarm)` \\|");
    List<String> documented =
        section.lines().map(row::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
    List<String> created = new ArrayList<>();
    Synth.stack(
        stack ->
            TaskStatusWorkflow.Builder.create(stack, "Tasks")
                .queue(true)
                .worker(TaskWorkerOptions.builder().build())
                .statusEvents(true)
                .build()
                .getAlarms()
                .forEach(a -> created.add(a.getNode().getId())));

    assertThat(documented).isEqualTo(created);
  }

  /** The README's headings (outside code blocks), without their hashes. */
  private static List<String> headings(int... levels) throws IOException {
    List<String> headings = new ArrayList<>();
    boolean code = false;
    for (String line : Files.readAllLines(README)) {
      if (line.strip().startsWith("```")) {
        code = !code;
      }
      Matcher heading = HEADING.matcher(line);
      if (!code
          && heading.matches()
          && Arrays.stream(levels).anyMatch(l -> l == heading.group(1).length())) {
        headings.add(heading.group(2));
      }
    }
    return headings;
  }

  /** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
  private static String anchor(String heading) {
    return "#" + heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }

  @Test
  void everyLinkWithinTheReadmeLeadsToAHeading() throws IOException {
    Set<String> anchors = new HashSet<>();
    for (String heading : headings(1, 2, 3, 4)) {
      anchors.add(anchor(heading));
    }
    Matcher link = Pattern.compile("\\]\\((#[^)]+)\\)").matcher(Files.readString(README));
    List<String> broken = new ArrayList<>();
    while (link.find()) {
      if (!anchors.contains(link.group(1))) {
        broken.add(link.group(1));
      }
    }

    assertThat(broken).as("links to headings that do not exist").isEmpty();
  }

  @Test
  void theContentsLinkEverySection() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("## Contents\n");
    assertThat(start).as("README has a table of contents").isNotNegative();
    String contents = readme.substring(start, readme.indexOf("\n## ", start + 1));

    for (String section : headings(2)) {
      if (!section.equals("Contents")) {
        assertThat(contents)
            .as("the contents link %s", section)
            .contains("(" + anchor(section) + ")");
      }
    }
  }

  @Test
  void everyPropGetterDocumentsItsDefaultInTheSource() throws IOException {
    assertDefaultsDocumented(TaskStatusWorkflowProps.class);
    assertDefaultsDocumented(TaskQueueOptions.class);
  }

  private static void assertDefaultsDocumented(Class<?> type) throws IOException {
    String source =
        Files.readString(
            Path.of("src/main/java/io/github/taskstatus/" + type.getSimpleName() + ".java"));
    for (Method getter : type.getDeclaredMethods()) {
      if (getter.getName().startsWith("get")) {
        int at =
            source.indexOf(
                "public " + getter.getReturnType().getSimpleName() + " " + getter.getName() + "()");
        String javadoc = source.substring(source.lastIndexOf("/**", at), at);
        assertThat(javadoc).as(getter.getName()).contains("@default ");
      }
    }
  }
}
