package io.github.taskstatus.starter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives Step Functions execution names from a task id and an idempotency key.
 *
 * <p>The name is {@code <readable prefix of the task id>-<24 hex digits of SHA-256>}. The prefix
 * keeps names recognisable in the console; the digest makes them unique per (task id, key) and the
 * same for a retry or redelivery with the same key, which is what makes a start idempotent. The
 * digest covers each field prefixed with its length, so no two different (task id, key) pairs hash
 * the same input. Names always satisfy the service's rules: 1 to 80 characters from {@code
 * [A-Za-z0-9_-]}, whatever the task id contains.
 */
final class ExecutionNames {

  /** The service's limit on execution names. */
  static final int MAX_NAME_LENGTH = 80;

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
  static String of(String taskId, String key) {
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
    return prefix + "-" + digest(taskId, key);
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
