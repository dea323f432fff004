#include "auth/identity.h"

#include "util/text.h"

namespace chatbot::auth {

std::string_view toString(Role role) {
  switch (role) {
    case Role::kEmployee:
      return "employee";
    case Role::kAgent:
      return "agent";
    case Role::kAdmin:
      return "admin";
  }
  return "employee";
}

std::optional<Role> parseRole(std::string_view text) {
  const std::string lower = util::asciiLower(util::trim(text));
  for (const Role role : {Role::kEmployee, Role::kAgent, Role::kAdmin}) {
    if (lower == toString(role)) return role;
  }
  return std::nullopt;
}

std::string_view toString(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kAnonymous:
      return "anonymous";
    case IdentityKind::kApiKey:
      return "api_key";
    case IdentityKind::kBootstrap:
      return "bootstrap";
    case IdentityKind::kOidc:
      return "oidc";
  }
  return "anonymous";
}

}  // namespace chatbot::auth
