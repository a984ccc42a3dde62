package io.analyticsetl.pipelines.acmeshop;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.values.Days;
import io.analyticsetl.transforms.jdbc.JdbcQuery;
import io.analyticsetl.transforms.jdbc.QueryParameters;
import io.analyticsetl.transforms.validate.Rule;
import io.analyticsetl.transforms.validate.Validate;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Reads and validates the acmeshop source tables of either layout into the same rows. Every bad
 * row becomes a dead letter naming each rule it failed; PII is tokenised in the step that reads it.
 */
final class AcmeshopSources {

  static final List<String> ORDER_STATUSES = List.of("placed", "paid", "shipped", "delivered", "cancelled", "refunded");
  static final List<String> PAYMENT_STATUSES = List.of("succeeded", "failed", "refunded", "chargeback");
  static final List<String> CHANNELS = List.of("email", "sms", "push");
  static final List<String> NOTIFICATION_STATUSES = List.of("queued", "sent", "delivered", "bounced", "failed");
  static final Set<String> CURRENCIES =
      Currency.getAvailableCurrencies().stream().map(Currency::getCurrencyCode).collect(Collectors.toSet());

  private static final FieldType TIMESTAMP = FieldType.logicalType(SqlTypes.TIMESTAMP).withNullable(true);

  static final Schema USER_WITH_PII =
      Schema.builder()
          .addInt64Field("user_id")
          .addNullableField("email", FieldType.STRING)
          .addNullableField("phone", FieldType.STRING)
          .addNullableField("country", FieldType.STRING)
          .addField("created_at", TIMESTAMP)
          .addField("deleted_at", TIMESTAMP)
          .build();

  static final Schema USER =
      Schema.builder()
          .addInt64Field("user_id")
          .addNullableField("email_token", FieldType.STRING)
          .addNullableField("phone_token", FieldType.STRING)
          .addNullableField("country", FieldType.STRING)
          .addField("created_at", TIMESTAMP)
          .addField("deleted_at", TIMESTAMP)
          .build();

  static final Schema SESSION =
      Schema.builder()
          .addInt64Field("session_id")
          .addNullableField("user_id", FieldType.INT64)
          .addField("started_at", TIMESTAMP)
          .addBooleanField("user_exists")
          .build();

  static final Schema ORDER =
      Schema.builder()
          .addInt64Field("order_id")
          .addNullableField("user_id", FieldType.INT64)
          .addNullableField("status", FieldType.STRING)
          .addNullableField("currency", FieldType.STRING)
          .addNullableField("total_amount", FieldType.DECIMAL)
          .addField("created_at", TIMESTAMP)
          .build();

  static final Schema ITEM =
      Schema.builder()
          .addNullableField("order_id", FieldType.INT64)
          .addNullableField("product_id", FieldType.INT64)
          .addNullableField("quantity", FieldType.INT32)
          .addNullableField("unit_price", FieldType.DECIMAL)
          .addBooleanField("order_exists")
          .addNullableField("order_status", FieldType.STRING)
          .addField("order_created_at", TIMESTAMP)
          .addNullableField("order_user_id", FieldType.INT64)
          .addNullableField("order_currency", FieldType.STRING)
          .addNullableField("order_total_amount", FieldType.DECIMAL)
          .addBooleanField("product_exists")
          .addNullableField("product_name", FieldType.STRING)
          .addNullableField("category", FieldType.STRING)
          .addNullableField("item_error", FieldType.STRING)
          .build();

  static final Schema PAYMENT =
      Schema.builder()
          .addInt64Field("payment_id")
          .addNullableField("order_id", FieldType.INT64)
          .addNullableField("provider", FieldType.STRING)
          .addNullableField("method", FieldType.STRING)
          .addNullableField("amount", FieldType.DECIMAL)
          .addNullableField("currency", FieldType.STRING)
          .addNullableField("status", FieldType.STRING)
          .addNullableField("failure_code", FieldType.STRING)
          .addNullableField("risk_score", FieldType.DECIMAL)
          .addField("created_at", TIMESTAMP)
          .addBooleanField("order_exists")
          .addNullableField("order_user_id", FieldType.INT64)
          .addNullableField("order_status", FieldType.STRING)
          .addNullableField("order_currency", FieldType.STRING)
          .addNullableField("order_total_amount", FieldType.DECIMAL)
          .addField("order_created_at", TIMESTAMP)
          .build();

  static final Schema NOTIFICATION =
      Schema.builder()
          .addInt64Field("notification_id")
          .addNullableField("user_id", FieldType.INT64)
          .addNullableField("channel", FieldType.STRING)
          .addNullableField("template", FieldType.STRING)
          .addNullableField("status", FieldType.STRING)
          .addField("created_at", TIMESTAMP)
          .addField("delivered_at", TIMESTAMP)
          .addField("opened_at", TIMESTAMP)
          .addField("clicked_at", TIMESTAMP)
          .build();

  private final Pipeline pipeline;
  private final RunContext run;
  private final JdbcEndpoint database;
  private final String schema;
  private final String layout;

  AcmeshopSources(Pipeline pipeline, RunContext run, JdbcEndpoint database, String schema, String layout) {
    this.pipeline = pipeline;
    this.run = run;
    this.database = database;
    this.schema = schema;
    this.layout = layout;
  }

