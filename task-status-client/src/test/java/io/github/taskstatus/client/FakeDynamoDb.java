package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workflow's table as DynamoDB serves it to {@code Query}: partition key {@code taskId} (S),
 * sort key {@code timestamp} (N), and its sparse indexes, {@code FailedTasks} ({@code
 * FailedIndexKey} S, {@code UpdatedAt} S) and {@code OpenTasks} ({@code OpenIndexKey} S, {@code
 * Deadline} S), each holding only the items that have both of its keys. It checks a request as
 * strictly as DynamoDB does where a client is likely to err: reserved words used without a
 * placeholder, undefined or unused placeholders, conditions on attributes that are not the keys, a
 * wrong value type, consistent reads of a global secondary index. Pages end at {@code Limit} (with
 * a {@code LastEvaluatedKey}, as DynamoDB gives even when nothing follows) or at {@link
 * #maxPageItems(int)}, which stands in for DynamoDB's 1 MB page. Numbers are stored normalised, as
 * DynamoDB does ({@code 1.10} comes back as {@code 1.1}), those in lists and maps too. Every page
 * it serves is recorded ({@link #pages()}) so that tests can check which items a client read.
 *
 * <p>{@code GetItem} reads an item by its full key ({@code taskId} S and {@code timestamp} N, or
 * "The provided key element does not match the schema"). {@code UpdateItem} evaluates its {@code
 * ConditionExpression} on the stored item (or on none) with {@link DynamoExpressions}, answers
 * {@code ConditionalCheckFailedException} when it does not hold, and otherwise applies its {@code
 * UpdateExpression}, creating the item when there is none, as DynamoDB does; it refuses updates of
 * key attributes, overlapping paths and the same placeholder checks as {@code Query}.
 */
final class FakeDynamoDb {
  static final String INDEX = "FailedTasks";
  static final String OPEN_INDEX = "OpenTasks";

  /** A global secondary index's key schema; its sort key is a string. */
  private record Index(String partitionKey, String sortKey) {}

  private static final Map<String, Index> INDEXES =
      Map.of(
          INDEX, new Index("FailedIndexKey", "UpdatedAt"),
          OPEN_INDEX, new Index("OpenIndexKey", "Deadline"));
  private static final Set<String> RESERVED =
      Set.of(
          "timestamp",
          "status",
          "error",
          "name",
          "key",
          "date",
          "time",
          "value",
          "count",
          "index",
          "table",
          "cause");
  private static final Pattern KEY_CONDITION =
      Pattern.compile(
          "\\s*(\\S+)\\s*=\\s*(:\\w+)\\s*(?:(?i:AND)\\s+(\\S+)\\s*(?:(<=|>=|=|<|>)\\s*(:\\w+)"
              + "|(?i:BETWEEN)\\s+(:\\w+)\\s+(?i:AND)\\s+(:\\w+))\\s*)?");

  private final List<ObjectNode> items = new ArrayList<>();
  private int maxPageItems = 1_000;
  private int queries;
  private int updates;
  private IntConsumer onUpdateItem = count -> {};
  private final List<List<ObjectNode>> pages = new ArrayList<>();
  private IntConsumer onQuery = count -> {};

  /** Stores an item, replacing the one with the same key. */
  synchronized FakeDynamoDb put(ObjectNode item) {
    ObjectNode stored = normalised(item);
    items.removeIf(existing -> sameKey(existing, stored));
    items.add(stored);
    return this;
  }

  /** The most items one page holds, like DynamoDB's 1 MB. */
  synchronized FakeDynamoDb maxPageItems(int maxPageItems) {
    this.maxPageItems = maxPageItems;
    return this;
  }

  /** The items of every page served so far, page by page, in the order served. */
  synchronized List<List<ObjectNode>> pages() {
    return List.copyOf(pages);
  }

  /** Puts {@code item} just before the {@code count}-th Query (from 1) is answered. */
  synchronized FakeDynamoDb putOnQuery(int count, ObjectNode item) {
    return onQuery(
        queries -> {
          if (queries == count) {
            put(item);
          }
        });
  }

  /** Runs before each Query is answered, with the number of queries so far (from 1). */
  synchronized FakeDynamoDb onQuery(IntConsumer onQuery) {
    this.onQuery = onQuery;
    return this;
  }

  /** Runs before each UpdateItem is evaluated, with the number of updates so far (from 1). */
  synchronized FakeDynamoDb onUpdateItem(IntConsumer onUpdateItem) {
    this.onUpdateItem = onUpdateItem;
    return this;
  }

  /** The stored item with this key, a copy, if any. */
  synchronized Optional<ObjectNode> item(String taskId, String timestamp) {
    ObjectNode key = FakeAws.JSON.createObjectNode();
    key.putObject("taskId").put("S", taskId);
    key.putObject("timestamp").put("N", timestamp);
    return find(key).map(ObjectNode::deepCopy);
  }

  synchronized FakeAws.Reply handle(String operation, JsonNode request) {
    try {
      switch (operation) {
        case "Query":
          onQuery.accept(++queries);
          return query(request);
        case "GetItem":
          return getItem(request);
        case "UpdateItem":
          onUpdateItem.accept(++updates);
          return updateItem(request);
        default:
          return error("UnknownOperationException", "not served here: " + operation);
      }
    } catch (Invalid e) {
      return error("ValidationException", e.getMessage());
    } catch (NotFound e) {
      return error("ResourceNotFoundException", "Requested resource not found");
    }
  }

  /** GetItem by the full key; a strongly consistent read sees every write before it. */
  private FakeAws.Reply getItem(JsonNode request) {
    checkTable(request);
    for (String unsupported : List.of("ProjectionExpression", "AttributesToGet")) {
      if (request.has(unsupported)) {
        throw new Invalid("this fake does not serve " + unsupported);
      }
    }
    ObjectNode response = FakeAws.JSON.createObjectNode();
    find(key(request.path("Key"))).ifPresent(item -> response.set("Item", item));
    return new FakeAws.Reply(200, Map.of(), response.toString());
  }

  /**
   * UpdateItem: the condition is evaluated on the stored item (or on none), and only if it holds is
   * the update applied; without an item, one is created with the key, as DynamoDB does.
   */
  private FakeAws.Reply updateItem(JsonNode request) {
    checkTable(request);
    for (String unsupported :
        List.of("AttributeUpdates", "Expected", "ConditionalOperator", "ReturnValues")) {
      if (request.has(unsupported)) {
        throw new Invalid("this fake does not serve " + unsupported);
      }
    }
    ObjectNode key = key(request.path("Key"));
    Expression expression = new Expression(request);
    DynamoExpressions.Update update =
        DynamoExpressions.update(request.path("UpdateExpression").asText(""), expression);
    DynamoExpressions.Condition condition =
        request.has("ConditionExpression")
            ? DynamoExpressions.condition(request.get("ConditionExpression").asText(), expression)
            : item -> true;
    expression.checkAllUsed();
    for (String attribute : update.attributes()) {
      if (attribute.equals("taskId") || attribute.equals("timestamp")) {
        throw new Invalid(
            "One or more parameter values were invalid: Cannot update attribute "
                + attribute
                + ". This attribute is part of the key");
      }
    }
    Optional<ObjectNode> stored = find(key);
    if (!condition.holdsFor(stored.orElse(null))) {
      return new FakeAws.Reply(
          400,
          Map.of(),
          FakeAws.JSON
              .createObjectNode()
              .put("__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
              .put("message", "The conditional request failed")
              .toString());
    }
    ObjectNode item = stored.orElseGet(() -> key.deepCopy());
    update.applyTo(item);
    put(item);
    return new FakeAws.Reply(200, Map.of(), "{}");
  }

  private static void checkTable(JsonNode request) {
    if (!FakeAws.TABLE.equals(request.path("TableName").asText())) {
      throw new NotFound();
    }
  }

  /** The table's key from a request's {@code Key}: exactly {@code taskId} (S), timestamp (N). */
  private static ObjectNode key(JsonNode key) {
    if (key.size() != 2
        || !key.path("taskId").path("S").isTextual()
        || !key.path("timestamp").path("N").isTextual()) {
      throw new Invalid("The provided key element does not match the schema");
    }
    ObjectNode copy = (ObjectNode) key.deepCopy();
    normalise(copy.get("timestamp"));
    return copy;
  }

  private Optional<ObjectNode> find(ObjectNode key) {
    return items.stream().filter(item -> sameKey(item, key)).findFirst();
  }

  private FakeAws.Reply query(JsonNode request) {
    if (!FakeAws.TABLE.equals(request.path("TableName").asText())) {
      return error("ResourceNotFoundException", "Requested resource not found");
    }
    for (String unsupported :
        List.of(
            "FilterExpression",
            "ProjectionExpression",
            "Select",
            "KeyConditions",
            "QueryFilter",
            "AttributesToGet")) {
      if (request.has(unsupported)) {
        throw new Invalid("this fake does not serve " + unsupported);
      }
    }
    String index = request.has("IndexName") ? request.get("IndexName").asText() : null;
    if (index != null && !INDEXES.containsKey(index)) {
      throw new Invalid("The table does not have the specified index: " + index);
    }
    if (index != null && request.path("ConsistentRead").asBoolean(false)) {
      throw new Invalid("Consistent reads are not supported on global secondary indexes");
    }
    String partitionKey = index == null ? "taskId" : INDEXES.get(index).partitionKey();
    String sortKey = index == null ? "timestamp" : INDEXES.get(index).sortKey();
    String sortType = index == null ? "N" : "S";

    Expression expression = new Expression(request);
    Matcher matcher = KEY_CONDITION.matcher(request.path("KeyConditionExpression").asText());
    if (!matcher.matches()) {
      throw new Invalid(
          "Invalid KeyConditionExpression: " + request.path("KeyConditionExpression").asText());
    }
    if (!expression.name(matcher.group(1)).equals(partitionKey)) {
      throw new Invalid("Query condition missed key schema element: " + partitionKey);
    }
    final JsonNode partitionValue = expression.value(matcher.group(2), "S");
    final String sortOperator = matcher.group(4) != null ? matcher.group(4) : "BETWEEN";
    JsonNode sortValue = null;
    JsonNode sortUpper = null;
    if (matcher.group(3) != null) {
      if (!expression.name(matcher.group(3)).equals(sortKey)) {
        throw new Invalid("Query key condition not supported");
      }
      if (matcher.group(4) != null) {
        sortValue = expression.value(matcher.group(5), sortType);
      } else {
        sortValue = expression.value(matcher.group(6), sortType);
        sortUpper = expression.value(matcher.group(7), sortType);
        if (compare(sortValue, sortUpper) > 0) {
          throw new Invalid(
              "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be"
                  + " greater than or equal to lower bound; lower bound operand: AttributeValue: {"
                  + sortType
                  + ":"
                  + sortValue.get(sortType).asText()
                  + "}, upper bound operand: AttributeValue: {"
                  + sortType
                  + ":"
                  + sortUpper.get(sortType).asText()
                  + "}");
        }
      }
    }
    expression.checkAllUsed();

    Comparator<ObjectNode> order =
        Comparator.comparing((ObjectNode item) -> item.get(sortKey), FakeDynamoDb::compare);
    if (index != null) {
      // The index's ties are in no particular order; the table key makes pages stable.
      order =
          order
              .thenComparing(item -> item.get("taskId").get("S").asText())
              .thenComparing(item -> item.get("timestamp"), FakeDynamoDb::compare);
    }
    if (!request.path("ScanIndexForward").asBoolean(true)) {
      order = order.reversed();
    }
    List<ObjectNode> matching = new ArrayList<>();
    for (ObjectNode item : items) {
      if (!item.has(partitionKey)
          || !item.has(sortKey)
          || !item.get(partitionKey).equals(partitionValue)) {
        continue;
      }
      if (sortUpper != null) {
        if (compare(item.get(sortKey), sortValue) < 0
            || compare(item.get(sortKey), sortUpper) > 0) {
          continue;
        }
      } else if (sortValue != null
          && !satisfies(compare(item.get(sortKey), sortValue), sortOperator)) {
        continue;
      }
      matching.add(item);
    }
    matching.sort(order);
    int from = 0;
    if (request.has("ExclusiveStartKey")) {
      JsonNode start = request.get("ExclusiveStartKey");
      from = matching.size();
      for (int i = 0; i < matching.size(); i++) {
        if (keyOf(matching.get(i), index).equals(start)) {
          from = i + 1;
        }
      }
    }
    if (request.has("Limit") && request.get("Limit").asInt() < 1) {
      throw new Invalid(
          "1 validation error detected: Value '"
              + request.get("Limit").asText()
              + "' at 'limit' failed to satisfy constraint: Member must have value greater than or"
              + " equal to 1");
    }
    int pageSize =
        Math.min(
            maxPageItems, request.has("Limit") ? request.get("Limit").asInt() : Integer.MAX_VALUE);
    List<ObjectNode> page = matching.subList(from, Math.min(matching.size(), from + pageSize));
    pages.add(List.copyOf(page));
    ObjectNode response = FakeAws.JSON.createObjectNode();
    ArrayNode array = response.putArray("Items");
    page.forEach(array::add);
    response.put("Count", page.size()).put("ScannedCount", page.size());
    if (page.size() == pageSize) {
      response.set("LastEvaluatedKey", keyOf(page.get(page.size() - 1), index));
    }
    return new FakeAws.Reply(200, Map.of(), response.toString());
  }

  private static ObjectNode keyOf(ObjectNode item, String index) {
    ObjectNode key = FakeAws.JSON.createObjectNode();
    key.set("taskId", item.get("taskId"));
    key.set("timestamp", item.get("timestamp"));
    if (index != null) {
      Index schema = INDEXES.get(index);
      key.set(schema.partitionKey(), item.get(schema.partitionKey()));
      key.set(schema.sortKey(), item.get(schema.sortKey()));
    }
    return key;
  }

  private static boolean satisfies(int comparison, String operator) {
    return switch (operator) {
      case "=" -> comparison == 0;
      case "<" -> comparison < 0;
      case "<=" -> comparison <= 0;
      case ">" -> comparison > 0;
      case ">=" -> comparison >= 0;
      default -> throw new Invalid("operator " + operator);
    };
  }

  /** Numbers compare numerically, strings by code point (UTF-8 byte order for ASCII). */
  private static int compare(JsonNode a, JsonNode b) {
    if (a.has("N")) {
      return new BigDecimal(a.get("N").asText()).compareTo(new BigDecimal(b.get("N").asText()));
    }
    return a.get("S").asText().compareTo(b.get("S").asText());
  }

  private static boolean sameKey(ObjectNode a, ObjectNode b) {
    return a.get("taskId").equals(b.get("taskId"))
        && compare(a.get("timestamp"), b.get("timestamp")) == 0;
  }

  /** DynamoDB keeps a number's value, not its text. */
  private static ObjectNode normalised(ObjectNode item) {
    ObjectNode copy = item.deepCopy();
    for (Map.Entry<String, JsonNode> field : copy.properties()) {
      normalise(field.getValue());
    }
    return copy;
  }

  /** Normalises the numbers of one attribute value, those in its lists and maps too. */
  static void normalise(JsonNode value) {
    if (value.has("N")) {
      if (!value.get("N").isTextual()) {
        throw new Invalid("The value for the field 'N' must be a STRING");
      }
      ((ObjectNode) value)
          .put("N", new BigDecimal(value.get("N").asText()).stripTrailingZeros().toPlainString());
    } else if (value.has("L")) {
      value.get("L").forEach(FakeDynamoDb::normalise);
    } else if (value.has("M")) {
      value.get("M").forEach(FakeDynamoDb::normalise);
    }
  }

  private static FakeAws.Reply error(String type, String message) {
    String prefix =
        type.equals("ValidationException")
            ? "com.amazon.coral.validate#"
            : "com.amazonaws.dynamodb.v20120810#";
    return new FakeAws.Reply(
        400,
        Map.of(),
        FakeAws.JSON
            .createObjectNode()
            .put("__type", prefix + type)
            .put("message", message)
            .toString());
  }

  /** The request's placeholders: each must be defined, and each defined one used. */
  static final class Expression {
    private final JsonNode names;
    private final JsonNode values;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedValues = new HashSet<>();

    Expression(JsonNode request) {
      this.names = request.path("ExpressionAttributeNames");
      this.values = request.path("ExpressionAttributeValues");
    }

    String name(String token) {
      return name(token, "KeyConditionExpression");
    }

    /** The attribute a name token names, in the expression called {@code kind} in messages. */
    String name(String token, String kind) {
      if (token.startsWith("#")) {
        if (!names.has(token)) {
          throw new Invalid(
              "An expression attribute name used in the document path is not"
                  + " defined; attribute name: "
                  + token);
        }
        usedNames.add(token);
        return names.get(token).asText();
      }
      if (RESERVED.contains(token.toLowerCase(Locale.ROOT))) {
        throw new Invalid(
            "Invalid "
                + kind
                + ": Attribute name is a reserved keyword; reserved keyword: "
                + token);
      }
      return token;
    }

    JsonNode value(String token, String type) {
      if (!values.has(token)) {
        throw new Invalid(
            "An expression attribute value used in expression is not defined;"
                + " attribute value: "
                + token);
      }
      usedValues.add(token);
      JsonNode value = values.get(token);
      if (!value.has(type) || !value.get(type).isTextual()) {
        throw new Invalid(
            "One or more parameter values were invalid: Condition parameter type"
                + " does not match schema type");
      }
      return type.equals("N")
          ? FakeAws.JSON
              .createObjectNode()
              .put(
                  "N", new BigDecimal(value.get("N").asText()).stripTrailingZeros().toPlainString())
          : value;
    }

    /** A value of any type, its numbers normalised as DynamoDB stores them. */
    JsonNode value(String token) {
      if (!values.has(token)) {
        throw new Invalid(
            "An expression attribute value used in expression is not defined;"
                + " attribute value: "
                + token);
      }
      usedValues.add(token);
      JsonNode value = values.get(token).deepCopy();
      normalise(value);
      return value;
    }

    void checkAllUsed() {
      Set<String> unusedNames = new HashSet<>();
      names.fieldNames().forEachRemaining(unusedNames::add);
      unusedNames.removeAll(usedNames);
      if (!unusedNames.isEmpty()) {
        throw new Invalid(
            "Value provided in ExpressionAttributeNames unused in expressions:"
                + " keys: "
                + unusedNames);
      }
      Set<String> unusedValues = new HashSet<>();
      values.fieldNames().forEachRemaining(unusedValues::add);
      unusedValues.removeAll(usedValues);
      if (!unusedValues.isEmpty()) {
        throw new Invalid(
            "Value provided in ExpressionAttributeValues unused in expressions:"
                + " keys: "
                + unusedValues);
      }
    }
  }

  /** A request for a table that does not exist. */
  private static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** A request DynamoDB would refuse with a ValidationException. */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }
}
