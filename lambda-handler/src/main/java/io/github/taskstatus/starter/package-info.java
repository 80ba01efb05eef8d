/**
 * The starter Lambda of task-status-workflow: it receives {@code {"taskId": "..."}} (or an SQS
 * batch of such messages) and starts one Step Functions execution per task with {@code {"taskId":
 * "...", "timestamp": <Unix seconds, to five decimals>}}.
 *
 * <p>{@link io.github.taskstatus.starter.StarterHandler} is the Lambda entry point and the only
 * public class. The rest is package-private: the event classification, validation, timestamps,
 * retries and credentials it delegates to, kept free of Lambda's runtime so the tests can drive
 * them against a local Step Functions endpoint. Execution names come from task-status-client's
 * {@code io.github.taskstatus.client.ExecutionNames}, the one class of the client this jar ships,
 * so the starter and the client derive a start's name with the same code.
 */
package io.github.taskstatus.starter;
