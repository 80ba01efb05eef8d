package io.github.taskstatus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.taskstatus.TaskStatusWorkflow;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * The kit as a user runs it: a stack of the user's own, whose work invokes the user's own Java
 * function, started once for the class; tasks started and awaited through the client the kit hands
 * out, as the administrator and as the stack's application role.
 */
class LocalTaskCloudIT {

  @RegisterExtension
  static final LocalTaskCloud cloud = LocalTaskCloud.of(LocalTaskCloudIT::kitchen);

  /** The user's stack: a workflow whose work is their Cook function, and two roles. */
  static Stack kitchen(App app) {
    Stack stack = new Stack(app, "Kitchen");
    Function cook =
        Function.Builder.create(stack, "Cook")
            .runtime(Runtime.JAVA_21)
            .handler(Cook.class.getName() + "::handleRequest")
            .code(Code.fromAsset(FunctionJar.of(Cook.class).toString()))
            .memorySize(512)
            .timeout(software.amazon.awscdk.Duration.seconds(30))
            .build();
    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(stack, "Tasks")
            .work(LambdaInvoke.Builder.create(stack, "CookIt").lambdaFunction(cook).build())
            .build();
    Role application =
        Role.Builder.create(stack, "AppRole").assumedBy(new AccountRootPrincipal()).build();
    tasks.grantStartTask(application);
    tasks.grantReadStatus(application);
    Role.Builder.create(stack, "StrangerRole").assumedBy(new AccountRootPrincipal()).build();
    CfnOutput.Builder.create(stack, "CookName").value(cook.getFunctionName()).build();
    return stack;
  }

  @Test
  void aTaskOfTheUsersStackRunsTheUsersFunctionAndEndsDone() {
    TaskStatusClient tasks = cloud.client();

    TaskRecord end = tasks.await(tasks.start("Breakfast"), Duration.ofMinutes(2));

    assertThat(end.taskId()).isEqualTo("Breakfast");
    assertThat(end.status()).isEqualTo(TaskStatus.DONE);
  }

  @Test
  void anErrorOfTheUsersFunctionMarksTheTaskFailedWithItsType() {
    TaskStatusClient tasks = cloud.client("Tasks");

    TaskRecord end = tasks.await(tasks.start("Burnt"), Duration.ofMinutes(2));

    assertThat(end.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(end.error()).contains(Cook.BurntException.class.getName());
    assertThat(end.cause().orElseThrow()).contains("the oven was too hot for Burnt");
  }

  @Test
  void theApplicationRoleDoesItsJobWithItsGrants() {
    TaskStatusClient asApplication = cloud.client("Tasks", cloud.roleCredentials("AppRole"));

    TaskRecord end = asApplication.await(asApplication.start("Lunch"), Duration.ofMinutes(2));

    assertThat(end.status()).isEqualTo(TaskStatus.DONE);
    assertThat(asApplication.history("Lunch")).hasSize(1);
  }

  @Test
  void aRoleWithoutTheGrantsIsRefusedAsOnAws() {
    TaskStatusClient asStranger = cloud.client("Tasks", cloud.roleCredentials("StrangerRole"));

    assertThatThrownBy(() -> asStranger.start("Dinner"))
        .isInstanceOf(LambdaException.class)
        .hasMessageContaining("is not authorized to perform: lambda:InvokeFunction");
  }

  @Test
  void theSdkReachesTheStackAsTheAdministratorAndTheOutputsAreResolved() {
    String cook = cloud.outputs().get("CookName");
    try (DynamoDbClient dynamoDb = cloud.configure(DynamoDbClient.builder()).build()) {
      assertThat(dynamoDb.listTables().tableNames())
          .singleElement()
          .asString()
          .startsWith("Kitchen-");
    }

    assertThat(cloud.outputs()).containsOnlyKeys("CookName");
    assertThat(cook).startsWith("Kitchen-Cook");
    assertThat(cloud.endpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(cloud.region().id()).isEqualTo("us-east-1");
    assertThat(cloud.account()).isEqualTo("000000000000");
  }
}
