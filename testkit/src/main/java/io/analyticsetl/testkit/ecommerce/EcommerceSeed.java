package io.analyticsetl.testkit.ecommerce;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;

/**
 * Creates the ecommerce source tables (contract section 6) and fills them with generated shops,
 * orders and emails: a year of history, deleted shops, shops without orders, timestamps stored
 * with non-UTC offsets and on midnight-UTC boundaries, orders of unknown shops, and a few bad rows
 * (a shop deleted before it was created, emails of unknown categories).
 */
public final class EcommerceSeed {

  public static final String[] PLATFORMS = {"shopify", "woocommerce", "magento", "prestashop"};
  public static final String[] CATEGORIES = {"automation", "campaign", "transactional"};

  private final Random random;
  private final LocalDate runDate;

  /** Sizes of the generated data. */
  public record Size(int shops, int accounts, int maxOrdersPerShop, int emails) {
    public static Size small() {
      return new Size(40, 12, 60, 2_000);
    }

    public static Size demo() {
      return new Size(300, 80, 400, 60_000);
    }
  }

  public EcommerceSeed(long seed, LocalDate runDate) {
    this.random = new Random(seed);
    this.runDate = runDate;
  }

  public static void createTables(String jdbcUrl, String schema) {
    execute(
        jdbcUrl,
        "CREATE SCHEMA IF NOT EXISTS " + schema,
        "CREATE TABLE " + schema + ".ecommerce_shops (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL,"
            + " platform TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, deleted_at TIMESTAMPTZ NULL)",
        "CREATE TABLE " + schema + ".orders (id BIGINT PRIMARY KEY, shop_id BIGINT NOT NULL,"
            + " created_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX orders_shop_created ON " + schema + ".orders (shop_id, created_at)",
        "CREATE TABLE " + schema + ".emails (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL,"
            + " category TEXT NOT NULL, sent_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX emails_sent_at ON " + schema + ".emails (sent_at)");
  }

  /** Fills the tables; ids continue from {@code firstId} so seeding twice adds, never collides. */
  public void seed(String jdbcUrl, String schema, Size size, long firstId) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      connection.setAutoCommit(false);
      long orderId = firstId;
      try (PreparedStatement shops =
              connection.prepareStatement("INSERT INTO " + schema + ".ecommerce_shops VALUES (?, ?, ?, ?, ?)");
          PreparedStatement orders =
              connection.prepareStatement("INSERT INTO " + schema + ".orders VALUES (?, ?, ?)")) {
        for (int i = 0; i < size.shops(); i++) {
          long shopId = firstId + i;
          Instant created = createdAt();
          Instant deleted = null;
          int kind = random.nextInt(100);
          if (kind < 15) {
            deleted = between(created, runDate.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant());
          } else if (kind < 17) {
            deleted = created.minus(1 + random.nextInt(48), ChronoUnit.HOURS); // bad row: deleted before created
          }
          shops.setLong(1, shopId);
          shops.setLong(2, 1 + random.nextInt(size.accounts()));
          shops.setString(3, PLATFORMS[random.nextInt(PLATFORMS.length)]);
          shops.setObject(4, withRandomOffset(created));
          if (deleted == null) {
            shops.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
          } else {
            shops.setObject(5, withRandomOffset(deleted));
          }
          shops.addBatch();

          int orderCount = random.nextInt(10) == 0 ? 0 : random.nextInt(size.maxOrdersPerShop() + 1);
          Instant ordersFrom = created.minus(2, ChronoUnit.DAYS);
          Instant ordersUntil =
              deleted != null && deleted.isAfter(created)
                  ? deleted.plus(2, ChronoUnit.DAYS)
                  : runDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
          for (int o = 0; o < orderCount; o++) {
            orders.setLong(1, orderId++);
            orders.setLong(2, random.nextInt(50) == 0 ? shopId + 1_000_000 : shopId);
            orders.setObject(3, withRandomOffset(orderTime(ordersFrom, ordersUntil)));
            orders.addBatch();
          }
          orders.executeBatch();
        }
        shops.executeBatch();
      }
      try (PreparedStatement emails =
          connection.prepareStatement("INSERT INTO " + schema + ".emails VALUES (?, ?, ?, ?)")) {
        Instant from = runDate.minusDays(35).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant until = runDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (int e = 0; e < size.emails(); e++) {
          emails.setLong(1, firstId + e);
          emails.setLong(2, 1 + random.nextInt(size.accounts()));
          emails.setString(
              3, random.nextInt(200) == 0 ? "newsletter" : CATEGORIES[random.nextInt(CATEGORIES.length)]);
          emails.setObject(4, withRandomOffset(emailTime(from, until)));
          emails.addBatch();
          if (e % 5_000 == 4_999) {
            emails.executeBatch();
          }
        }
        emails.executeBatch();
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding ecommerce data failed: " + e.getMessage(), e);
    }
  }

  private Instant createdAt() {
    int daysBack = random.nextInt(380) - 2; // a few shops are created on or after the run date
    return runDate.minusDays(daysBack).atStartOfDay(ZoneOffset.UTC).toInstant()
        .plusSeconds(random.nextInt(86_400));
  }

  /** Mostly uniform; one in eight falls just around midnight UTC. */
  private Instant orderTime(Instant from, Instant until) {
    Instant instant = between(from, until);
    if (random.nextInt(8) == 0) {
      Instant midnight = instant.truncatedTo(ChronoUnit.DAYS);
      instant = random.nextBoolean() ? midnight : midnight.minus(1, ChronoUnit.MICROS);
    }
    return instant;
  }

  /** Like {@link #orderTime}, plus the window's own edges. */
  private Instant emailTime(Instant from, Instant until) {
    int edge = random.nextInt(40);
    if (edge == 0) {
      return runDate.minusDays(30).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (edge == 1) {
      return runDate.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return orderTime(from, until);
  }

  private Instant between(Instant from, Instant until) {
    long span = Math.max(1, ChronoUnit.MICROS.between(from, until));
    return from.plus((long) (random.nextDouble() * span), ChronoUnit.MICROS);
  }

  /** The same instant written with an offset between -11:00 and +14:00. */
  private OffsetDateTime withRandomOffset(Instant instant) {
    int quarterHours = random.nextInt(101) - 44;
    return instant.atOffset(ZoneOffset.ofTotalSeconds(quarterHours * 15 * 60));
  }

  private static void execute(String jdbcUrl, String... statements) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("creating ecommerce tables failed: " + e.getMessage(), e);
    }
  }
}
