package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DynamoDB's condition and update expressions, parsed and evaluated as the developer guide
 * documents them, for the part of the grammar the client uses: conditions of comparisons ({@code =
 * < <= > >=}) between top-level attributes and values, {@code attribute_exists} and {@code
 * attribute_not_exists}, combined with {@code AND}, {@code OR}, {@code NOT} and parentheses, with
 * DynamoDB's precedence ({@code NOT} over {@code AND} over {@code OR}); updates of {@code SET a =
 * :v, ...} and {@code REMOVE a, ...}. A comparison with a missing attribute, or between values of
 * different types, is false, as in DynamoDB; numbers compare by value, strings by code point.
 * Anything else (nested paths, other functions, {@code <>}, {@code BETWEEN}, {@code IN}, {@code
 * ADD}, arithmetic) is refused as unserved rather than evaluated wrongly.
 */
final class DynamoExpressions {
  private static final Pattern TOKEN =
      Pattern.compile(
          "\\s*(?:(?<op><=|>=|<>|=|<|>|\\(|\\)|,)|(?<word>[#:]?[A-Za-z0-9_]+)|(?<other>\\S))");

  private DynamoExpressions() {}

  /** A condition on the stored item, or on none ({@code null}). */
  interface Condition {
    boolean holdsFor(ObjectNode item);
  }

  /** What an update expression sets and removes. */
  record Update(Map<String, JsonNode> set, Set<String> remove) {
    /** Every attribute the update names. */
    List<String> attributes() {
      List<String> all = new ArrayList<>(set.keySet());
      all.addAll(remove);
      return all;
    }

    void applyTo(ObjectNode item) {
      set.forEach((name, value) -> item.set(name, value.deepCopy()));
      remove.forEach(item::remove);
    }
  }

  static Condition condition(String text, FakeDynamoDb.Expression expression) {
    Parser parser = new Parser(tokens(text, "ConditionExpression"), expression);
    Condition condition = parser.or();
    parser.end();
    return condition;
  }

  static Update update(String text, FakeDynamoDb.Expression expression) {
    List<String> tokens = tokens(text, "UpdateExpression");
    Map<String, JsonNode> set = new LinkedHashMap<>();
    Set<String> remove = new LinkedHashSet<>();
    Set<String> seenClauses = new LinkedHashSet<>();
    int i = 0;
    if (tokens.isEmpty()) {
      throw new FakeDynamoDb.Invalid("Invalid UpdateExpression: The expression can not be empty;");
    }
    while (i < tokens.size()) {
      String clause = tokens.get(i++).toUpperCase(Locale.ROOT);
      if (!clause.equals("SET") && !clause.equals("REMOVE")) {
        throw unserved("UpdateExpression", clause);
      }
      if (!seenClauses.add(clause)) {
        throw new FakeDynamoDb.Invalid(
            "Invalid UpdateExpression: The \"" + clause + "\" section can only be used once");
      }
      boolean more = true;
      while (more) {
        String name =
            expression.name(
                path(token(tokens, i++, "UpdateExpression"), "UpdateExpression"),
                "UpdateExpression");
        if (set.containsKey(name) || remove.contains(name)) {
          throw new FakeDynamoDb.Invalid(
              "Invalid UpdateExpression: Two document paths overlap with each other; must remove"
                  + " or rewrite one of these paths; path one: ["
                  + name
                  + "], path two: ["
                  + name
                  + "]");
        }
        switch (clause) {
          case "SET" -> {
            expect(tokens, i++, "=", "UpdateExpression");
            String value = token(tokens, i++, "UpdateExpression");
            if (!value.startsWith(":")) {
              throw unserved("UpdateExpression", value);
            }
            set.put(name, expression.value(value));
          }
          default -> remove.add(name);
        }
        more = i < tokens.size() && tokens.get(i).equals(",");
        if (more) {
          i++;
        }
      }
    }
    return new Update(set, remove);
  }

  private static List<String> tokens(String text, String kind) {
    List<String> tokens = new ArrayList<>();
    Matcher matcher = TOKEN.matcher(text);
    int at = 0;
    while (at < text.length() && matcher.find(at) && matcher.start() == at) {
      if (matcher.group("other") != null) {
        throw unserved(kind, matcher.group("other"));
      }
      tokens.add(matcher.group("op") != null ? matcher.group("op") : matcher.group("word"));
      at = matcher.end();
    }
    if (!text.substring(at).isBlank()) {
      throw new FakeDynamoDb.Invalid("Invalid " + kind + ": Syntax error; token: " + text);
    }
    return tokens;
  }

