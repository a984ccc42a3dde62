package io.analyticsetl.testkit.acmeshop;

import java.math.BigDecimal;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates one shop's business facts (users, sessions, products, orders with items, payments,
 * notifications, plus a few bad rows of every kind the pipeline must dead-letter) and writes the
 * same facts in the v2 (normalised) layout and, optionally, the legacy v1 layout (customer e-mail
 * and name on each order, items as a JSON array on the order, no order_items table).
 */
public final class AcmeshopSeed {

  public static final String[] COUNTRIES = {"DE", "FR", "US", "GB", null};
  public static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
  public static final String[] ORDER_STATUSES = {"placed", "paid", "shipped", "delivered", "cancelled", "refunded"};
  public static final String[] PAYMENT_STATUSES = {"succeeded", "failed", "refunded", "chargeback"};
  public static final String[] CHANNELS = {"email", "sms", "push"};
  public static final String[] NOTIFICATION_STATUSES = {"queued", "sent", "delivered", "bounced", "failed"};

  /** Sizes of the generated shop. */
  public record Size(int users, int products, int days) {
    public static Size small() {
      return new Size(60, 12, 50);
    }

    public static Size demo() {
      return new Size(800, 60, 120);
    }
  }

  private record User(long id, String email, String name, String phone, String country, Instant created, Instant deleted) {}

  private record Item(Long orderId, long productId, int quantity, BigDecimal unitPrice) {}

  private record Order(long id, long userId, String email, String name, String status, String currency,
      BigDecimal total, Instant created, List<Item> items) {}

  private final Random random;
  private final LocalDate runDate;
  private final List<User> users = new ArrayList<>();
  private final List<Order> orders = new ArrayList<>();
  private final List<Item> orphanItems = new ArrayList<>();
  /** Orders whose v1 items are stored as this JSON (malformed) while their v2 rows have no items. */
  private final java.util.Map<Long, String> malformedV1Items = new java.util.HashMap<>();
  private final List<Object[]> sessions = new ArrayList<>();
  private final List<Object[]> products = new ArrayList<>();
  private final List<Object[]> payments = new ArrayList<>();
  private final List<Object[]> notifications = new ArrayList<>();

  public AcmeshopSeed(long seed, LocalDate runDate, Size size) {
    this.random = new Random(seed);
    this.runDate = runDate;
    generate(size);
  }

  /** Every e-mail, name and phone number generated: none may appear in any output. */
  public List<String> personalData() {
    List<String> pii = new ArrayList<>();
    for (User user : users) {
      pii.add(user.email().trim());
      pii.add(user.name());
      if (user.phone() != null) {
        pii.add(user.phone());
      }
    }
    return pii;
  }

