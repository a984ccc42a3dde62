package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.common.schema.ColumnType.BIGINT;
import static io.analyticsetl.common.schema.ColumnType.DATE;
import static io.analyticsetl.common.schema.ColumnType.DOUBLE;
import static io.analyticsetl.common.schema.ColumnType.STRING;
import static io.analyticsetl.common.schema.ColumnType.TIMESTAMP;

import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;

/**
 * The acmeshop analytics datasets. Each daily dataset holds complete days (a run recomputes every
 * row of each day it covers), so a day replaces its partition. Money is NUMERIC(14,2); rates are
 * fractions (not percentages), NULL when their denominator is 0.
 */
public final class AcmeshopDatasets {

  public static final String DOMAIN = "acmeshop";

  public static final Dataset USER_ACTIVITY_DAILY =
      Dataset.builder(DOMAIN, "user_activity_daily")
          .description("New, active, churned and total users per UTC day and country.")
          .column("day", DATE, "UTC day.")
          .column("country", STRING, "ISO country of the user; ZZ when unknown.")
          .column("new_users", BIGINT, "Users created on the day.")
          .column("active_users", BIGINT, "Distinct users with a session started on the day.")
          .column("churned_users", BIGINT, "Users whose latest session on or before the day started 30 days earlier.")
          .column("total_users", BIGINT, "Users created on or before the day and not deleted on or before it.")
          .naturalKey("day", "country")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset ORDER_METRICS_DAILY =
      Dataset.builder(DOMAIN, "order_metrics_daily")
          .description("Orders per UTC day and currency.")
          .column("day", DATE, "UTC day the orders were created.")
          .column("currency", STRING, "ISO 4217 currency.")
          .column("orders", BIGINT, "Orders created on the day.")
          .column("cancelled_orders", BIGINT, "Of which cancelled.")
          .column("refunded_orders", BIGINT, "Of which refunded.")
          .decimalColumn("revenue", 14, 2, false, "Total amount of orders neither cancelled nor refunded.")
          .decimalColumn("avg_order_value", 14, 2, true, "revenue / (orders - cancelled - refunded), half-even; NULL when 0.")
          .column("unique_customers", BIGINT, "Distinct users among the day's orders.")
          .naturalKey("day", "currency")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset PRODUCT_SALES_DAILY =
      Dataset.builder(DOMAIN, "product_sales_daily")
          .description("Units and revenue per product per UTC day, from orders neither cancelled nor refunded.")
          .column("day", DATE, "UTC day of the orders.")
          .column("product_id", BIGINT, "Product.")
          .column("product_name", STRING, "Product name.")
          .nullableColumn("category", STRING, "Product category.")
          .column("units_sold", BIGINT, "Sum of quantities.")
          .decimalColumn("revenue", 14, 2, false, "Sum of quantity x unit price.")
          .decimalColumn("revenue_7d", 14, 2, false, "Revenue over the 7 days ending on the day.")
          .column("revenue_rank", BIGINT, "Dense rank by revenue, descending, within the day.")
          .naturalKey("day", "product_id")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset PAYMENT_METRICS_DAILY =
      Dataset.builder(DOMAIN, "payment_metrics_daily")
          .description("Payment attempts, outcomes and fraud signals per UTC day, provider, method and currency.")
          .column("day", DATE, "UTC day the payments were created.")
          .column("provider", STRING, "Payment provider.")
          .column("method", STRING, "Payment method.")
          .column("currency", STRING, "ISO 4217 currency.")
          .column("attempts", BIGINT, "Payments created.")
          .column("succeeded", BIGINT, "Status succeeded.")
          .column("failed", BIGINT, "Status failed.")
          .column("refunded", BIGINT, "Status refunded.")
          .column("chargebacks", BIGINT, "Status chargeback.")
          .nullableColumn("success_rate", DOUBLE, "(attempts - failed) / attempts.")
          .decimalColumn("amount_captured", 14, 2, false, "Sum of amounts of payments not failed.")
          .column("high_risk", BIGINT, "Payments with risk score >= 80.")
          .column("fraud_signals", BIGINT, "Payments with a chargeback, failure code suspected_fraud or risk score >= 90.")
          .nullableColumn("fraud_rate", DOUBLE, "fraud_signals / attempts.")
          .naturalKey("day", "provider", "method", "currency")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset NOTIFICATION_METRICS_DAILY =
      Dataset.builder(DOMAIN, "notification_metrics_daily")
          .description("Notification delivery and engagement per UTC day and channel.")
          .column("day", DATE, "UTC day the notifications were created.")
          .column("channel", STRING, "email, sms or push.")
          .column("sent", BIGINT, "Status other than queued.")
          .column("delivered", BIGINT, "delivered_at set.")
          .column("bounced", BIGINT, "Status bounced.")
          .column("failed", BIGINT, "Status failed.")
          .column("opened", BIGINT, "opened_at set.")
          .column("clicked", BIGINT, "clicked_at set.")
          .nullableColumn("delivery_rate", DOUBLE, "delivered / sent.")
          .nullableColumn("open_rate", DOUBLE, "opened / delivered.")
          .nullableColumn("click_rate", DOUBLE, "clicked / delivered.")
          .naturalKey("day", "channel")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset USERS_DIM =
      Dataset.builder(DOMAIN, "users_dim")
          .description("Users with their PII replaced by keyed HMAC-SHA-256 tokens; rebuilt every run.")
          .column("user_id", BIGINT, "User.")
          .nullableColumn("email_token", STRING, "HMAC-SHA-256 (hex) of the trimmed, lower-cased e-mail.")
          .nullableColumn("phone_token", STRING, "HMAC-SHA-256 (hex) of the phone number's digits.")
          .column("country", STRING, "ISO country; ZZ when unknown.")
          .column("created_at", TIMESTAMP, "When the user was created (UTC).")
          .nullableColumn("deleted_at", TIMESTAMP, "When the user was deleted (UTC).")
          .naturalKey("user_id")
          .writeMode(WriteMode.FULL_REBUILD)
          .build();

  private AcmeshopDatasets() {}
}
