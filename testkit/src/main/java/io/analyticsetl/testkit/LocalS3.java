package io.analyticsetl.testkit;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-protocol server (S3Proxy, in-process) backed by a local directory: objects appear as
 * plain files under {@code <dir>/<bucket>/<key>}.
 */
public final class LocalS3 implements AutoCloseable {

  public static final String ACCESS_KEY = "local-access-key";
  public static final String SECRET_KEY = "local-secret-key";
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final Path directory;

  private LocalS3(S3Proxy proxy, BlobStoreContext context, Path directory) {
    this.proxy = proxy;
    this.context = context;
    this.directory = directory;
  }

  /** Starts a server on a free loopback port with one bucket already created. */
  public static LocalS3 start(Path directory, String bucket) throws Exception {
    Files.createDirectories(directory);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem")
            .overrides(properties)
            .buildView(BlobStoreContext.class);
    BlobStore store = context.getBlobStore();
    store.createContainerInLocation(null, bucket);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            // An IP address, not "localhost": Beam's S3 client then falls back to path-style requests.
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // Beam always sends x-amz-server-side-encryption-bucket-key-enabled.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(20);
    }
    return new LocalS3(proxy, context, directory);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** The directory holding the buckets' objects as files. */
  public Path directory() {
    return directory;
  }

  /** Pipeline arguments that point Beam's S3 filesystem at this server. */
  public String[] beamArguments() {
    return new String[] {
      "--awsRegion=" + REGION,
      "--endpoint=" + endpoint(),
      "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\",\"accessKeyId\":\""
          + ACCESS_KEY
          + "\",\"secretAccessKey\":\""
          + SECRET_KEY
          + "\"}"
    };
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
