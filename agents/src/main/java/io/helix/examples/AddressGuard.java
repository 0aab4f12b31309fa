package io.helix.examples;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which hosts, ports and addresses {@code fetch_url} may reach (OWASP's SSRF guidance: resolve,
 * then check the address). A host must be on the allow-list by name ({@code example.com}, ports 80
 * and 443) or with a port ({@code example.com:8080}); every address it resolves to that is not
 * public (loopback, private, link-local, unique-local, shared, multicast, unspecified, or an IPv6
 * form of one of those) is refused unless that address is itself on the list. The caller then
 * connects to exactly the addresses checked here, never to a second lookup's.
 */
final class AddressGuard {

  /** An allow-list entry: a host name or address literal, and a port (-1: 80 and 443). */
  record Entry(String host, int port) {}

  private final Set<Entry> allowed;

  AddressGuard(Set<String> entries) {
    this.allowed = entries.stream().map(AddressGuard::entry).collect(Collectors.toUnmodifiableSet());
  }

  static Entry entry(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    int colon = value.lastIndexOf(':');
    boolean bracketed = value.startsWith("[");
    boolean hasPort = colon > 0 && (bracketed ? value.indexOf(']') < colon : value.indexOf(':') == colon);
    String host = hasPort ? value.substring(0, colon) : value;
    host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int port = -1;
    if (hasPort) {
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port in fetch allow-list entry '" + text + "'");
      }
    }
    return new Entry(host, port);
  }

  /** The addresses of {@code host} that may be connected to on {@code port}; else an exception. */
  List<InetAddress> check(String host, int port, int defaultPort) throws UnknownHostException {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    boolean standardPort = port == defaultPort && (port == 80 || port == 443);
    if (!allowed(name, port, standardPort)) {
      throw new IllegalArgumentException(
          "host '" + host + "' " + (allowedName(name) ? "port " + port + " " : "")
              + "is not allowed (allowed hosts are set by HELIX_FETCH_ALLOW_HOSTS, host or host:port)");
    }
    List<InetAddress> addresses = Arrays.asList(InetAddress.getAllByName(name));
    List<InetAddress> usable =
        addresses.stream()
            .filter(a -> isPublic(a) || allowed(a.getHostAddress(), port, standardPort))
            .toList();
    if (usable.isEmpty() || usable.size() < addresses.size()) {
      throw new IllegalArgumentException(
          "host '" + host + "' resolves to an address that is not public ("
              + addresses.stream().map(InetAddress::getHostAddress).toList()
              + "); allow the address itself to reach it");
    }
    return usable;
  }

  private boolean allowedName(String name) {
    return allowed.stream().anyMatch(e -> e.host().equals(name));
  }

  private boolean allowed(String name, int port, boolean standardPort) {
    String bare = name.contains(":") ? normalize(name) : name;
    return allowed.stream()
        .anyMatch(
            e ->
                (e.host().equals(bare) || e.host().equals(name))
                    && (e.port() == port || (e.port() == -1 && standardPort)));
  }

  private static String normalize(String ipv6) {
    try {
      return InetAddress.getByName(ipv6).getHostAddress();
    } catch (UnknownHostException e) {
      return ipv6;
    }
  }

  /** Whether an address is on the public internet (not one of the special-purpose ranges). */
  static boolean isPublic(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isSiteLocalAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 // "this network"
          && !(first == 100 && (second & 0xc0) == 64) // shared address space 100.64/10
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          && !(first == 198 && (second & 0xfe) == 18) // benchmarking 198.18/15
          && first < 240; // reserved and broadcast
    }
    if (address instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) { // unique-local fc00::/7
        return false;
      }
      if (isMappedOrCompatible(b) || isNat64(b)) { // an IPv4 address in IPv6 clothes
        try {
          return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isMappedOrCompatible(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
  }

  private static boolean isNat64(byte[] b) { // 64:ff9b::/96
    return b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
  }
}
