// The client's address behind reverse proxies: TRUSTED_PROXIES parsing, address matching (IPv6,
// IPv4-mapped IPv6), and the X-Forwarded-For walk that a client cannot steer.
#include "net/client_address.h"

#include <gtest/gtest.h>

namespace chatbot::net {
namespace {

TrustedProxies trusted(std::string_view list) {
  Result<TrustedProxies> parsed = TrustedProxies::parse(list);
  EXPECT_TRUE(parsed.ok()) << list << ": " << (parsed.ok() ? "" : parsed.error().detail);
  return parsed.ok() ? std::move(parsed).value() : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndRanges) {
  const TrustedProxies proxies = trusted("127.0.0.1, 10.0.0.0/8,::1 , fd00::/8");
  EXPECT_FALSE(proxies.empty());
  EXPECT_TRUE(proxies.contains("127.0.0.1"));
  EXPECT_FALSE(proxies.contains("127.0.0.2"));
  EXPECT_TRUE(proxies.contains("10.0.0.0"));
  EXPECT_TRUE(proxies.contains("10.255.255.255"));
  EXPECT_FALSE(proxies.contains("11.0.0.1"));
  EXPECT_TRUE(proxies.contains("::1"));
  EXPECT_TRUE(proxies.contains("fd12:3456::7"));
  EXPECT_FALSE(proxies.contains("fe80::1"));
  // With a port or brackets, as a peer or a forwarded entry may be written.
  EXPECT_TRUE(proxies.contains("[::1]:443"));
  EXPECT_TRUE(proxies.contains("10.1.2.3:8080"));
  EXPECT_FALSE(proxies.contains("not an address"));
  EXPECT_FALSE(proxies.contains(""));
}

TEST(TrustedProxies, BlankListTrustsNoOne) {
  for (const std::string_view blank : {"", "   ", " , ,"}) {
    const TrustedProxies proxies = trusted(blank);
    EXPECT_TRUE(proxies.empty()) << blank;
    EXPECT_FALSE(proxies.contains("127.0.0.1"));
  }
}

TEST(TrustedProxies, RejectsEntriesThatAreNotAddressesOrRanges) {
  for (const std::string_view bad :
       {"localhost", "10.0.0.0/33", "::1/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
        "10.0.0.0/8/8", "10.0.0.0/-1", "1.2.3.4, proxy.internal", "10.0.0.1:80", "[::1]"}) {
    const Result<TrustedProxies> parsed = TrustedProxies::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidInput);
    EXPECT_NE(parsed.error().detail.find("TRUSTED_PROXIES: '"), std::string::npos) << bad;
  }
  // The message names the entry and says what to write.
  const std::string detail = TrustedProxies::parse("127.0.0.1, proxy.internal").error().detail;
  EXPECT_NE(detail.find("'proxy.internal' is not an IP address or CIDR range"), std::string::npos);
  EXPECT_NE(detail.find("10.0.0.0/8"), std::string::npos) << detail;
  EXPECT_NE(TrustedProxies::parse("10.0.0.1:80").error().detail.find("leave out the port"),
            std::string::npos);
  EXPECT_NE(TrustedProxies::parse("10.0.0.0/33").error().detail.find("/0 to /32"),
            std::string::npos);
}

TEST(TrustedProxies, HostBitsOfARangeAreIgnored) {
  const TrustedProxies proxies = trusted("10.1.2.3/8, 2001:db8::1/32");
  EXPECT_TRUE(proxies.contains("10.200.0.1"));
  EXPECT_TRUE(proxies.contains("2001:db8:ffff::5"));
  EXPECT_FALSE(proxies.contains("2001:db9::5"));
}

TEST(TrustedProxies, IPv6RangesMatchByPrefix) {
  const TrustedProxies proxies = trusted("2001:db8:10::/48, 0.0.0.0/32");
  EXPECT_TRUE(proxies.contains("2001:db8:10:ffff::1"));
  EXPECT_TRUE(proxies.contains("2001:DB8:10::1"));  // case does not matter
  EXPECT_FALSE(proxies.contains("2001:db8:11::1"));
  EXPECT_FALSE(proxies.contains("::"));  // 0.0.0.0 is not the IPv6 unspecified address
}

TEST(TrustedProxies, MappedIPv4PeersMatchIPv4Ranges) {
  const TrustedProxies v4 = trusted("10.0.0.0/8");
  EXPECT_TRUE(v4.contains("::ffff:10.1.2.3"));
  EXPECT_TRUE(v4.contains("[::ffff:10.1.2.3]:443"));
  EXPECT_FALSE(v4.contains("::ffff:11.1.2.3"));
  // And a range written in mapped form matches plain IPv4 addresses.
  const TrustedProxies mapped = trusted("::ffff:192.168.0.0/112");
  EXPECT_TRUE(mapped.contains("192.168.7.7"));
  EXPECT_FALSE(mapped.contains("192.169.0.1"));
}

TEST(ClientAddress, UntrustedPeerIgnoresForwardedFor) {
  const TrustedProxies proxies = trusted("10.0.0.0/8");
  EXPECT_EQ(clientAddress("203.0.113.5", {"198.51.100.1"}, proxies), "203.0.113.5");
  EXPECT_EQ(clientAddress("203.0.113.5", {"10.0.0.1"}, proxies), "203.0.113.5");
  // No proxies trusted: X-Forwarded-For never counts.
  EXPECT_EQ(clientAddress("10.0.0.1", {"198.51.100.1"}, TrustedProxies()), "10.0.0.1");
}

TEST(ClientAddress, TakesTheRightmostUntrustedEntry) {
  const TrustedProxies proxies = trusted("10.0.0.0/8");
  // The client made up the two leftmost entries; our proxies appended the last two.
  EXPECT_EQ(clientAddress("10.0.0.1", {"1.1.1.1, 198.51.100.7, 203.0.113.9, 10.0.0.2"}, proxies),
            "203.0.113.9");
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9"}, proxies), "203.0.113.9");
  EXPECT_EQ(clientAddress("10.0.0.1", {}, proxies), "10.0.0.1");  // no header: the proxy itself
}

TEST(ClientAddress, ReadsEveryHeaderInstanceInOrder) {
  const TrustedProxies proxies = trusted("10.0.0.0/8");
  EXPECT_EQ(clientAddress("10.0.0.1", {"198.51.100.7", "203.0.113.9, 10.0.0.2"}, proxies),
            "203.0.113.9");
  EXPECT_EQ(
      clientAddress("10.0.0.1", {"198.51.100.7, 203.0.113.9", "10.0.0.3", "10.0.0.2"}, proxies),
      "203.0.113.9");
  EXPECT_EQ(clientAddress("10.0.0.1", {"198.51.100.7", ""}, proxies), "198.51.100.7");
}

TEST(ClientAddress, AllTrustedChainYieldsTheLeftmost) {
  const TrustedProxies proxies = trusted("10.0.0.0/8, 192.168.0.0/16");
  EXPECT_EQ(clientAddress("10.0.0.1", {"192.168.1.5, 10.0.0.2"}, proxies), "192.168.1.5");
}

TEST(ClientAddress, MalformedEntryStopsTheWalk) {
  const TrustedProxies proxies = trusted("10.0.0.0/8");
  // Anything left of garbage is the client's own invention: the last good address wins.
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9, garbage, 10.0.0.2"}, proxies), "10.0.0.2");
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9, unknown"}, proxies), "10.0.0.1");
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9", "<script>"}, proxies), "10.0.0.1");
  EXPECT_EQ(clientAddress("10.0.0.1", {"1.2.3.4:99999"}, proxies), "10.0.0.1");
  EXPECT_EQ(clientAddress("10.0.0.1", {"\"[2001:db8::1]\""}, proxies), "10.0.0.1");
  // Empty list elements are not malformed; they are skipped.
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9,, 10.0.0.2 ,"}, proxies), "203.0.113.9");
}

TEST(ClientAddress, HandlesPortsBracketsAndIPv6) {
  const TrustedProxies proxies = trusted("10.0.0.0/8, fd00::/8");
  EXPECT_EQ(clientAddress("fd00::1", {"[2001:db8::1]:443, 10.0.0.2:8080"}, proxies), "2001:db8::1");
  EXPECT_EQ(clientAddress("10.0.0.1", {"203.0.113.9:5678"}, proxies), "203.0.113.9");
  EXPECT_EQ(clientAddress("10.0.0.1", {"2001:DB8:0:0::7"}, proxies), "2001:db8::7");
  EXPECT_EQ(clientAddress("[fd00::1]:80", {"[fd00::2]"}, proxies), "fd00::2");  // all trusted
}

TEST(ClientAddress, MappedAddressesAreAnsweredAsIPv4) {
  const TrustedProxies proxies = trusted("10.0.0.0/8");
  EXPECT_EQ(clientAddress("::ffff:203.0.113.5", {}, proxies), "203.0.113.5");
  EXPECT_EQ(clientAddress("::ffff:10.0.0.1", {"::ffff:203.0.113.9"}, proxies), "203.0.113.9");
}

TEST(ClientAddress, UnparsablePeerIsReturnedAsItIs) {
  EXPECT_EQ(clientAddress("unix:/run/chatbot.sock", {"1.2.3.4"}, trusted("0.0.0.0/0")),
            "unix:/run/chatbot.sock");
}

TEST(ClientAddress, ParsesHostAddressesWithPortsAndBrackets) {
  EXPECT_EQ(parseHostAddress(" 1.2.3.4 ")->to_string(), "1.2.3.4");
  EXPECT_EQ(parseHostAddress("1.2.3.4:80")->to_string(), "1.2.3.4");
  EXPECT_EQ(parseHostAddress("[::1]")->to_string(), "::1");
  EXPECT_EQ(parseHostAddress("[::1]:65535")->to_string(), "::1");
  EXPECT_EQ(parseHostAddress("::ffff:1.2.3.4")->to_string(), "1.2.3.4");
  for (const std::string_view bad :
       {"", "1.2.3", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:8a", "[1.2.3.4]", "[::1", "[::1]x",
        "[::1]:", "::1:80:x", "01.2.3.4", "example.com", "1.2.3.4 5.6.7.8"}) {
    EXPECT_FALSE(parseHostAddress(bad).has_value()) << bad;
  }
}

TEST(ClientAddress, ClientNetworkGroupsIPv6ByItsSlash64) {
  EXPECT_EQ(clientNetwork("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(clientNetwork("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(clientNetwork("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(clientNetwork("::ffff:203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(clientNetwork("not an address"), "not an address");
}

}  // namespace
}  // namespace chatbot::net
