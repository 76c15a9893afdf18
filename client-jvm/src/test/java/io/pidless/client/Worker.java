package io.pidless.client;

import java.time.Duration;

/**
 * A short-lived worker JVM for {@link ShortLivedJvmIT}, run from the shaded client jar alone. Two
 * threads add {@code count} to a counter and a histogram; the process holds a live gauge at 1 while
 * it runs. Then, by {@code mode}: {@code return} from main, {@code exit} via System.exit, or
 * {@code flush-then-wait} (flush, print FLUSHED, and wait to be killed).
 *
 * <p>Usage: {@code java -cp pidless-client-jvm.jar:test-classes io.pidless.client.Worker MODE COUNT}
 */
public final class Worker {
  private Worker() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int count = Integer.parseInt(args[1]);
    Counter ops = Counter.build("worker_ops_total", "Operations.").register();
    Histogram sizes = Histogram.build("worker_op_size", "Operation sizes.").buckets(1, 2).register();
    Gauge.build("worker_alive", "Running workers.").register().set(1);
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      int share = count / threads.length + (t < count % threads.length ? 1 : 0);
      threads[t] = new Thread(() -> {
        for (int i = 0; i < share; i++) {
          ops.inc();
          sizes.observe(2);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    switch (mode) {
      case "return" -> { }
      case "exit" -> System.exit(0);
      case "flush-then-wait" -> {
        if (!PidlessClient.defaultClient().flush(Duration.ofSeconds(20))) {
          System.exit(3);
        }
        System.out.println("FLUSHED");
        System.out.flush();
        Thread.sleep(120_000);
        System.exit(4);
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }
}
