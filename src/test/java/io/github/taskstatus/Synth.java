package io.github.taskstatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;

/**
 * Synthesizes a stack with a workflow and reads the parts tests care about: the template as JSON,
 * the single resource of a type, and the state machine definition with CloudFormation references
 * replaced by plain strings.
 */
final class Synth {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCOUNT = "123456789012";
  static final String REGION = "eu-west-1";

  final Stack stack;
  final Template template;
  final JsonNode json;

  private Synth(Stack stack) {
    this.stack = stack;
    this.template = Template.fromStack(stack);
    this.json = JSON.valueToTree(template.toJSON());
  }

  /** A stack with one workflow, {@code Tasks}, built from these props. */
  static Synth workflow(TaskStatusWorkflowProps props) {
    return stack(s -> new TaskStatusWorkflow(s, "Tasks", props));
  }

  /** A stack with one workflow, {@code Tasks}, with props that need the stack. */
  static Synth workflowWith(Function<Stack, TaskStatusWorkflowProps.Builder> props) {
    return stack(s -> new TaskStatusWorkflow(s, "Tasks", props.apply(s).build()));
  }

  /** A customer-managed key, {@code Key}, with rotation on as cdk-nag asks. */
  static Key key(Stack stack) {
    return Key.Builder.create(stack, "Key").enableKeyRotation(true).build();
  }

  /** The ARN of a key from another stack, in eu-west-1. */
  static final String IMPORTED_KEY_ARN =
      "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  /** A workflow encrypted with a key imported by ARN ({@link #IMPORTED_KEY_ARN}). */
  static Synth workflowWithImportedKey() {
    return workflowWith(
        stack ->
            TaskStatusWorkflowProps.builder()
                .encryptionKey(Key.fromKeyArn(stack, "Imported", IMPORTED_KEY_ARN)));
  }

  /**
   * Props whose work outlasts any test (a five-minute {@code Wait}, {@code Cook}) under a timeout
   * of a few seconds, so the execution times out.
   */
  static TaskStatusWorkflowProps.Builder timingOut(Stack stack, int timeoutSeconds) {
    return TaskStatusWorkflowProps.builder()
        .work(
            Wait.Builder.create(stack, "Cook").time(WaitTime.duration(Duration.minutes(5))).build())
        .timeout(Duration.seconds(timeoutSeconds));
  }

  /** Work that fails: a {@code Fail} state, {@code Burn}, OvenOnFire: "the toast burned". */
  static Fail failingWork(Stack stack) {
    return Fail.Builder.create(stack, "Burn").error("OvenOnFire").cause("the toast burned").build();
  }

  /** A role an application assumes, for grants to be checked on. */
  static Role role(Stack stack, String id) {
    return Role.Builder.create(stack, id)
        .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
        .build();
  }

  /** A stack built by {@code body}. */
  static Synth stack(Consumer<Stack> body) {
    App app = new App();
    Stack stack =
        new Stack(
            app,
            "Test",
            StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(REGION).build())
                .build());
    body.accept(stack);
    return new Synth(stack);
  }

  JsonNode resources() {
    return json.get("Resources");
  }

  /** The logical id of the only resource of this type; fails if there is not exactly one. */
  String logicalId(String type) {
    String found = null;
    for (Map.Entry<String, JsonNode> e : resources().properties()) {
      if (type.equals(e.getValue().path("Type").asText())) {
        if (found != null) {
          throw new AssertionError("more than one " + type + ": " + found + ", " + e.getKey());
        }
        found = e.getKey();
      }
    }
    if (found == null) {
      throw new AssertionError("no " + type);
    }
    return found;
  }

  /** The logical id of the only resource of a type whose logical id starts with a prefix. */
  String logicalId(String type, String prefix) {
    String found = null;
    for (Map.Entry<String, JsonNode> e : resources().properties()) {
      if (e.getKey().startsWith(prefix) && type.equals(e.getValue().path("Type").asText())) {
        if (found != null) {
          throw new AssertionError("more than one " + type + " " + prefix);
        }
        found = e.getKey();
      }
    }
    if (found == null) {
      throw new AssertionError("no " + type + " " + prefix);
    }
    return found;
  }

  JsonNode only(String type) {
    return resources().get(logicalId(type));
  }

  /** The only resource of this type whose logical id starts with {@code logicalIdPrefix}. */
  JsonNode only(String type, String logicalIdPrefix) {
    JsonNode found = null;
    for (Map.Entry<String, JsonNode> e : resources().properties()) {
      if (type.equals(e.getValue().path("Type").asText())
          && e.getKey().startsWith(logicalIdPrefix)) {
        if (found != null) {
          throw new AssertionError("more than one " + type + " " + logicalIdPrefix);
        }
        found = e.getValue();
      }
    }
    if (found == null) {
      throw new AssertionError("no " + type + " " + logicalIdPrefix);
    }
    return found;
  }

  /** The state machine's definition, with each reference rendered as {@code ${LogicalId}}. */
  JsonNode definition() {
    return definition(Map.of());
  }

  /**
   * The state machine's definition as JSON, each {@code Ref} replaced by {@code values}'s entry for
   * its logical id (or {@code ${LogicalId}}) and each {@code AWS::Partition} by {@code aws}.
   */
  JsonNode definition(Map<String, String> values) {
    return definitionOf("TasksStateMachine", values);
  }

  /** The reconciler's definition, references rendered as {@code ${LogicalId}}. */
  JsonNode reconcilerDefinition() {
    return definitionOf("TasksReconciler", Map.of());
  }

  /** The sweeper's definition, references rendered as {@code ${LogicalId}}. */
  JsonNode sweeperDefinition() {
    return definitionOf("TasksSweeper", Map.of());
  }

  /**
   * Every Task state of a definition with its name, those inside {@code Parallel} branches and
   * {@code Map} item processors included.
   */
  static Map<String, JsonNode> taskStates(JsonNode definition) {
    Map<String, JsonNode> found = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : definition.get("States").properties()) {
      JsonNode state = e.getValue();
      if (state.path("Type").asText().equals("Task")) {
        found.put(e.getKey(), state);
      }
      for (JsonNode branch : state.path("Branches")) {
        found.putAll(taskStates(branch));
      }
      for (String processor : new String[] {"ItemProcessor", "Iterator"}) {
        if (state.has(processor)) {
          found.putAll(taskStates(state.get(processor)));
        }
      }
    }
    return found;
  }

  private JsonNode definitionOf(String logicalIdPrefix, Map<String, String> values) {
    JsonNode body =
        only("AWS::StepFunctions::StateMachine", logicalIdPrefix)
            .get("Properties")
            .get("DefinitionString");
    return parse(render(body, values));
  }

  static String render(JsonNode node, Map<String, String> values) {
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.has("Fn::Join")) {
      JsonNode join = node.get("Fn::Join");
      StringBuilder out = new StringBuilder();
      for (JsonNode part : join.get(1)) {
        if (out.length() > 0 || part != join.get(1).get(0)) {
          out.append(join.get(0).asText());
        }
        out.append(render(part, values));
      }
      return out.toString();
    }
    if (node.has("Fn::GetAtt")) {
      return "${"
          + node.get("Fn::GetAtt").get(0).asText()
          + "."
          + node.get("Fn::GetAtt").get(1).asText()
          + "}";
    }
    if (node.has("Ref")) {
      String ref = node.get("Ref").asText();
      if (ref.equals("AWS::Partition")) {
        return "aws";
      }
      return values.getOrDefault(ref, "${" + ref + "}");
    }
    throw new AssertionError("cannot render " + node);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
