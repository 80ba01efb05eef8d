/**
 * The task-status-workflow library: an AWS CDK construct that records every task of a queue in
 * DynamoDB as {@code STARTED}, runs its work in Step Functions and marks it {@code DONE} or {@code
 * FAILED}.
 *
 * <p>Start with {@link io.github.taskstatus.TaskStatusWorkflow}; its props are {@link
 * io.github.taskstatus.TaskStatusWorkflowProps}. Everything else in this package is an
 * implementation detail and package-private.
 */
package io.github.taskstatus;