  /** Every user, PII already tokenised. */
  PCollection<Row> users(PiiTokens tokens) {
    PCollection<Row> tokenised =
        query("sql/acmeshop/users.sql", USER_WITH_PII, QueryParameters.of())
            .apply(
                "TokenisePii",
                MapElements.into(TypeDescriptors.rows())
                    .via(
                        user ->
                            Row.withSchema(USER)
                                .addValues(
                                    user.getInt64("user_id"),
                                    tokens.email(user.getString("email")),
                                    tokens.phone(user.getString("phone")),
                                    user.getString("country"),
                                    user.getValue("created_at"),
                                    user.getValue("deleted_at"))
                                .build()))
            .setRowSchema(USER);
    return valid(
        tokenised,
        "read_users",
        "users",
        Rule.required("created_at"),
        Rule.notBefore("deleted_at", "created_at"),
        Rule.pattern("country", "[A-Z]{2}"));
  }

  PCollection<Row> sessions(LocalDate from, LocalDate to) {
    return valid(
        query("sql/acmeshop/sessions.sql", SESSION, window(from, to)),
        "read_sessions",
        "user_sessions",
        Rule.required("user_id"),
        Rule.required("started_at"),
        exists("user_exists", "user_id", "user"));
  }

  PCollection<Row> orders(LocalDate from, LocalDate to) {
    return valid(
        query("sql/acmeshop/orders.sql", ORDER, window(from, to)),
        "read_orders",
        "orders",
        orderRules(""));
  }

  /**
   * What makes an order valid, for its own columns ({@code prefix} "") or for an item's or payment's
   * copy of them ("order_"): the items and payments of an order that is a dead letter are too.
   */
  private static Rule[] orderRules(String prefix) {
    return new Rule[] {
      Rule.required(prefix + "user_id"),
      Rule.required(prefix + "created_at"),
      Rule.required(prefix + "status"),
      Rule.allowedValues(prefix + "status", ORDER_STATUSES),
      Rule.required(prefix + "currency"),
      Rule.allowedValues(prefix + "currency", CURRENCIES),
      Rule.required(prefix + "total_amount"),
      Rule.min(prefix + "total_amount", 0)
    };
  }

  private static Rule[] with(Rule[] rules, Rule... more) {
    return Stream.concat(Arrays.stream(rules), Arrays.stream(more)).toArray(Rule[]::new);
  }

  PCollection<Row> orderItems(LocalDate from, LocalDate to) {
    String resource = "sql/acmeshop/" + layout + "/order_items.sql";
    PCollection<Row> items =
        layout.equals("v1")
            ? query(resource, LegacyOrderItems.ELEMENT, window(from, to))
                .apply("TypeLegacyItems", MapElements.into(TypeDescriptors.rows()).via(LegacyOrderItems::item))
                .setRowSchema(ITEM)
            : query(resource, ITEM, window(from, to));
    return valid(
        items,
        "read_order_items",
        layout.equals("v1") ? "orders.items" : "order_items",
        with(
            new Rule[] {
              Rule.of("items element is well-formed", row -> row.getString("item_error")),
              Rule.required("order_id"),
              exists("order_exists", "order_id", "order"),
              exists("product_exists", "product_id", "product"),
              Rule.required("product_name"),
              Rule.required("quantity"),
              Rule.min("quantity", 0),
              Rule.required("unit_price"),
              Rule.min("unit_price", 0)
            },
            orderRules("order_")));
  }

  PCollection<Row> payments(LocalDate from, LocalDate to) {
    return valid(
        query("sql/acmeshop/payments.sql", PAYMENT, window(from, to)),
        "read_payments",
        "payments",
        with(
            new Rule[] {
              exists("order_exists", "order_id", "order"),
              Rule.required("provider"),
              Rule.required("method"),
              Rule.required("created_at"),
              Rule.required("status"),
              Rule.allowedValues("status", PAYMENT_STATUSES),
              Rule.required("currency"),
              Rule.allowedValues("currency", CURRENCIES),
              Rule.required("amount"),
              Rule.min("amount", 0),
              Rule.min("risk_score", 0),
              Rule.max("risk_score", 100)
            },
            orderRules("order_")));
  }

  PCollection<Row> notifications(LocalDate from, LocalDate to) {
    return valid(
        query("sql/acmeshop/notifications.sql", NOTIFICATION, window(from, to)),
        "read_notifications",
        "notifications",
        Rule.required("created_at"),
        Rule.required("channel"),
        Rule.allowedValues("channel", CHANNELS),
        Rule.required("status"),
        Rule.allowedValues("status", NOTIFICATION_STATUSES));
  }

  /** Parameters for {@code created_at >= from 00:00 UTC AND created_at < (to + 1) 00:00 UTC}. */
  private static QueryParameters window(LocalDate from, LocalDate to) {
    Instant start = Days.startOf(from);
    Instant end = Days.startOf(to.plusDays(1));
    return QueryParameters.of(start, end);
  }

  private static Rule exists(String flag, String idField, String what) {
    return Rule.of(
        idField + " refers to an existing " + what,
        row -> Boolean.TRUE.equals(row.getBoolean(flag)) ? null : "no " + what + " " + row.getValue(idField));
  }

  private PCollection<Row> query(String resource, Schema rowSchema, QueryParameters parameters) {
    String name = resource.substring(resource.lastIndexOf('/') + 1).replace(".sql", "");
    return pipeline.apply(
        "Read_" + name,
        JdbcQuery.fromResource(resource)
            .withIdentifier("schema", schema)
            .withRowSchema(rowSchema)
            .from(database)
            .read(parameters));
  }

  private PCollection<Row> valid(PCollection<Row> rows, String stage, String table, Rule... rules) {
    PCollectionTuple checked = rows.apply(Validate.stage(stage).source(schema + "." + table).with(rules));
    run.deadLetters(checked.get(Validate.INVALID));
    return checked.get(Validate.VALID);
  }
}
