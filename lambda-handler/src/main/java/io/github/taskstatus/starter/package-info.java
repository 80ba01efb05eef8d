/**
 * The starter Lambda of task-status-workflow: it receives {@code {"taskId": "..."}} and starts
 * one Step Functions execution with {@code {"taskId": "...", "timestamp": <Unix seconds>}}.
 *
 * <p>{@link io.github.taskstatus.starter.StarterHandler} is the Lambda entry point; everything
 * else in this package is the logic it delegates to, kept free of Lambda types so it can be
 * tested against a local Step Functions endpoint.
 */
package io.github.taskstatus.starter;
