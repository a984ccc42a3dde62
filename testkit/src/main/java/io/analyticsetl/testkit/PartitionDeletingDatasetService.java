package io.analyticsetl.testkit;

import com.google.api.services.bigquery.model.TableReference;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;

/**
 * Beam's fake BigQuery dataset service, which deletes whole tables only, accepting the deletion of
 * a day's partition ({@code table$20260301}) as BigQuery does and recording it (the fake keeps no
 * partitions, so its rows stay). Recorded across copies, as the fake's tables are: a pipeline works
 * on a deserialized copy.
 */
public final class PartitionDeletingDatasetService extends FakeDatasetService {

  private static final Queue<String> DELETED_PARTITIONS = new ConcurrentLinkedQueue<>();

  /** Forgets the partitions deleted so far (with {@link FakeDatasetService#setUp}). */
  public static void reset() {
    DELETED_PARTITIONS.clear();
  }

  /** {@code dataset.table$yyyymmdd} of each partition deleted, in order. */
  public static List<String> deletedPartitions() {
    return List.copyOf(DELETED_PARTITIONS);
  }

  @Override
  public void deleteTable(TableReference table) throws IOException, InterruptedException {
    if (table.getTableId().contains("$")) {
      DELETED_PARTITIONS.add(table.getDatasetId() + "." + table.getTableId());
      return;
    }
    super.deleteTable(table);
  }
}
