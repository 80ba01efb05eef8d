package io.github.taskstatus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.taskstatus.TaskStatusWorkflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.IConstruct;

/**
 * A user's stack, synthesized into a cloud assembly, with what the local cloud needs to serve it
 * and what the kit needs to find its parts: the template, with one extra output per variable of
 * each workflow's {@code clientEnvironment()}, so that the local cloud resolves them as
 * CloudFormation would; and the logical ids behind construct paths.
 */
final class SynthesizedStack {

  /** The extra outputs' prefix; {@link LocalTaskCloud#outputs()} leaves them out. */
  static final String OUTPUT_PREFIX = "TaskStatusTestingClient";

  private static final ObjectMapper JSON = new ObjectMapper();

  final Stack stack;
  final Path assembly;
  final Path template;
  private final boolean ownAssembly;

  /** Workflow path (relative to the stack) to its client variables, each to its output's key. */
  private final Map<String, Map<String, String>> workflows = new LinkedHashMap<>();

  private SynthesizedStack(Stack stack, Path assembly, boolean ownAssembly) {
    this.stack = stack;
    this.assembly = assembly;
    this.ownAssembly = ownAssembly;
    this.template = assembly.resolve("task-status-testing." + stack.getTemplateFile());
  }

  /**
   * Builds the stack in a new app (with the given context) that synthesizes into a new directory.
   */
  static SynthesizedStack of(
      Function<App, ? extends Stack> stackFactory, Map<String, Object> context) {
    Path outdir = temporaryDirectory();
    App app = new App(AppProps.builder().outdir(outdir.toString()).context(context).build());
    Stack stack =
        Objects.requireNonNull(stackFactory.apply(app), "the stack function returned null");
    if (stack.getNode().getRoot() != app || Stage.of(stack) != app) {
      throw new IllegalArgumentException(
          "the stack function must create its stack in the App it is given, not in a stage or an"
              + " app of its own; got "
              + stack.getNode().getPath());
    }
    app.synth();
    return read(stack, outdir, true);
  }

  /** Synthesizes the stage (usually the app) the given stack belongs to. */
  static SynthesizedStack of(Stack stack) {
    CloudAssembly assembly = Stage.of(stack).synth();
    return read(stack, Path.of(assembly.getDirectory()), false);
  }

  private static SynthesizedStack read(Stack stack, Path assembly, boolean ownAssembly) {
    SynthesizedStack synthesized = new SynthesizedStack(stack, assembly, ownAssembly);
    try {
      ObjectNode json =
          (ObjectNode) JSON.readTree(assembly.resolve(stack.getTemplateFile()).toFile());
      ObjectNode outputs =
          json.get("Outputs") instanceof ObjectNode existing ? existing : json.putObject("Outputs");
      int index = 0;
      for (TaskStatusWorkflow workflow : synthesized.workflowsOfThisStack()) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> variable : workflow.clientEnvironment().entrySet()) {
          String key = OUTPUT_PREFIX + index + variable.getKey().replace("_", "");
          JsonNode value = JSON.valueToTree(stack.resolve(variable.getValue()));
          outputs.putObject(key).set("Value", value);
          keys.put(variable.getKey(), key);
        }
        synthesized.workflows.put(synthesized.relativePath(workflow), keys);
        index++;
      }
      JSON.writeValue(synthesized.template.toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the synthesized template", e);
    }
    return synthesized;
  }

  private List<TaskStatusWorkflow> workflowsOfThisStack() {
    List<TaskStatusWorkflow> found = new ArrayList<>();
    for (IConstruct construct : stack.getNode().findAll()) {
      if (construct instanceof TaskStatusWorkflow workflow
          && Stack.of(workflow).getNode().getPath().equals(stack.getNode().getPath())) {
        found.add(workflow);
      }
    }
    return found;
  }

  private String relativePath(IConstruct construct) {
    return construct.getNode().getPath().substring(stack.getNode().getPath().length() + 1);
  }

  /** The stack's name, as the local cloud names its physical resources. */
  String stackName() {
    return stack.getStackName();
  }

  /** The stack's account, or {@code null} if the stack is environment-agnostic. */
  String account() {
    return Token.isUnresolved(stack.getAccount()) ? null : stack.getAccount();
  }

  /** The stack's region, or {@code null} if the stack is environment-agnostic. */
  String region() {
    return Token.isUnresolved(stack.getRegion()) ? null : stack.getRegion();
  }

  /**
   * The client variables of a workflow, each to the output that resolves it.
   *
   * @param path the workflow's construct path relative to the stack, or {@code null} for the only
   *     workflow of the stack
   */
  Map<String, String> clientOutputs(String path) {
    if (path == null) {
      if (workflows.size() != 1) {
        throw new IllegalStateException(
            "the stack "
                + stack.getNode().getPath()
                + " has "
                + workflows.size()
                + " TaskStatusWorkflows "
                + workflows.keySet()
                + ": name one with client(path)");
      }
      return workflows.values().iterator().next();
    }
    Map<String, String> outputs = workflows.get(path);
    if (outputs == null) {
      throw new IllegalArgumentException(
          "no TaskStatusWorkflow at '"
              + path
              + "' in the stack "
              + stack.getNode().getPath()
              + "; its workflows are at "
              + workflows.keySet());
    }
    return outputs;
  }

  /**
   * The logical id of the IAM role at a construct path: a role, or a function (its role).
   *
   * @param path the construct path relative to the stack, such as {@code AppRole} or {@code
   *     Api/Handler}
   */
  String roleLogicalId(String path) {
    IConstruct construct = stack;
    for (String id : path.split("/")) {
      construct = construct.getNode().tryFindChild(id);
      if (construct == null) {
        throw new IllegalArgumentException(
            "no construct at '" + path + "' in the stack " + stack.getNode().getPath());
      }
    }
    if (construct instanceof IFunction function && function.getRole() != null) {
      construct = function.getRole();
    }
    IConstruct resource =
        construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
    if (!(resource instanceof CfnResource cfn)
        || !cfn.getCfnResourceType().equals("AWS::IAM::Role")) {
      throw new IllegalArgumentException(
          "the construct at '"
              + path
              + "' is neither an IAM role of this stack nor a function with one");
    }
    return stack.resolve(stack.getLogicalId(cfn)).toString();
  }

  /** Deletes the cloud assembly if the kit made it, and the template it wrote. */
  void delete() {
    try {
      if (ownAssembly) {
        CloudInstallation.deleteRecursively(assembly);
      } else {
        Files.deleteIfExists(template);
      }
    } catch (IOException ignored) {
      // A temporary directory: the operating system cleans it up in the end.
    }
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("task-status-testing-cdk.out");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
