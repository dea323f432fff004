// Access control without HTTP: which credential shape goes where (auth::Authenticator), who may
// call a route (api::authorize), and who may see a conversation or a ticket (auth/ticket_access.h).
#include <gtest/gtest.h>

#include "api/errors.h"
#include "api/middleware/audit.h"
#include "api/routes/route_table.h"
#include "auth/authenticator.h"
#include "auth/ticket_access.h"

namespace chatbot {
namespace {

using auth::Identity;
using auth::IdentityKind;
using auth::Role;

const std::string kBootstrap = "0123456789abcdef0123456789abcdef-bootstrap";

Identity withRole(Role role, const std::string& subject = "key:abc") {
  Identity identity;
  identity.kind = IdentityKind::kApiKey;
  identity.role = role;
  identity.subject = subject;
  identity.display_name = "someone";
  return identity;
}

// A token verifier that accepts one token, to see that JWT-shaped credentials reach it.
class OneToken final : public auth::TokenVerifier {
 public:
  Result<Identity> verify(std::string_view token,
                          std::chrono::system_clock::time_point) const override {
    if (token == "aaa.bbb.ccc") return withRole(Role::kEmployee, "oidc:jane");
    return Error{ErrorKind::kUnauthenticated, "invalid_token", "no"};
  }
};

TEST(Authenticator, TheBootstrapKeyIsAnAdmin) {
  const auth::Authenticator authenticator(nullptr, kBootstrap, nullptr);
  const auto identity = authenticator.authenticate(kBootstrap, {});
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->kind, IdentityKind::kBootstrap);
  EXPECT_EQ(identity->role, Role::kAdmin);
  EXPECT_FALSE(authenticator.authenticate(kBootstrap + "x", {}));
  EXPECT_FALSE(authenticator.authenticate(kBootstrap.substr(1), {}));
}

TEST(Authenticator, CredentialsGoWhereTheirShapeSays) {
  const auth::Authenticator without_oidc(nullptr, "", nullptr);
  const auto key =
      without_oidc.authenticate("cbk_abcdefgh1234_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", {});
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "invalid_api_key");  // no database: no keys
  const auto jwt = without_oidc.authenticate("aaa.bbb.ccc", {});
  ASSERT_FALSE(jwt);
  EXPECT_EQ(jwt.error().code, "invalid_token");
  const auto junk = without_oidc.authenticate("hunter2", {});
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, "invalid_credentials");
  EXPECT_EQ(junk.error().kind, ErrorKind::kUnauthenticated);

  const auth::Authenticator with_oidc(nullptr, "", std::make_shared<OneToken>());
  const auto identity = with_oidc.authenticate("aaa.bbb.ccc", {});
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->subject, "oidc:jane");
  EXPECT_FALSE(with_oidc.authenticate("aaa.bbb.ccd", {}));
}

// What each kind of caller gets from each kind of route: 0 allowed, else the HTTP status.
int outcome(api::Access access, const Identity& identity, bool open_chat) {
  try {
    api::authorize(access, identity, open_chat);
    return 0;
  } catch (const api::ApiError& e) {
    return static_cast<int>(e.status());
  }
}

TEST(RouteAccess, EveryCallerAgainstEveryAccessLevel) {
  const Identity anonymous = Identity::anonymous();
  const Identity employee = withRole(Role::kEmployee);
  const Identity agent = withRole(Role::kAgent);
  const Identity admin = withRole(Role::kAdmin);
  using api::Access;
  struct Row {
    Access access;
    int anonymous_open, anonymous_closed, employee, agent, admin;
  };
  const Row table[] = {
      {Access::kPublic, 0, 0, 0, 0, 0},         {Access::kCaller, 0, 401, 0, 0, 0},
      {Access::kIdentified, 401, 401, 0, 0, 0}, {Access::kAgent, 401, 401, 403, 0, 0},
      {Access::kAdmin, 401, 401, 403, 403, 0},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(std::string(api::toString(row.access)));
    EXPECT_EQ(outcome(row.access, anonymous, true), row.anonymous_open);
    EXPECT_EQ(outcome(row.access, anonymous, false), row.anonymous_closed);
    EXPECT_EQ(outcome(row.access, employee, false), row.employee);
    EXPECT_EQ(outcome(row.access, agent, false), row.agent);
    EXPECT_EQ(outcome(row.access, admin, false), row.admin);
  }
}