  /** A top-level attribute name or a name placeholder; anything else is not served. */
  private static String path(String token, String kind) {
    if (!token.matches("#?[A-Za-z_][A-Za-z0-9_]*")) {
      throw unserved(kind, token);
    }
    return token;
  }

  private static String token(List<String> tokens, int i, String kind) {
    if (i >= tokens.size()) {
      throw new FakeDynamoDb.Invalid("Invalid " + kind + ": Syntax error; token: <EOF>");
    }
    return tokens.get(i);
  }

  private static void expect(List<String> tokens, int i, String wanted, String kind) {
    String token = token(tokens, i, kind);
    if (!token.equals(wanted)) {
      throw new FakeDynamoDb.Invalid(
          "Invalid " + kind + ": Syntax error; token: \"" + token + "\"");
    }
  }

  private static FakeDynamoDb.Invalid unserved(String kind, String token) {
    return new FakeDynamoDb.Invalid(
        "Invalid " + kind + ": this fake does not serve \"" + token + "\"");
  }

  /** Recursive descent: or := and (OR and)*; and := not (AND not)*; not := NOT not | primary. */
  private static final class Parser {
    private static final String KIND = "ConditionExpression";
    private final List<String> tokens;
    private final FakeDynamoDb.Expression expression;
    private int at;

    Parser(List<String> tokens, FakeDynamoDb.Expression expression) {
      this.tokens = tokens;
      this.expression = expression;
    }

    Condition or() {
      Condition left = and();
      while (keyword("OR")) {
        Condition a = left;
        Condition b = and();
        left = item -> a.holdsFor(item) || b.holdsFor(item);
      }
      return left;
    }

    private Condition and() {
      Condition left = not();
      while (keyword("AND")) {
        Condition a = left;
        Condition b = not();
        left = item -> a.holdsFor(item) && b.holdsFor(item);
      }
      return left;
    }

    private Condition not() {
      if (keyword("NOT")) {
        Condition negated = not();
        return item -> !negated.holdsFor(item);
      }
      return primary();
    }

    private Condition primary() {
      String token = token(tokens, at++, KIND);
      if (token.equals("(")) {
        Condition inner = or();
        expect(tokens, at++, ")", KIND);
        return inner;
      }
      if (token.equals("attribute_exists") || token.equals("attribute_not_exists")) {
        expect(tokens, at++, "(", KIND);
        String name = expression.name(path(token(tokens, at++, KIND), KIND), KIND);
        expect(tokens, at++, ")", KIND);
        boolean exists = token.equals("attribute_exists");
        return item -> (item != null && item.has(name)) == exists;
      }
      Operand left = operand(token);
      String operator = token(tokens, at++, KIND);
      if (!List.of("=", "<", "<=", ">", ">=").contains(operator)) {
        throw unserved(KIND, operator);
      }
      Operand right = operand(token(tokens, at++, KIND));
      return item -> compare(left.of(item), operator, right.of(item));
    }

    private Operand operand(String token) {
      if (token.startsWith(":")) {
        JsonNode value = expression.value(token);
        return item -> value;
      }
      String name = expression.name(path(token, KIND), KIND);
      return item -> item == null ? null : item.get(name);
    }

    private boolean keyword(String word) {
      if (at < tokens.size() && tokens.get(at).equalsIgnoreCase(word)) {
        at++;
        return true;
      }
      return false;
    }

    void end() {
      if (at != tokens.size()) {
        throw new FakeDynamoDb.Invalid(
            "Invalid " + KIND + ": Syntax error; token: \"" + tokens.get(at) + "\"");
      }
    }
  }

  /** One side of a comparison: an attribute of the item (null if absent) or a value. */
  private interface Operand {
    JsonNode of(ObjectNode item);
  }

  private static boolean compare(JsonNode a, String operator, JsonNode b) {
    if (a == null || b == null) {
      return false;
    }
    int comparison;
    if (a.has("N") && b.has("N")) {
      comparison =
          new BigDecimal(a.get("N").asText()).compareTo(new BigDecimal(b.get("N").asText()));
    } else if (a.has("S") && b.has("S")) {
      comparison =
          Arrays.compare(
              a.get("S").asText().codePoints().toArray(),
              b.get("S").asText().codePoints().toArray());
    } else if (operator.equals("=")) {
      return a.equals(b);
    } else {
      return false;
    }
    return switch (operator) {
      case "=" -> comparison == 0;
      case "<" -> comparison < 0;
      case "<=" -> comparison <= 0;
      case ">" -> comparison > 0;
      default -> comparison >= 0;
    };
  }
}
