// A verified token's claims as an Identity (auth/jwt_claims.h): groups from the roles claim,
// roles from the groups, the display name. The checks of iss/aud/exp/nbf/sub are tested through
// JwtVerifier (jwt_verifier_test.cpp), where they are applied.
#include "auth/jwt_claims.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatbot::auth {
namespace {

using nlohmann::json;
using Groups = std::vector<std::string>;

OidcOptions options(std::string roles_claim = "groups") {
  OidcOptions options;
  options.issuer = "https://idp.example.com";
  options.audience = "chatbot";
  options.roles_claim = std::move(roles_claim);
  options.agent_groups = {"it-support", "service-desk"};
  options.admin_groups = {"it-admins"};
  return options;
}

Identity identityWithGroups(const json& groups) {
  return identityFromClaims({{"sub", "alice"}, {"groups", groups}}, options());
}

TEST(JwtClaims, MapsGroupsToRoles) {
  EXPECT_EQ(identityWithGroups({"staff"}).role, Role::kEmployee);
  EXPECT_EQ(identityWithGroups({"staff", "service-desk"}).role, Role::kAgent);
  EXPECT_EQ(identityWithGroups({"it-support", "it-admins"}).role, Role::kAdmin);
  EXPECT_EQ(identityWithGroups({"IT-Admins"}).role, Role::kEmployee)
      << "group names are compared exactly";
  EXPECT_EQ(identityWithGroups(json::array()).role, Role::kEmployee);
  const Identity no_claim = identityFromClaims({{"sub", "alice"}}, options());
  EXPECT_TRUE(no_claim.groups.empty());
  EXPECT_EQ(no_claim.role, Role::kEmployee);
}

TEST(JwtClaims, IdentityIsAnOidcSubjectWithItsGroups) {
  const Identity identity = identityWithGroups({"staff", "it-support"});
  EXPECT_EQ(identity.kind, IdentityKind::kOidc);
  EXPECT_EQ(identity.subject, "oidc:alice");
  EXPECT_EQ(identity.groups, (Groups{"staff", "it-support"}));
  EXPECT_TRUE(identity.authenticated());
}

TEST(JwtClaims, ReadsGroupsFromAnArrayOfStringsWithoutRepeats) {
  EXPECT_EQ(groupsFromClaims({{"groups", {"a", 7, "b", "a", nullptr, ""}}}, "groups"),
            (Groups{"a", "b"}));
  EXPECT_TRUE(groupsFromClaims({{"groups", 42}}, "groups").empty());
  EXPECT_TRUE(groupsFromClaims({{"groups", {"a"}}}, "").empty()) << "no roles claim configured";
}

TEST(JwtClaims, ReadsGroupsFromASeparatedString) {
  EXPECT_EQ(groupsFromClaims({{"roles", "staff it-support,vpn ,"}}, "roles"),
            (Groups{"staff", "it-support", "vpn"}));
  EXPECT_EQ(groupsFromClaims({{"roles", ""}}, "roles"), Groups{});
}

TEST(JwtClaims, ReadsGroupsFromANestedClaimPath) {
  const json keycloak = {{"sub", "alice"},
                         {"realm_access", {{"roles", {"offline_access", "it-admins"}}}}};
  EXPECT_EQ(groupsFromClaims(keycloak, "realm_access.roles"),
            (Groups{"offline_access", "it-admins"}));
  EXPECT_EQ(identityFromClaims(keycloak, options("realm_access.roles")).role, Role::kAdmin);
  EXPECT_TRUE(groupsFromClaims(keycloak, "realm_access.groups").empty());
  EXPECT_TRUE(groupsFromClaims(keycloak, "sub.roles").empty()) << "a string has no members";
}

TEST(JwtClaims, TopLevelClaimWithDotsWinsOverThePath) {
  const json auth0 = {{"https://example.com/roles", {"a"}},
                      {"https://example", {{"com/roles", {"b"}}}}};
  EXPECT_EQ(groupsFromClaims(auth0, "https://example.com/roles"), Groups{"a"});
}

TEST(JwtClaims, DisplayNameFallsBackToEmailThenUsernameThenSubject) {
  json person = {{"sub", "alice"},
                 {"name", "Alice Example"},
                 {"email", "alice@example.com"},
                 {"preferred_username", "alice.e"}};
  EXPECT_EQ(identityFromClaims(person, options()).display_name, "Alice Example");
  person["name"] = "";
  EXPECT_EQ(identityFromClaims(person, options()).display_name, "alice@example.com");
  person.erase("email");
  EXPECT_EQ(identityFromClaims(person, options()).display_name, "alice.e");
  person["preferred_username"] = 5;
  EXPECT_EQ(identityFromClaims(person, options()).display_name, "alice");
}

}  // namespace
}  // namespace chatbot::auth