TEST(RouteAccess, RefusalsSayWhatIsMissing) {
  try {
    api::authorize(api::Access::kAgent, withRole(Role::kEmployee), true);
    FAIL();
  } catch (const api::ApiError& e) {
    EXPECT_EQ(e.code(), "forbidden");
    EXPECT_NE(std::string(e.what()).find("agent role"), std::string::npos);
  }
  const auto challenge =
      api::errorResponse({ErrorKind::kUnauthenticated, "authentication_required", "x"}, "rid");
  EXPECT_EQ(challenge[http::beast_http::field::www_authenticate], "Bearer realm=\"chatbot\"");
  const auto invalid =
      api::errorResponse({ErrorKind::kUnauthenticated, "invalid_api_key", "x"}, "rid");
  EXPECT_EQ(invalid[http::beast_http::field::www_authenticate],
            "Bearer realm=\"chatbot\", error=\"invalid_token\"");
}

TEST(Ownership, ConversationsAreTheirStartersAndAnonymousOnesAnyones) {
  const Identity alice = withRole(Role::kEmployee, "key:alice");
  const Identity bob = withRole(Role::kAgent, "key:bob");
  EXPECT_TRUE(auth::maySeeConversation(alice, "key:alice"));
  EXPECT_FALSE(auth::maySeeConversation(bob, "key:alice"));  // agents see tickets, not chats
  EXPECT_FALSE(auth::maySeeConversation(Identity::anonymous(), "key:alice"));
  EXPECT_TRUE(auth::maySeeConversation(withRole(Role::kAdmin, "key:root"), "key:alice"));
  EXPECT_TRUE(auth::maySeeConversation(Identity::anonymous(), ""));
  EXPECT_TRUE(auth::maySeeConversation(bob, ""));
}

TEST(Ownership, TicketsAreTheirOpenersAndTheServiceDesks) {
  const auth::TicketTokens tokens("installation-secret");
  const Identity alice = withRole(Role::kEmployee, "key:alice");
  const Identity anonymous = Identity::anonymous();
  EXPECT_TRUE(auth::maySeeTicket(alice, "key:alice", 7, "", tokens));
  EXPECT_FALSE(
      auth::maySeeTicket(withRole(Role::kEmployee, "key:eve"), "key:alice", 7, "", tokens));
  EXPECT_TRUE(auth::maySeeTicket(withRole(Role::kAgent, "key:desk"), "key:alice", 7, "", tokens));
  // Anonymous tickets: the token of that ticket, and only of that one.
  const std::string token = tokens.tokenFor(7);
  EXPECT_EQ(token, tokens.tokenFor(7));
  EXPECT_TRUE(auth::maySeeTicket(anonymous, "", 7, token, tokens));
  EXPECT_FALSE(auth::maySeeTicket(anonymous, "", 8, token, tokens));
  EXPECT_FALSE(auth::maySeeTicket(anonymous, "", 7, "", tokens));
  EXPECT_FALSE(auth::maySeeTicket(anonymous, "", 7, token + "x", tokens));
  EXPECT_FALSE(auth::maySeeTicket(alice, "", 7, "", tokens));
  EXPECT_NE(auth::TicketTokens("other-secret").tokenFor(7), token);
}

TEST(AuditTrail, RecordsDeskWritesAndRefusalsOnly) {
  const Identity agent = withRole(Role::kAgent);
  const Identity employee = withRole(Role::kEmployee);
  EXPECT_TRUE(api::Audit::audited("PATCH", 200, agent));
  EXPECT_TRUE(api::Audit::audited("POST", 400, withRole(Role::kAdmin)));
  EXPECT_TRUE(api::Audit::audited("DELETE", 404, agent));
  EXPECT_FALSE(api::Audit::audited("GET", 200, agent));
  EXPECT_FALSE(api::Audit::audited("POST", 201, employee));
  EXPECT_FALSE(api::Audit::audited("POST", 201, Identity::anonymous()));
  EXPECT_TRUE(api::Audit::audited("GET", 403, employee));
  EXPECT_TRUE(api::Audit::audited("GET", 401, Identity::anonymous()));
  EXPECT_TRUE(api::Audit::audited("", 401, Identity::anonymous()));
}

}  // namespace
}  // namespace chatbot
