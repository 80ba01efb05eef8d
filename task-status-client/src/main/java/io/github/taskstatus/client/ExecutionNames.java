package io.github.taskstatus.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The execution name the starter gives a start: the one piece of code both the starter function and
 * this client use, so a client can tell which execution (and so which item) is its start's before
 * the starter has even run it, as in queue mode.
 *
 * <p>The name is {@code <readable prefix of the task id>-<24 hex digits of SHA-256>}. The prefix
 * keeps names recognisable in the console: the task id's first characters, each character outside
 * {@code [A-Za-z0-9_-]} replaced by {@code _}. The digest makes names unique per (task id,
 * idempotency key) and the same for every retry or redelivery with the same key, which is what
 * makes a start idempotent. It covers each field prefixed with its length, so no two different
 * (task id, key) pairs hash the same input. Names always satisfy Step Functions' rules: 1 to
 * {@value #MAX_NAME_LENGTH} characters from {@code [A-Za-z0-9_-]}, whatever the task id contains.
 *
 * <p>The starter's key is the request's {@code idempotencyKey} if it has one (the client always
 * sends one: {@link TaskStart#idempotencyKey()}), else the Lambda request id of a direct invocation
 * or the SQS message id of a queued message. The execution's ARN, which the task's item keeps as
 * {@code ExecutionArn}, ends with {@code ":" + name}.
 *
 * <pre>{@code
 * String name = ExecutionNames.of("Breakfast", start.idempotencyKey());
 * }</pre>
 */
public final class ExecutionNames {

  /** Step Functions' limit on the length of an execution name. */
  public static final int MAX_NAME_LENGTH = 80;

  private static final int DIGEST_HEX_DIGITS = 24;
  private static final int MAX_PREFIX_LENGTH = MAX_NAME_LENGTH - DIGEST_HEX_DIGITS - 1;

  private ExecutionNames() {}

  /**
   * The execution name of the start of {@code taskId} identified by {@code idempotencyKey}.
   *
   * @param taskId the task id, any non-empty string
   * @param idempotencyKey what identifies this start: the same key always yields the same name
   * @return a valid execution name of at most {@value #MAX_NAME_LENGTH} characters
   * @throws NullPointerException if either argument is null
   * @throws IllegalArgumentException if the task id is empty
   */
  public static String of(String taskId, String idempotencyKey) {
    Objects.requireNonNull(taskId, "taskId must not be null");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey must not be null");
    if (taskId.isEmpty()) {
      throw new IllegalArgumentException("taskId must not be empty");
    }
    StringBuilder prefix = new StringBuilder(MAX_PREFIX_LENGTH);
    for (int i = 0; i < taskId.length() && prefix.length() < MAX_PREFIX_LENGTH; i++) {
      char c = taskId.charAt(i);
      boolean safe =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      prefix.append(safe ? c : '_');
    }
    return prefix + "-" + digest(taskId, idempotencyKey);
  }

  /** SHA-256 over each field as its UTF-8 length, a colon and its UTF-8 bytes. */
  private static String digest(String... fields) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String field : fields) {
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, DIGEST_HEX_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
