#include "auth/jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "auth/jws.h"

namespace chatbot::auth {

namespace {

using nlohmann::json;

// A non-empty string member, or nullopt.
std::optional<std::string> nonEmptyString(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

// A NumericDate claim (seconds since the epoch, possibly fractional).
std::optional<double> numericDate(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

bool audienceMatches(const json& claims, const std::string& audience) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return *aud == audience;
  return aud->is_array() && std::find(aud->begin(), aud->end(), json(audience)) != aud->end();
}

Result<Done> checkTimes(const json& claims, const OidcOptions& options,
                        std::chrono::system_clock::time_point now) {
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto skew = static_cast<double>(options.clock_skew.count());
  const std::optional<double> expires = numericDate(claims, "exp");
  if (!expires) return invalidToken("The token has no valid expiry time (exp).");
  if (now_seconds >= *expires + skew) return invalidToken("The token has expired.");
  if (claims.contains("nbf")) {
    const std::optional<double> not_before = numericDate(claims, "nbf");
    if (!not_before) return invalidToken("Malformed token.");
    if (now_seconds + skew < *not_before) return invalidToken("The token is not valid yet.");
  }
  return Done{};
}

// The claim `path` names: the top-level member of that name if there is one, else the dotted path
// walked through nested objects. Null when absent.
const json* claimAt(const json& claims, std::string_view path) {
  if (const auto it = claims.find(std::string(path)); it != claims.end()) return &*it;
  const json* node = &claims;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string name(path.substr(0, dot));
    if (!node->is_object()) return nullptr;
    const auto it = node->find(name);
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

void addGroup(std::vector<std::string>& groups, std::string_view name) {
  if (name.empty() || std::find(groups.begin(), groups.end(), name) != groups.end()) return;
  groups.emplace_back(name);
}

bool memberOfAny(const std::vector<std::string>& groups, const std::vector<std::string>& wanted) {
  return std::any_of(groups.begin(), groups.end(), [&wanted](const std::string& group) {
    return std::find(wanted.begin(), wanted.end(), group) != wanted.end();
  });
}

}  // namespace

Result<Done> checkClaims(const json& claims, const OidcOptions& options,
                         std::chrono::system_clock::time_point now) {
  if (nonEmptyString(claims, "iss") != options.issuer) {
    return invalidToken("The token was not issued by the expected identity provider (issuer).");
  }
  if (!audienceMatches(claims, options.audience)) {
    return invalidToken("The token was not issued for this service (audience).");
  }
  if (Result<Done> times = checkTimes(claims, options, now); !times) return times;
  if (!nonEmptyString(claims, "sub")) return invalidToken("The token names no subject (sub).");
  return Done{};
}

std::vector<std::string> groupsFromClaims(const json& claims, std::string_view roles_claim) {
  std::vector<std::string> groups;
  const json* value = roles_claim.empty() ? nullptr : claimAt(claims, roles_claim);
  if (value == nullptr) return groups;
  if (value->is_array()) {
    for (const json& item : *value) {
      if (item.is_string()) addGroup(groups, item.get_ref<const std::string&>());
    }
  } else if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find_first_of(" ,", start), text.size());
      addGroup(groups, std::string_view(text).substr(start, end - start));
      start = end + 1;
    }
  }
  return groups;
}

Identity identityFromClaims(const json& claims, const OidcOptions& options) {
  Identity identity;
  identity.kind = IdentityKind::kOidc;
  const std::string sub = nonEmptyString(claims, "sub").value_or("");
  identity.subject = "oidc:" + sub;
  identity.display_name = sub;
  for (const char* name : {"name", "email", "preferred_username"}) {
    if (std::optional<std::string> value = nonEmptyString(claims, name)) {
      identity.display_name = std::move(*value);
      break;
    }
  }
  identity.groups = groupsFromClaims(claims, options.roles_claim);
  if (memberOfAny(identity.groups, options.admin_groups)) {
    identity.role = Role::kAdmin;
  } else if (memberOfAny(identity.groups, options.agent_groups)) {
    identity.role = Role::kAgent;
  } else {
    identity.role = Role::kEmployee;
  }
  return identity;
}

}  // namespace chatbot::auth
