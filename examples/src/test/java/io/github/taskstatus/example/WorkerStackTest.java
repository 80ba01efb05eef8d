package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The worker example hands its tasks to a worker queue and publishes status events. */
class WorkerStackTest {

  @Test
  void handsTasksToTheWorkerQueuePublishesEventsAndGrantsTheWorkerRole() {
    Template template =
        Template.fromStack(new WorkerStack(new App(), "Worker", StackProps.builder().build()));

    String definition = template.findResources("AWS::StepFunctions::StateMachine").toString();
    assertThat(definition)
        .contains("sqs:sendMessage.waitForTaskToken")
        .contains("\"HeartbeatSeconds\":60");
    template.resourceCountIs("AWS::Pipes::Pipe", 1);
    template.hasResourceProperties("AWS::SQS::Queue", Map.of("VisibilityTimeout", 60));
    template.hasOutput("TASKSTATUSWORKERQUEUEURL", Match.anyValue());
    template.hasOutput("TASKSTATUSTABLE", Match.anyValue());
    template.hasOutput("RenderWorkerRoleArn", Match.anyValue());
    assertThat(template.findResources("AWS::IAM::Policy").toString())
        .contains("states:SendTaskHeartbeat");
  }
}
