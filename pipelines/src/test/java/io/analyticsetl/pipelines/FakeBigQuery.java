package io.analyticsetl.pipelines;

import io.analyticsetl.common.sink.Sinks;
import io.analyticsetl.testkit.PartitionDeletingDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;

/**
 * Beam's fake BigQuery services with fresh, empty datasets, and the sink factory that writes to
 * them through the run's own BigQuery options.
 */
public final class FakeBigQuery {

  private final FakeDatasetService datasets = new PartitionDeletingDatasetService();

  private FakeBigQuery() {}

  /** Resets the fakes' shared tables and creates {@code project:dataset} for each dataset. */
  public static FakeBigQuery withDatasets(String project, String... bigQueryDatasets) throws Exception {
    FakeDatasetService.setUp();
    PartitionDeletingDatasetService.reset();
    FakeBigQuery fake = new FakeBigQuery();
    for (String dataset : bigQueryDatasets) {
      fake.datasets.createDataset(project, dataset, "", "", null);
    }
    return fake;
  }

  public FakeDatasetService datasets() {
    return datasets;
  }

  public Sinks.Factory sinks() {
    FakeDatasetService service = datasets;
    return (options, runId) ->
        Sinks.bigQuery(options)
            .withTestServices(new FakeBigQueryServices().withJobService(new FakeJobService()).withDatasetService(service));
  }
}
