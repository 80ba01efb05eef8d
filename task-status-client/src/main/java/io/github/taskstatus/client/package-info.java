/**
 * A client for applications that start the tasks of a {@code TaskStatusWorkflow} and read their
 * status, and for the workers that work them, with the AWS SDK for Java v2 only (no {@code
 * aws-cdk-lib}).
 *
 * <p>{@link io.github.taskstatus.client.TaskStatusClient} is the application's entry point: built
 * from the environment variables the construct hands to an application ({@link
 * io.github.taskstatus.client.TaskStatusClient#fromEnvironment()}) or with its {@link
 * io.github.taskstatus.client.TaskStatusClient#builder() builder}. It starts a task by invoking the
 * starter function (or, in queue mode, by sending a message to the queue), reads the task's items,
 * {@link io.github.taskstatus.client.TaskRecord}s, from the table and its indexes with {@code
 * Query} only, redrives a failed start's execution with Step Functions' {@code RedriveExecution}
 * and cancels a running one with {@code StopExecution}.
 *
 * <p>{@link io.github.taskstatus.client.TaskWorker} is a worker's entry point in worker mode: it
 * receives tasks from the worker queue as {@link io.github.taskstatus.client.TaskWork}, reports
 * their progress (a heartbeat, and a {@link io.github.taskstatus.client.TaskProgress} on the item)
 * and answers them with their task tokens.
 *
 * <p>Failures of this library are {@link io.github.taskstatus.client.TaskStatusException}s;
 * failures of an AWS call itself (network, permissions, throttling after the SDK's retries) surface
 * unchanged as the SDK's {@code SdkException}s.
 */
package io.github.taskstatus.client;
