#pragma once
// Who the client is behind reverse proxies: the TRUSTED_PROXIES list, and the client address
// taken from X-Forwarded-For only as far as trusted proxies vouch for it.
//
// Addresses are compared as addresses, not text: "::ffff:10.1.2.3" (an IPv4 peer on a dual-stack
// socket) is 10.1.2.3, and returned addresses are in one canonical form, so one client has one
// rate-limit key however it arrived.
//
// Plain values: a TrustedProxies is immutable after parse() and may be read from any thread; the
// functions are pure.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace chatbot::net {

// The reverse proxies whose X-Forwarded-For entries are believed. Default-constructed: none.
class TrustedProxies {
 public:
  // A comma-separated list of IPv4/IPv6 addresses and CIDR ranges, e.g.
  // "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"; blank (or only commas) trusts no one. An entry that
  // is not an address or range is an Error::invalidInput naming it and what to write instead.
  static Result<TrustedProxies> parse(std::string_view list);

  // Whether `address` (an IP address, optionally "[v6]:port" or "v4:port") is in one of the
  // ranges. Something that is not an address is not trusted.
  bool contains(std::string_view address) const;
  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const noexcept { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;  // canonical (host bits zero)
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address for a request that arrived from `peer` (the socket's remote address)
// carrying the X-Forwarded-For `forwarded_for_headers` (every instance of the field, in order).
//   - A peer that is not a trusted proxy is the client: X-Forwarded-For is ignored (anyone can
//     send it).
//   - Otherwise the entries (all instances, comma-separated, in order) are read from the right,
//     each one appended by a proxy about the hop before it; trusted addresses are skipped, and the
//     first untrusted one is the client. If all are trusted, the leftmost is.
//   - An entry that is not an address ("unknown", a host name, garbage) stops the walk: the last
//     address read (a trusted proxy), or the peer, is the answer. So a client cannot place
//     arbitrary text, or any address left of what a trusted proxy appended, in the answer.
// Entries may carry a port ("1.2.3.4:5678", "[2001:db8::1]:443"); the answer never does. IPv4
// and IPv4-mapped IPv6 are answered as plain IPv4. An unparsable peer is returned as it is.
std::string clientAddress(std::string_view peer,
                          const std::vector<std::string_view>& forwarded_for_headers,
                          const TrustedProxies& trusted);

// `text` as an address: an IPv4 or IPv6 address, optionally with a port ("1.2.3.4:80",
// "[::1]:443") or brackets ("[::1]"), blanks around it allowed. IPv4-mapped IPv6 comes back as
// IPv4. nullopt for anything else.
std::optional<boost::asio::ip::address> parseHostAddress(std::string_view text);

// The block of addresses one client is assumed to control, as text for a rate-limit key: an IPv4
// address itself, an IPv6 address's /64 ("2001:db8:1:2::/64": one host usually gets a whole /64,
// so per-address keys would let it rotate through 2^64 of them). Anything else unchanged.
std::string clientNetwork(std::string_view address);

}  // namespace chatbot::net
