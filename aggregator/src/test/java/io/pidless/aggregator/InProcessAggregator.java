package io.pidless.aggregator;

import io.pidless.aggregator.config.AggregatorConfig;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** The real aggregator, started in this JVM on a temp socket and a free port. */
public final class InProcessAggregator implements AutoCloseable {
  private final TempSocketDir dir;
  private final Main.Aggregator aggregator;

  public InProcessAggregator() throws IOException {
    this(b -> b);
  }

  public InProcessAggregator(UnaryOperator<AggregatorConfig.Builder> tune) throws IOException {
    dir = new TempSocketDir();
    AggregatorConfig.Builder b = AggregatorConfig.builder()
        .socket(dir.socket())
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .jvmMetrics(false);
    aggregator = Main.Aggregator.start(tune.apply(b).build());
  }

  public Path socket() {
    return dir.socket();
  }

  public int port() {
    return aggregator.metricsPort();
  }

  public TestClient client() throws IOException {
    TestClient c = new TestClient(socket());
    c.hello();
    return c;
  }

  public Scrape scrape() throws IOException, InterruptedException {
    return Scrape.of(port());
  }

  @Override
  public void close() throws IOException {
    try {
      aggregator.close();
    } finally {
      dir.close();
    }
  }
}
