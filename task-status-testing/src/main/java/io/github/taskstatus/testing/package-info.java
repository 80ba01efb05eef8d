/**
 * A test kit for apps built with {@code TaskStatusWorkflow}: {@link
 * io.github.taskstatus.testing.LocalTaskCloud}, a JUnit 5 extension that synthesizes your stack,
 * deploys it to the project's local cloud on 127.0.0.1 (DynamoDB, Step Functions, Lambda, SQS and
 * EventBridge, with IAM evaluated on every call) and hands your tests a configured {@code
 * TaskStatusClient} and what the AWS SDK needs to reach it. No AWS account, no Docker.
 */
package io.github.taskstatus.testing;
