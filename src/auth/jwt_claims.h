#pragma once
// The claims of a token whose signature verified: the registered ones checked against the
// OidcOptions (RFC 7519 §4.1, OIDC Core §2), then turned into the caller's Identity. Errors are
// JwtVerifier's (kUnauthenticated, "invalid_token", a detail a client may see). Pure functions;
// thread-safe.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "auth/oidc_options.h"
#include "util/error.h"

namespace chatbot::auth {

// "iss" equals the issuer; "aud" names the audience; "exp" is present and
// now < exp + clock_skew; "nbf", when present, is at most now + clock_skew; "sub" is a non-empty
// string.
Result<Done> checkClaims(const nlohmann::json& claims, const OidcOptions& options,
                         std::chrono::system_clock::time_point now);

// The groups listed under `roles_claim` (see OidcOptions): an array (its strings), or one string
// of names separated by spaces or commas. In the token's order, without repeats; empty when the
// claim is missing or `roles_claim` is empty.
std::vector<std::string> groupsFromClaims(const nlohmann::json& claims,
                                          std::string_view roles_claim);

// The identity of a token that passed checkClaims: kind kOidc, subject "oidc:<sub>", display name
// from "name", else "email", else "preferred_username", else "sub"; the groups; role admin for a
// member of an admin group, else agent for a member of an agent group, else employee.
Identity identityFromClaims(const nlohmann::json& claims, const OidcOptions& options);

}  // namespace chatbot::auth
