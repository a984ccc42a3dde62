package io.analyticsetl.pipelines.ecommerce;

import static io.analyticsetl.common.schema.ColumnType.BIGINT;
import static io.analyticsetl.common.schema.ColumnType.DATE;
import static io.analyticsetl.common.schema.ColumnType.STRING;
import static io.analyticsetl.common.schema.ColumnType.TIMESTAMP;

import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;

/** The curated ecommerce datasets (contract section 6). */
public final class EcommerceDatasets {

  public static final String DOMAIN = "ecommerce";

  public static final Dataset INTEGRATION_USAGE_DAILY =
      Dataset.builder(DOMAIN, "integration_usage_daily")
          .description("Orders per shop integration per UTC day, with zero rows for days without orders.")
          .column("shop_id", BIGINT, "Shop integration id.")
          .column("account_id", BIGINT, "Account owning the shop.")
          .column("integration_created_at", TIMESTAMP, "When the shop integration was created (UTC).")
          .column("platform", STRING, "E-commerce platform of the integration.")
          .column("day", DATE, "UTC calendar day.")
          .column("orders_count", BIGINT, "Orders created on that day.")
          .naturalKey("shop_id", "day")
          .partitionedBy("dt", "day")
          // The pipeline writes whole days (every shop alive on a day), so a day replaces its partition.
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  public static final Dataset SENDING_STATS_30D =
      Dataset.builder(DOMAIN, "sending_stats_30d")
          .description("Emails per account over the 30 days before the run date, by category.")
          .column("account_id", BIGINT, "Account id.")
          .column("emails_30d", BIGINT, "All emails in the window (the sum of the three categories).")
          .column("automation_emails_30d", BIGINT, "Automation emails in the window.")
          .column("campaign_emails_30d", BIGINT, "Campaign emails in the window.")
          .column("transactional_emails_30d", BIGINT, "Transactional emails in the window.")
          .column("updated_at", TIMESTAMP, "End of the window: the run date at 00:00 UTC.")
          .naturalKey("account_id")
          .writeMode(WriteMode.FULL_REBUILD)
          .build();

  private EcommerceDatasets() {}
}