  private void generate(Size size) {
    Instant start = runDate.minusDays(size.days()).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant end = runDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    for (int p = 1; p <= size.products(); p++) {
      products.add(new Object[] {(long) p, "Product " + p, p % 5 == 0 ? null : "category-" + (p % 3)});
    }
    long orderId = 1;
    long paymentId = 1;
    long sessionId = 1;
    long notificationId = 1;
    for (int u = 1; u <= size.users(); u++) {
      Instant created = between(start, end);
      Instant deleted = random.nextInt(8) == 0 ? between(created, end.plus(3, ChronoUnit.DAYS)) : null;
      String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
      if (u % 29 == 0) {
        deleted = created.minus(2, ChronoUnit.HOURS); // bad: deleted before created
      } else if (u % 31 == 0) {
        country = "de"; // bad: not an upper-case ISO code
      }
      String email = (random.nextBoolean() ? " " : "") + "User" + u + ".Mail@Example.COM ";
      String phone = random.nextInt(4) == 0 ? null : "+49 (30) " + (1000000 + u);
      users.add(new User(u, email, "Person Number" + u, phone, country, created, deleted));

      // Sessions in bursts with gaps, so that some users churn.
      Instant cursor = created;
      while (random.nextInt(6) != 0) {
        cursor = cursor.plus(random.nextInt(random.nextInt(5) == 0 ? 45 : 6), ChronoUnit.DAYS)
            .plusSeconds(random.nextInt(86_400));
        if (cursor.isAfter(end)) {
          break;
        }
        sessions.add(new Object[] {sessionId++, (long) u, cursor});
      }
      int orderCount = random.nextInt(5);
      for (int o = 0; o < orderCount; o++) {
        Instant at = between(created, end);
        String status = ORDER_STATUSES[random.nextInt(ORDER_STATUSES.length)];
        String currency = CURRENCIES[random.nextInt(CURRENCIES.length)];
        List<Item> items = new ArrayList<>();
        int itemCount = 1 + random.nextInt(3);
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < itemCount; i++) {
          long product = 1 + random.nextInt(size.products() + (random.nextInt(25) == 0 ? 5 : 0)); // a few unknown products
          int quantity = random.nextInt(40) == 0 ? -1 : random.nextInt(4); // a few negative quantities
          BigDecimal price = BigDecimal.valueOf(50 + random.nextInt(20_000), 2);
          items.add(new Item(orderId, product, quantity, price));
          total = total.add(price.multiply(BigDecimal.valueOf(Math.max(quantity, 0))));
        }
        if (random.nextInt(40) == 0) {
          currency = "ABC"; // bad: not a currency
        } else if (random.nextInt(40) == 0) {
          total = total.negate().subtract(BigDecimal.ONE); // bad: negative amount
        }
        orders.add(new Order(orderId, u, email, "Person Number" + u, status, currency, total, at, items));
        int paymentCount = random.nextInt(3);
        for (int p = 0; p < paymentCount; p++) {
          String pstatus = PAYMENT_STATUSES[random.nextInt(PAYMENT_STATUSES.length)];
          BigDecimal risk = random.nextInt(5) == 0 ? null : BigDecimal.valueOf(random.nextInt(10_100), 2);
          if (random.nextInt(50) == 0) {
            risk = new BigDecimal("120.00"); // bad: out of range
          }
          payments.add(new Object[] {
            paymentId++, random.nextInt(60) == 0 ? orderId + 1_000_000 : orderId,
            random.nextBoolean() ? "stripe" : "adyen", random.nextBoolean() ? "card" : "paypal",
            total.abs(), currency.equals("ABC") ? "EUR" : currency, pstatus,
            pstatus.equals("failed") ? (random.nextBoolean() ? "suspected_fraud" : "insufficient_funds") : null,
            risk, between(at, at.plus(2, ChronoUnit.DAYS))
          });
        }
        orderId++;
      }
      int notificationCount = random.nextInt(4);
      for (int n = 0; n < notificationCount; n++) {
        Instant at = between(created, end);
        String nstatus = NOTIFICATION_STATUSES[random.nextInt(NOTIFICATION_STATUSES.length)];
        boolean delivered = nstatus.equals("delivered") || (nstatus.equals("sent") && random.nextBoolean());
        boolean opened = delivered && random.nextBoolean();
        notifications.add(new Object[] {
          notificationId++, (long) u, random.nextInt(50) == 0 ? "fax" : CHANNELS[random.nextInt(CHANNELS.length)],
          "template-" + random.nextInt(4), nstatus, at,
          delivered ? at.plusSeconds(60) : null, opened ? at.plusSeconds(600) : null,
          opened && random.nextBoolean() ? at.plusSeconds(900) : null
        });
      }
    }
    // One bad row of every kind two days before the run date, whatever the random draws gave.
    Instant recent = end.minus(2, ChronoUnit.DAYS);
    User someone = users.get(0);
    sessions.add(new Object[] {sessionId, 999_999L, recent}); // unknown user
    long invalidUser = size.users() + 1L;
    users.add(new User(invalidUser, "invalid" + invalidUser + "@example.com", "Person Number" + invalidUser, null, "de",
        recent.minus(5, ChronoUnit.DAYS), null)); // bad: a malformed country
    sessions.add(new Object[] {sessionId + 1, invalidUser, recent}); // of a user that is a dead letter
    orphanItems.add(new Item(orderId + 5_000_000, 1, 1, new BigDecimal("9.99"))); // unknown order (v2 only)
    orphanItems.add(new Item(null, 1, 1, new BigDecimal("9.99"))); // no order at all (v2 only)
    orders.add(new Order(orderId, someone.id(), someone.email(), someone.name(), "paid", "ABC",
        new BigDecimal("10.00"), recent, List.of(new Item(orderId, 1, -2, new BigDecimal("5.00")))));
    orders.add(new Order(orderId + 1, someone.id(), someone.email(), someone.name(), "paid", "EUR",
        new BigDecimal("-3.00"), recent, List.of(new Item(orderId + 1, 10_000, 1, new BigDecimal("5.00")))));
    payments.add(new Object[] {paymentId, orderId + 9_000_000, "stripe", "card", new BigDecimal("1.00"), "EUR",
        "succeeded", null, null, recent}); // unknown order
    payments.add(new Object[] {paymentId + 1, orderId, "stripe", "card", new BigDecimal("1.00"), "EUR",
        "succeeded", null, new BigDecimal("120.00"), recent}); // risk score out of range
    notifications.add(new Object[] {notificationId, someone.id(), "fax", "template-0", "sent", recent,
        null, null, null}); // unknown channel
    orders.add(new Order(orderId + 2, someone.id(), someone.email(), someone.name(), "lost", "EUR",
        new BigDecimal("4.00"), recent, List.of(new Item(orderId + 2, 1, 1, new BigDecimal("4.00"))))); // unknown status
    long unnamedProduct = size.products() + 100L;
    products.add(new Object[] {unnamedProduct, null, "category-0"}); // a product without a name
    orders.add(new Order(orderId + 3, someone.id(), someone.email(), someone.name(), "paid", "EUR",
        new BigDecimal("6.00"), recent, List.of(new Item(orderId + 3, unnamedProduct, 1, new BigDecimal("6.00")))));
    payments.add(new Object[] {paymentId + 2, orderId + 1, "stripe", "card", new BigDecimal("-5.00"), "EUR",
        "pending", null, new BigDecimal("-1.00"), recent}); // unknown status, negative amount, risk below 0
    notifications.add(new Object[] {notificationId + 1, someone.id(), "email", "template-0", "read", recent,
        null, null, null}); // unknown status
    orders.add(new Order(orderId + 4, someone.id(), someone.email(), someone.name(), null, "EUR",
        new BigDecimal("4.00"), recent, List.of(new Item(orderId + 4, 1, 1, new BigDecimal("4.00"))))); // no status
    // Legacy items that are not what the v1 layout promises; in v2 these orders have no items.
    orders.add(new Order(orderId + 5, someone.id(), someone.email(), someone.name(), "paid", "EUR",
        new BigDecimal("7.00"), recent, List.of()));
    malformedV1Items.put(orderId + 5, "[{\"product_id\": 1, \"quantity\": \"two\", \"unit_price\": \"3.50\"},"
        + " {\"product_id\": \"x1\", \"quantity\": 1, \"unit_price\": \"3,50\"}, 5]");
    orders.add(new Order(orderId + 6, someone.id(), someone.email(), someone.name(), "paid", "EUR",
        new BigDecimal("2.00"), recent, List.of()));
    malformedV1Items.put(orderId + 6, "{\"product_id\": 1, \"quantity\": 1, \"unit_price\": \"2.00\"}");
    // An order that is a dead letter (an unknown currency) takes its valid item and payment with it.
    orders.add(new Order(orderId + 8, someone.id(), someone.email(), someone.name(), "paid", "XYZ",
        new BigDecimal("2.00"), recent, List.of(new Item(orderId + 8, 1, 1, new BigDecimal("2.00")))));
    payments.add(new Object[] {paymentId + 4, orderId + 8, "stripe", "card", new BigDecimal("2.00"), "EUR",
        "succeeded", null, null, recent});
    // Rows without their time belong to no day: read every run as dead letters, never silently skipped.
    orders.add(new Order(orderId + 7, someone.id(), someone.email(), someone.name(), "paid", "EUR",
        new BigDecimal("3.00"), null, List.of(new Item(orderId + 7, 1, 1, new BigDecimal("3.00")))));
    payments.add(new Object[] {paymentId + 3, orderId, "stripe", "card", new BigDecimal("1.00"), "EUR",
        "succeeded", null, null, null});
    notifications.add(new Object[] {notificationId + 2, someone.id(), "email", "template-0", "sent", null,
        null, null, null});
    sessions.add(new Object[] {sessionId + 2, someone.id(), null});
  }

  private static final String[] SHARED_DDL = {
    "CREATE TABLE %s.users (user_id BIGINT PRIMARY KEY, email TEXT, full_name TEXT, phone TEXT NULL,"
        + " country CHAR(2) NULL, created_at TIMESTAMPTZ, deleted_at TIMESTAMPTZ NULL)",
    "CREATE TABLE %s.user_sessions (session_id BIGINT PRIMARY KEY, user_id BIGINT, started_at TIMESTAMPTZ)",
    "CREATE TABLE %s.products (product_id BIGINT PRIMARY KEY, name TEXT, category TEXT)",
    "CREATE TABLE %s.payments (payment_id BIGINT PRIMARY KEY, order_id BIGINT, provider TEXT, method TEXT,"
        + " amount NUMERIC(12,2), currency CHAR(3), status TEXT, failure_code TEXT NULL,"
        + " risk_score NUMERIC(5,2) NULL, created_at TIMESTAMPTZ)",
    "CREATE TABLE %s.notifications (notification_id BIGINT PRIMARY KEY, user_id BIGINT, channel TEXT,"
        + " template TEXT, status TEXT, created_at TIMESTAMPTZ, delivered_at TIMESTAMPTZ NULL,"
        + " opened_at TIMESTAMPTZ NULL, clicked_at TIMESTAMPTZ NULL)"
  };

  /** Writes the facts in the v2 layout into {@code schema} (created here). */
  public void writeV2(String jdbcUrl, String schema) {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      c.setAutoCommit(false);
      createShared(c, schema);
      execute(c, "CREATE TABLE " + schema + ".orders (order_id BIGINT PRIMARY KEY, user_id BIGINT, status TEXT,"
          + " currency CHAR(3), total_amount NUMERIC(12,2), created_at TIMESTAMPTZ)");
      execute(c, "CREATE TABLE " + schema + ".order_items (order_id BIGINT, product_id BIGINT, quantity INT,"
          + " unit_price NUMERIC(12,2))");
      writeShared(c, schema);
      try (PreparedStatement o = c.prepareStatement("INSERT INTO " + schema + ".orders VALUES (?,?,?,?,?,?)");
          PreparedStatement i = c.prepareStatement("INSERT INTO " + schema + ".order_items VALUES (?,?,?,?)")) {
        for (Order order : orders) {
          bind(o, order.id(), order.userId(), order.status(), order.currency(), order.total(), order.created());
          o.addBatch();
          for (Item item : order.items()) {
            bind(i, item.orderId(), item.productId(), item.quantity(), item.unitPrice());
            i.addBatch();
          }
        }
        for (Item item : orphanItems) {
          bind(i, item.orderId(), item.productId(), item.quantity(), item.unitPrice());
          i.addBatch();
        }
        o.executeBatch();
        i.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding acmeshop v2 failed: " + e.getMessage(), e);
    }
  }

  /** Writes the same facts in the legacy v1 layout into {@code schema} (created here). */
  public void writeV1(String jdbcUrl, String schema) {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      c.setAutoCommit(false);
      createShared(c, schema);
      execute(c, "CREATE TABLE " + schema + ".orders (order_id BIGINT PRIMARY KEY, user_id BIGINT,"
          + " customer_email TEXT, customer_name TEXT, status TEXT, currency CHAR(3),"
          + " total_amount NUMERIC(12,2), created_at TIMESTAMPTZ, items JSONB)");
      writeShared(c, schema);
      try (PreparedStatement o =
          c.prepareStatement("INSERT INTO " + schema + ".orders VALUES (?,?,?,?,?,?,?,?,?::jsonb)")) {
        for (Order order : orders) {
          List<String> items = new ArrayList<>();
          for (Item item : order.items()) {
            items.add("{\"product_id\": " + item.productId() + ", \"quantity\": " + item.quantity()
                + ", \"unit_price\": \"" + item.unitPrice().toPlainString() + "\"}");
          }
          bind(o, order.id(), order.userId(), order.email(), order.name(), order.status(), order.currency(),
              order.total(), order.created(), malformedV1Items.getOrDefault(order.id(), "[" + String.join(", ", items) + "]"));
          o.addBatch();
        }
        o.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding acmeshop v1 failed: " + e.getMessage(), e);
    }
  }

  private void createShared(Connection c, String schema) throws SQLException {
    execute(c, "CREATE SCHEMA IF NOT EXISTS " + schema);
    for (String ddl : SHARED_DDL) {
      execute(c, ddl.formatted(schema));
    }
  }

  private void writeShared(Connection c, String schema) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".users VALUES (?,?,?,?,?,?,?)")) {
      for (User user : users) {
        bind(s, user.id(), user.email(), user.name(), user.phone(), user.country(), user.created(), user.deleted());
        s.addBatch();
      }
      s.executeBatch();
    }
    batch(c, "INSERT INTO " + schema + ".user_sessions VALUES (?,?,?)", sessions);
    batch(c, "INSERT INTO " + schema + ".products VALUES (?,?,?)", products);
    batch(c, "INSERT INTO " + schema + ".payments VALUES (?,?,?,?,?,?,?,?,?,?)", payments);
    batch(c, "INSERT INTO " + schema + ".notifications VALUES (?,?,?,?,?,?,?,?,?)", notifications);
  }

  private void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (Object[] row : rows) {
        bind(s, row);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** Instants are written with a random non-UTC offset: days must still come out in UTC. */
  private void bind(PreparedStatement s, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Object value = values[i];
      if (value == null) {
        s.setNull(i + 1, Types.NULL);
      } else if (value instanceof Instant instant) {
        s.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.ofHours(random.nextInt(25) - 12)));
      } else {
        s.setObject(i + 1, value);
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private Instant between(Instant from, Instant until) {
    long span = Math.max(1, ChronoUnit.SECONDS.between(from, until));
    return from.plusSeconds((long) (random.nextDouble() * span)).truncatedTo(ChronoUnit.SECONDS);
  }

}
