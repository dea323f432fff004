#include <stdexcept>

#include "api/middleware/middlewares.h"

namespace chatbot::api {

namespace {

net::TrustedProxies parsedOrThrow(const std::string& list) {
  auto parsed = net::TrustedProxies::parse(list);
  if (!parsed) throw std::invalid_argument(parsed.error().detail);
  return std::move(parsed).value();
}

}  // namespace

ClientAddress::ClientAddress(const std::string& trusted_proxies)
    : trusted_(parsedOrThrow(trusted_proxies)) {}

std::optional<http::Response> ClientAddress::onRequest(const http::Request& request,
                                                       http::RequestContext& context) const {
  if (trusted_.empty()) return std::nullopt;
  std::vector<std::string_view> forwarded;
  const auto [first, last] = request.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) forwarded.push_back(it->value());
  context.remote_address = net::clientAddress(context.remote_address, forwarded, trusted_);
  return std::nullopt;
}

}  // namespace chatbot::api
