package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;

/** Unix seconds as DynamoDB numbers hold them (a decimal fraction) to and from instants. */
final class EpochSeconds {
  private static final int NANO_DIGITS = 9;

  private EpochSeconds() {}

  /**
   * The instant {@code seconds} after the epoch, truncated to the nanosecond.
   *
   * @throws ArithmeticException if the value is outside the range of {@link Instant}
   */
  static Instant toInstant(BigDecimal seconds) {
    BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
    long nanos =
        seconds
            .subtract(whole)
            .movePointRight(NANO_DIGITS)
            .setScale(0, RoundingMode.DOWN)
            .longValueExact();
    try {
      return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    } catch (DateTimeException e) {
      throw new ArithmeticException(seconds + " seconds is outside the range of an Instant");
    }
  }

  /** The instant as Unix seconds, without trailing zeros. */
  static BigDecimal of(Instant instant) {
    return BigDecimal.valueOf(instant.getEpochSecond())
        .add(BigDecimal.valueOf(instant.getNano(), NANO_DIGITS))
        .stripTrailingZeros();
  }
}
