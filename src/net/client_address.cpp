#include "net/client_address.h"

#include <boost/system/error_code.hpp>

#include "util/text.h"

namespace chatbot::net {

namespace ip = boost::asio::ip;

namespace {

// 1 to 5 decimal digits, at most 65535.
bool isPort(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

std::optional<ip::address> parseAddress(std::string_view text) {
  boost::system::error_code error;
  const ip::address address = ip::make_address(text, error);
  if (error) return std::nullopt;
  return address;
}

// IPv4-mapped IPv6 as IPv4; IPv6 without its scope ("%eth0"), which names an interface of the
// machine that wrote it, not part of the address.
ip::address canonical(const ip::address& address) {
  if (address.is_v4()) return address;
  const ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  return ip::address_v6(v6.to_bytes());
}

const char* const kListHelp =
    "; write IP addresses and CIDR ranges separated by commas, e.g. "
    "\"127.0.0.1, 10.0.0.0/8, ::1, fd00::/8\" (host names are not resolved)";

// A CIDR prefix length: 1 to 3 digits, at most `max_prefix`.
std::optional<unsigned> parsePrefix(std::string_view digits, unsigned max_prefix) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max_prefix) return std::nullopt;
  return value;
}

// Adds one TRUSTED_PROXIES entry ("10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8") to the ranges;
// an error names the entry and says what to write instead. A mapped entry (::ffff:10.0.0.0/104)
// stays an IPv6 range: contains() matches IPv4 addresses against those in their mapped form.
std::optional<Error> addRange(std::string_view entry, std::vector<ip::network_v4>& v4,
                              std::vector<ip::network_v6>& v6) {
  const std::size_t slash = entry.find('/');
  const std::optional<ip::address> address = parseAddress(entry.substr(0, slash));
  if (!address) {
    const bool has_port = parseHostAddress(entry).has_value();
    return Error::invalidInput("TRUSTED_PROXIES: '" + std::string(entry) +
                               "' is not an IP address or CIDR range" +
                               (has_port ? " (leave out the port and brackets)" : "") + kListHelp);
  }
  const unsigned max_prefix = address->is_v4() ? 32 : 128;
  std::optional<unsigned> prefix = max_prefix;
  if (slash != std::string_view::npos) prefix = parsePrefix(entry.substr(slash + 1), max_prefix);
  if (!prefix) {
    return Error::invalidInput("TRUSTED_PROXIES: '" + std::string(entry) +
                               "' has an invalid prefix length: an IPv4 range ends in /0 to /32, "
                               "an IPv6 range in /0 to /128" +
                               kListHelp);
  }
  if (address->is_v4()) {
    v4.push_back(ip::network_v4(address->to_v4(), *prefix).canonical());
  } else {
    const ip::address_v6 unscoped(address->to_v6().to_bytes());
    v6.push_back(ip::network_v6(unscoped, *prefix).canonical());
  }
  return std::nullopt;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  for (const std::string_view part : util::split(list, ',')) {
    const std::string_view entry = util::trim(part);
    if (entry.empty()) continue;
    if (std::optional<Error> error = addRange(entry, proxies.v4_, proxies.v6_)) {
      return std::move(*error);
    }
  }
  return proxies;
}

bool TrustedProxies::contains(std::string_view address) const {
  const std::optional<ip::address> parsed = parseHostAddress(address);
  return parsed && contains(*parsed);
}

bool TrustedProxies::contains(const ip::address& address) const {
  const ip::address plain = canonical(address);
  // An IPv4 address is matched against the IPv4 ranges and, as ::ffff:a.b.c.d, the IPv6 ones.
  const ip::address_v6 v6 =
      plain.is_v4() ? ip::make_address_v6(ip::v4_mapped, plain.to_v4()) : plain.to_v6();
  if (plain.is_v4()) {
    for (const ip::network_v4& range : v4_) {
      if (ip::network_v4(plain.to_v4(), range.prefix_length()).canonical() == range) return true;
    }
  }
  for (const ip::network_v6& range : v6_) {
    if (ip::network_v6(v6, range.prefix_length()).canonical() == range) return true;
  }
  return false;
}

std::optional<ip::address> parseHostAddress(std::string_view text) {
  text = util::trim(text);
  if (!text.empty() && text.front() == '[') {  // "[v6]" or "[v6]:port"
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && isPort(rest.substr(1)))) return std::nullopt;
    const std::optional<ip::address> address = parseAddress(text.substr(1, close - 1));
    if (!address || !address->is_v6()) return std::nullopt;
    return canonical(*address);
  }
  // Exactly one colon: "v4:port" (an IPv6 address has at least two).
  const std::size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon == text.rfind(':')) {
    if (!isPort(text.substr(colon + 1))) return std::nullopt;
    std::optional<ip::address> address = parseAddress(text.substr(0, colon));
    if (!address || !address->is_v4()) return std::nullopt;
    return address;
  }
  const std::optional<ip::address> address = parseAddress(text);
  if (!address) return std::nullopt;
  return canonical(*address);
}

std::string clientAddress(std::string_view peer,
                          const std::vector<std::string_view>& forwarded_for_headers,
                          const TrustedProxies& trusted) {
  const std::optional<ip::address> peer_address = parseHostAddress(peer);
  if (!peer_address) return std::string(peer);
  std::string answer = peer_address->to_string();
  if (!trusted.contains(*peer_address)) return answer;
  // Right to left: the last field instance was appended last, by the proxy nearest to us.
  for (auto header = forwarded_for_headers.rbegin(); header != forwarded_for_headers.rend();
       ++header) {
    const std::vector<std::string_view> entries = util::split(*header, ',');
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
      // Empty list elements are allowed and mean nothing (RFC 9110, section 5.6.1).
      if (util::trim(*entry).empty()) continue;
      const std::optional<ip::address> address = parseHostAddress(*entry);
      if (!address) return answer;
      answer = address->to_string();
      if (!trusted.contains(*address)) return answer;
    }
  }
  return answer;
}

std::string clientNetwork(std::string_view address) {
  const std::optional<ip::address> parsed = parseHostAddress(address);
  if (!parsed) return std::string(address);
  if (parsed->is_v4()) return parsed->to_string();
  return ip::network_v6(parsed->to_v6(), 64).canonical().to_string();
}

}  // namespace chatbot::net
