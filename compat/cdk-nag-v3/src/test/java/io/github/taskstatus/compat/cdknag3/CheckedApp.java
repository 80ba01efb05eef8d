package io.github.taskstatus.compat.cdknag3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.ServerlessChecks;
import io.github.taskstatus.TaskStatusWorkflow;
import io.github.taskstatus.TaskWorkerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.Pass;

/**
 * A consumer's CDK app as cdk-nag 3 documents it: the AwsSolutions and Serverless packs added to
 * the app with {@code Validations.of(app).addPlugins(...)}, and one stack for the consumer's
 * constructs. Each app synthesizes into a directory of its own, where CDK writes the validation
 * report that {@link #synth()} reads.
 *
 * <p>The app also has the feature flag that {@code cdk init} turns on to put CDK's own construct
 * warnings and errors in the same report, so "no finding" means none from CDK either.
 */
final class CheckedApp {

  /** Feature flag: CDK's construct warnings and errors appear in the validation report. */
  private static final String ANNOTATIONS_IN_REPORT = "@aws-cdk/core:annotationsInValidationReport";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path outdir;
  private final App app;
  private final Stack stack;

  CheckedApp(Path outdir) {
    this.outdir = outdir;
    this.app =
        new App(
            AppProps.builder()
                .outdir(outdir.toString())
                .context(Map.of(ANNOTATIONS_IN_REPORT, true))
                .build());
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    this.stack = new Stack(app, "Consumer");
  }

  /**
   * A workflow with every optional feature on, as a consumer who wants them all builds it: a
   * customer-managed key, an alarm topic, execution data in logs, queue mode, custom work,
   * retention, the failed-task index and the dashboard.
   */
  static TaskStatusWorkflow everyFeature(Stack stack) {
    Key key = Key.Builder.create(stack, "Key").enableKeyRotation(true).build();
    Topic topic = Topic.Builder.create(stack, "Ops").masterKey(key).enforceSsl(true).build();
    return TaskStatusWorkflow.Builder.create(stack, "Tasks")
        .encryptionKey(key)
        .alarmTopic(topic)
        .includeExecutionData(true)
        .logRetention(RetentionDays.ONE_YEAR)
        .queue(true)
        .work(Pass.Builder.create(stack, "Cook").build())
        .retention(Duration.days(30))
        .failedTaskIndex(true)
        .dashboard(true)
        .statusEvents(true)
        .build();
  }

  /**
   * A workflow whose work is an external worker, with status events, the key, and an application's
   * and a worker's grants (grantRedrive and grantCancel bring the user's role a finding of its own,
   * on every execution of the state machine; see the README): what {@link #everyFeature} cannot
   * have beside custom work.
   */
  static TaskStatusWorkflow workers(Stack stack) {
    Key key = Key.Builder.create(stack, "WorkersKey").enableKeyRotation(true).build();
    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(stack, "Workers")
            .encryptionKey(key)
            .worker(TaskWorkerOptions.builder().build())
            .statusEvents(true)
            .build();
    Role app =
        Role.Builder.create(stack, "App")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .build();
    tasks.grantStartTask(app);
    tasks.grantReadStatus(app);
    tasks.grantWork(
        Role.Builder.create(stack, "Worker")
            .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
            .build());
    return tasks;
  }

  /** The stack the consumer's constructs go in. */
  Stack stack() {
    return stack;
  }

  /**
   * Synthesizes the app and returns the validation report. cdk-nag 3 fails the synthesis on any
   * finding, warnings included, and CDK writes the report either way; a synthesis that fails for
   * another reason is rethrown.
   */
  Report synth() {
    boolean failed = false;
    try {
      app.synth();
    } catch (RuntimeException e) {
      if (!String.valueOf(e.getMessage()).startsWith("ValidationFailed")) {
        throw e;
      }
      failed = true;
    }
    return read(outdir.resolve("validation-report.json"), failed);
  }

  /**
   * Reads CDK's report. It lists only the plugins with something to say: a plugin that found
   * nothing is left out, and cdk-nag 3 drops the findings it sees acknowledged on the resource or
   * an ancestor before CDK gets them.
   */
  private static Report read(Path file, boolean synthFailed) {
    if (!Files.isRegularFile(file)) {
      throw new AssertionError(
          "CDK wrote no validation report at "
              + file
              + ": the policy validation plugins did not run");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Finding> findings = new ArrayList<>();
    List<Acknowledged> acknowledged = new ArrayList<>();
    for (JsonNode plugin : root.path("pluginReports")) {
      String name = plugin.path("pluginName").asText();
      for (JsonNode violation : plugin.path("violations")) {
        for (JsonNode construct : violation.path("violatingConstructs")) {
          findings.add(
              new Finding(
                  name,
                  violation.path("ruleName").asText(),
                  violation.path("severity").asText(),
                  construct.path("constructPath").asText(),
                  violation.path("description").asText()));
        }
      }
      for (JsonNode violation : plugin.path("suppressedViolations")) {
        for (JsonNode construct : violation.path("violatingConstructs")) {
          acknowledged.add(
              new Acknowledged(
                  violation.path("ruleName").asText(),
                  construct.path("constructPath").asText(),
                  violation.path("acknowledgedId").asText(),
                  violation.path("acknowledgedAt").asText()));
        }
      }
    }
    return new Report(List.copyOf(findings), List.copyOf(acknowledged), synthFailed);
  }

  /**
   * What the validation report says: the active findings (errors and warnings alike), the findings
   * that CDK matched to an acknowledgment, and whether the synthesis failed.
   */
  record Report(List<Finding> findings, List<Acknowledged> acknowledged, boolean synthFailed) {}

  /** One finding on one construct. */
  record Finding(
      String plugin, String rule, String severity, String constructPath, String description) {

    @Override
    public String toString() {
      return rule + " (" + plugin + " " + severity + ") at " + constructPath + ": " + description;
    }
  }

  /** A finding on one construct that CDK matched to an acknowledgment at {@code acknowledgedAt}. */
  record Acknowledged(
      String rule, String constructPath, String acknowledgedId, String acknowledgedAt) {}
}
