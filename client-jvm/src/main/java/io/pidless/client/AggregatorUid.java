package io.pidless.client;

import io.pidless.protocol.Protocol;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The user the aggregator must run as, when {@code PIDLESS_AGGREGATOR_UID} names one: every new
 * connection asks the kernel who is behind the socket (SO_PEERCRED) and sends nothing to anyone else,
 * so another user who swapped the socket never sees a frame (docs/PROTOCOL.md, "Transport").
 *
 * <pre>{@code
 * AggregatorUid required = AggregatorUid.fromEnvironment(System.getenv());
 * required.check(channel, socket);   // throws Refused on a mismatch
 * }</pre>
 */
final class AggregatorUid {
  /** Anyone: the variable is not set. */
  static final AggregatorUid ANY = new AggregatorUid(null);

  /** The process behind the socket is not the one required; nothing may be sent to it. */
  static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  private final String uid;

  private AggregatorUid(String uid) {
    this.uid = uid;
  }

  static AggregatorUid of(long uid) {
    return new AggregatorUid(Long.toString(uid));
  }

  static AggregatorUid fromEnvironment(Map<String, String> env) {
    String v = env.get(Protocol.AGGREGATOR_UID_ENV);
    return v == null || v.isBlank() ? ANY : new AggregatorUid(v.trim());
  }

  /** Throws {@link Refused} unless the process behind {@code channel} runs as the required uid. */
  void check(SocketChannel channel, Path socket) throws IOException {
    if (uid == null) {
      return;
    }
    if (!uid.matches("[0-9]{1,10}")) {
      throw new Refused("pidless: " + Protocol.AGGREGATOR_UID_ENV + "=" + uid + " is not a numeric uid; sending"
          + " nothing to the aggregator at " + socket + " until it is (id -u <aggregator user> prints it)");
    }
    UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    UserPrincipal required = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(uid);
    if (!peer.user().equals(required)) {
      throw new Refused("pidless: refusing the aggregator at " + socket + ": the process behind it runs as "
          + peer.user().getName() + ", not uid " + uid + " as " + Protocol.AGGREGATOR_UID_ENV + " requires;"
          + " another user may have replaced the socket. Nothing is sent to it; metrics are kept in memory");
    }
  }

  @Override
  public String toString() {
    return uid == null ? "any" : "uid " + uid;
  }
}
