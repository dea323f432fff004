#pragma once
// What JwtVerifier accepts from the company's OIDC provider, and how a token's groups become a
// Role. Filled from the settings by the composition root; a plain value, copied into the verifier
// and never changed there.
#include <chrono>
#include <string>
#include <vector>

namespace chatbot::auth {

struct OidcOptions {
  // The provider's issuer identifier; a token's "iss" must equal it byte for byte (so
  // "https://idp.example.com/" with a trailing slash is another issuer than without one).
  std::string issuer;
  // This service's audience (usually its client id); a token's "aud", a string or an array of
  // strings, must contain it.
  std::string audience;
  // Tolerated difference between the provider's clock and ours, for "exp" and "nbf".
  std::chrono::seconds clock_skew{60};
  // The claim that lists the caller's groups ("groups", "roles"); a dotted path such as
  // "realm_access.roles" reaches into nested objects (a top-level claim whose name contains dots,
  // "https://example.com/roles", wins over the path). Empty: tokens carry no groups.
  std::string roles_claim;
  std::vector<std::string> agent_groups;  // a member of any is an agent
  std::vector<std::string> admin_groups;  // a member of any is an admin (over agent)
  // The keys are fetched again at most this often, however many tokens name an unknown key.
  std::chrono::seconds min_refresh_interval{30};
};

}  // namespace chatbot::auth
