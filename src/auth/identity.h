#pragma once
// Who is calling: the identity an authenticator (API key, OIDC token, the bootstrap admin key)
// found for a request, or the anonymous caller. Routes decide what an identity may do from its
// role; services decide what it may see from its subject (ownership).
//
// Plain values, copied freely; no locking.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::auth {

// Ordered: each role may do everything the ones before it may.
enum class Role {
  kEmployee,  // chat, their own conversations and tickets
  kAgent,     // the service desk: every ticket, statistics, transcripts
  kAdmin,     // everything, plus API keys and settings
};
std::string_view toString(Role role);                  // "employee", "agent", "admin"
std::optional<Role> parseRole(std::string_view text);  // the same names, case-insensitive

// How the identity was established.
enum class IdentityKind {
  kAnonymous,  // no credentials (CHAT_ACCESS=open): an employee without a subject
  kApiKey,     // a key from `chatbot keys create` or the admin API
  kBootstrap,  // ADMIN_API_KEY from the environment
  kOidc,       // a JWT from the OIDC provider
};
std::string_view toString(IdentityKind kind);  // "anonymous", "api_key", "bootstrap", "oidc"

struct Identity {
  IdentityKind kind = IdentityKind::kAnonymous;
  Role role = Role::kEmployee;
  // Stable and unique per caller; what ownership of sessions and tickets is recorded against.
  // "key:<key id>" for API keys, "oidc:<sub>" for tokens, "admin:bootstrap"; empty for anonymous.
  std::string subject;
  // For people and the audit trail: the key's name, or the token's name/email/preferred_username.
  std::string display_name;
  std::vector<std::string> groups;  // from the OIDC roles claim; empty for keys

  bool authenticated() const noexcept { return kind != IdentityKind::kAnonymous; }
  // This identity's role is `role` or above.
  bool atLeast(Role minimum) const noexcept { return authenticated() && role >= minimum; }

  static Identity anonymous() { return {}; }
};

}  // namespace chatbot::auth
