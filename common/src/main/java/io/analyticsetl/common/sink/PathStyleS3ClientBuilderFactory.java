package io.analyticsetl.common.sink;

import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Beam's S3 client with path-style addressing, which S3-compatible servers reached by host name
 * need (Beam 2.62 has no option for it; with an IP endpoint the SDK falls back to it by itself).
 */
public final class PathStyleS3ClientBuilderFactory implements S3ClientBuilderFactory {

  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    return new DefaultS3ClientBuilderFactory().createBuilder(options).forcePathStyle(true);
  }
}
