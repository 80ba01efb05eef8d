package io.github.taskstatus.starter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives Step Functions execution names from a task id and an idempotency key.
 *
 * <p>The name is {@code <readable prefix of the task id>-<24 hex digits of SHA-256(taskId, key)>}.
 * The prefix keeps names recognisable in the console; the digest makes them unique per
 * (task id, key) and the same for a retry or redelivery with the same key, which is what makes a
 * start idempotent. Names always satisfy the service's rules: 1 to 80 characters from
 * {@code [A-Za-z0-9_-]}, so no whitespace, no reserved punctuation and no control characters,
 * whatever the task id contains.
 */
public final class ExecutionNames {

  /** The service's limit on execution names. */
  public static final int MAX_NAME_LENGTH = 80;

  private static final int DIGEST_HEX_DIGITS = 24;
  private static final int MAX_PREFIX_LENGTH = MAX_NAME_LENGTH - DIGEST_HEX_DIGITS - 1;

  private ExecutionNames() {}

  /**
   * Returns the execution name for a start of {@code taskId} identified by {@code key}.
   *
   * @param taskId the task id, any non-empty string
   * @param key what identifies this start: the same key yields the same name
   * @return a valid execution name of at most 80 characters
   */
  public static String of(String taskId, String key) {
    StringBuilder prefix = new StringBuilder(MAX_PREFIX_LENGTH);
    for (int i = 0; i < taskId.length() && prefix.length() < MAX_PREFIX_LENGTH; i++) {
      char c = taskId.charAt(i);
      boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      prefix.append(safe ? c : '_');
    }
    return prefix + "-" + digest(taskId + '\u0000' + key);
  }

  private static String digest(String value) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, DIGEST_HEX_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
