// Identity and access over HTTP, on the real server: every route against every kind of caller
// (anonymous, two employees, an agent, an admin, the bootstrap key, revoked, expired and forged
// keys), ownership answering 404, CHAT_ACCESS=authenticated, the admin key API and `chatbot keys`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "integration/mock_oidc_provider.h"
#include "integration/server_process.h"

namespace chatbot::testing {
namespace {

using json = nlohmann::json;
const std::string kAdminKey = "integration-test-admin-key-0123456789abcdef";
const std::string kQuestion = R"({"query":"How do I reset my password?"})";

// One caller: the headers it sends.
struct Caller {
  std::string name;
  std::map<std::string, std::string> headers;
};

Caller bearer(std::string name, const std::string& key) {
  return {std::move(name), {{"Authorization", "Bearer " + key}}};
}

class AccessControlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({{"ADMIN_API_KEY", kAdminKey}});
    admin_ = new Caller(bearer("admin", createKey("root", "admin")));
    alice_ = new Caller(bearer("alice", createKey("alice", "employee")));
    bob_ = new Caller({"bob", {{"X-API-Key", createKey("bob", "employee")}}});
    agent_ = new Caller(bearer("agent", createKey("desk", "agent")));
  }
  static void TearDownTestSuite() {
    for (Caller* caller : {admin_, alice_, bob_, agent_}) delete caller;
    delete server_;
  }

  // Sends as `caller`; JSON content type added for bodies.
  static Response call(const Caller& caller, http::verb verb, const std::string& target,
                       const std::string& body = "") {
    HttpClient client(server_->port());
    auto headers = caller.headers;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return client.send(verb, target, body, headers);
  }
  // A new key through the admin API with the bootstrap key; returns the secret.
  static std::string createKey(const std::string& name, const std::string& role,
                               const std::string& expires_in = "") {
    json request = {{"name", name}, {"role", role}};
    if (!expires_in.empty()) request["expires_in"] = expires_in;
    const auto res = call(bearer("bootstrap", kAdminKey), http::verb::post, "/api/v1/admin/keys",
                          request.dump());
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return json::parse(res.body()).value("key", "");
  }
  // Alice's conversation: {session_id, message_id}.
  static std::pair<std::string, std::string> aliceChat() {
    const auto res = call(*alice_, http::verb::post, "/api/v1/chat/", kQuestion);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const auto body = json::parse(res.body());
    return {body["session_id"], body["message_id"]};
  }

  static inline ServerProcess* server_ = nullptr;
  static inline Caller* admin_ = nullptr;
  static inline Caller* alice_ = nullptr;
  static inline Caller* bob_ = nullptr;
  static inline Caller* agent_ = nullptr;
  const Caller anonymous_{"anonymous", {}};
};

TEST_F(AccessControlTest, OpenChatServesAnonymousCallersButNotTheServiceDeskRoutes) {
  EXPECT_EQ(call(anonymous_, http::verb::post, "/api/v1/chat/", kQuestion).result_int(), 200);
  for (const auto& [verb, target] :
       std::vector<std::pair<http::verb, std::string>>{{http::verb::get, "/api/v1/tickets"},
                                                       {http::verb::get, "/api/v1/stats"},
                                                       {http::verb::patch, "/api/v1/tickets/IT-1"},
                                                       {http::verb::get, "/api/v1/admin/keys"}}) {
    const auto res = call(anonymous_, verb, target, verb == http::verb::patch ? "{}" : "");
    EXPECT_EQ(res.result_int(), 401) << target << " " << res.body();
    EXPECT_EQ(res[http::field::www_authenticate], "Bearer realm=\"chatbot\"") << target;
    EXPECT_EQ(json::parse(res.body())["error"], "authentication_required") << target;
  }
}

TEST_F(AccessControlTest, RolesGateTheServiceDeskAndAdminRoutes) {
  struct Row {
    http::verb verb;
    std::string target;
    int employee, agent, admin;
  };
  const Row rows[] = {{http::verb::get, "/api/v1/stats", 403, 200, 200},
                      {http::verb::get, "/api/v1/tickets", 200, 200, 200},
                      {http::verb::get, "/api/v1/admin/keys", 403, 403, 200},
                      {http::verb::get, "/api/v1/admin/settings", 403, 403, 200},
                      {http::verb::get, "/health", 200, 200, 200},
                      {http::verb::get, "/openapi.json", 200, 200, 200}};
  for (const Row& row : rows) {
    EXPECT_EQ(call(*alice_, row.verb, row.target).result_int(), row.employee) << row.target;
    EXPECT_EQ(call(*agent_, row.verb, row.target).result_int(), row.agent) << row.target;
    EXPECT_EQ(call(*admin_, row.verb, row.target).result_int(), row.admin) << row.target;
  }
  const auto refused = call(*alice_, http::verb::get, "/api/v1/stats");
  EXPECT_EQ(json::parse(refused.body())["error"], "forbidden");
}

TEST_F(AccessControlTest, AConversationIsItsStartersAndOthersGet404) {
  const auto [session, message] = aliceChat();
  const std::string path = "/api/v1/sessions/" + session;
  EXPECT_EQ(call(*alice_, http::verb::get, path).result_int(), 200);
  EXPECT_EQ(call(*admin_, http::verb::get, path).result_int(), 200);
  for (const Caller* other : std::initializer_list<const Caller*>{bob_, agent_, &anonymous_}) {
    EXPECT_EQ(call(*other, http::verb::get, path).result_int(), 404) << other->name;
    EXPECT_EQ(call(*other, http::verb::delete_, path).result_int(), 404) << other->name;
  }
  // Bob cannot rate Alice's answer, nor continue her conversation (he gets a new one).
  const std::string vote = json{{"message_id", message}, {"helpful", false}}.dump();
  EXPECT_EQ(call(*bob_, http::verb::post, "/api/v1/feedback", vote).result_int(), 404);
  const auto continued = call(*bob_, http::verb::post, "/api/v1/chat/",
                              json{{"query", "and then?"}, {"session_id", session}}.dump());
  ASSERT_EQ(continued.result_int(), 200);
  EXPECT_NE(json::parse(continued.body())["session_id"], session);
  EXPECT_EQ(call(*alice_, http::verb::post, "/api/v1/feedback", vote).result_int(), 201);
  EXPECT_EQ(call(*alice_, http::verb::delete_, path).result_int(), 204);
}

TEST_F(AccessControlTest, TicketsAreTheirOpenersAndTheServiceDesks) {
  const auto [session, message] = aliceChat();
  const auto opened =
      call(*alice_, http::verb::post, "/api/v1/tickets", json{{"session_id", session}}.dump());
  ASSERT_EQ(opened.result_int(), 201) << opened.body();
  const auto ticket = json::parse(opened.body());
  EXPECT_FALSE(ticket.contains("access_token"));  // an identity needs none
  EXPECT_EQ(ticket["opened_by"].get<std::string>().rfind("key:", 0), 0u);
  const std::string path = "/api/v1/tickets/" + ticket["id"].get<std::string>();
  EXPECT_EQ(call(*alice_, http::verb::get, path).result_int(), 200);
  EXPECT_EQ(call(*agent_, http::verb::get, path).result_int(), 200);
  EXPECT_EQ(call(*bob_, http::verb::get, path).result_int(), 404);
  EXPECT_EQ(call(anonymous_, http::verb::get, path).result_int(), 404);
  // Bob cannot open a ticket with Alice's conversation either.
  EXPECT_EQ(call(*bob_, http::verb::post, "/api/v1/tickets", json{{"session_id", session}}.dump())
                .result_int(),
            404);
  // Lists: Alice's own; Bob's own (none of Alice's); the desk's all.
  const auto ids = [&](const Caller& caller) {
    std::set<std::string> out;
    // Parsed into a variable: a range-for over a member of a temporary would dangle.
    const json page = json::parse(call(caller, http::verb::get, "/api/v1/tickets").body());
    for (const auto& t : page["tickets"]) out.insert(t["id"].get<std::string>());
    return out;
  };
  const std::string id = ticket["id"];
  EXPECT_TRUE(ids(*alice_).count(id));
  EXPECT_FALSE(ids(*bob_).count(id));
  EXPECT_TRUE(ids(*agent_).count(id));
  // Status changes: the desk only.
  const std::string resolve = R"({"status":"resolved"})";
  EXPECT_EQ(call(*alice_, http::verb::patch, path, resolve).result_int(), 403);
  EXPECT_EQ(call(*agent_, http::verb::patch, path, resolve).result_int(), 200);
}

TEST_F(AccessControlTest, AnAnonymousTicketIsShownWithItsAccessToken) {
  const auto opened = call(anonymous_, http::verb::post, "/api/v1/tickets",
                           R"({"description":"My laptop will not start"})");
  ASSERT_EQ(opened.result_int(), 201) << opened.body();
  const auto ticket = json::parse(opened.body());
  const std::string token = ticket.value("access_token", "");
  ASSERT_FALSE(token.empty());
  const std::string path = "/api/v1/tickets/" + ticket["id"].get<std::string>();
  EXPECT_EQ(call(anonymous_, http::verb::get, path).result_int(), 404);
  EXPECT_EQ(call({"holder", {{"X-Ticket-Token", token}}}, http::verb::get, path).result_int(), 200);
  EXPECT_EQ(
      call({"guesser", {{"X-Ticket-Token", token + "0"}}}, http::verb::get, path).result_int(),
      404);
  EXPECT_EQ(call(*agent_, http::verb::get, path).result_int(), 200);
}

TEST_F(AccessControlTest, BadCredentialsAre401EvenOnPublicRoutes) {
  const std::string revoked_key = createKey("leaver", "employee");
  const auto revoke = call(*admin_, http::verb::delete_, "/api/v1/admin/keys/leaver");
  ASSERT_EQ(revoke.result_int(), 200) << revoke.body();
  EXPECT_EQ(json::parse(revoke.body())["state"], "revoked");
  const std::string expiring_key = createKey("contractor", "employee", "1s");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::vector<Caller> bad = {
      bearer("revoked", revoked_key),
      bearer("expired", expiring_key),
      bearer("forged", "cbk_abcdefgh1234_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"),
      bearer("jwt without oidc", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
      {"basic auth", {{"Authorization", "Basic dXNlcjpwYXNz"}}},
      {"junk key", {{"X-API-Key", "letmein"}}}};
  for (const Caller& caller : bad) {
    for (const std::string target : {"/api/v1/chat/", "/health"}) {
      const auto res = target == "/health" ? call(caller, http::verb::get, target)
                                           : call(caller, http::verb::post, target, kQuestion);
      EXPECT_EQ(res.result_int(), 401) << caller.name << " " << target << " " << res.body();
      EXPECT_NE(res[http::field::www_authenticate].find("invalid_token"), std::string::npos)
          << caller.name;
    }
  }
}

TEST_F(AccessControlTest, TheAdminApiNeverShowsSecretsAfterCreation) {
  const auto created = call(*admin_, http::verb::post, "/api/v1/admin/keys",
                            R"({"name":"portal-2","role":"agent","expires_in":"90d"})");
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto key = json::parse(created.body());
  EXPECT_EQ(key["key"].get<std::string>().rfind("cbk_" + key["id"].get<std::string>(), 0), 0u);
  EXPECT_FALSE(key["expires_at"].is_null());
  const auto list = call(*admin_, http::verb::get, "/api/v1/admin/keys");
  EXPECT_EQ(list.body().find(key["key"].get<std::string>()), std::string::npos);
  EXPECT_EQ(list.body().find("secret"), std::string::npos);
  const auto bad =
      call(*admin_, http::verb::post, "/api/v1/admin/keys", R"({"name":"x","role":"god"})");
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_EQ(call(*admin_, http::verb::delete_, "/api/v1/admin/keys/nobody").result_int(), 404);
}

// `chatbot keys` writes to the running server's database: a new key works on its first use, a
// revoked one stops within the ring's refresh interval (5 s).
TEST_F(AccessControlTest, TheSettingsViewShowsTheConfigurationButNoSecret) {
  const auto res = call(*admin_, http::verb::get, "/api/v1/admin/settings");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body().find(kAdminKey), std::string::npos);
  const json body = json::parse(res.body());  // named: a temporary's member would dangle
  std::map<std::string, json> by_name;
  for (const auto& s : body["settings"]) by_name[s["name"]] = s;
  const json& key = by_name["ADMIN_API_KEY"];
  EXPECT_EQ(key["value"], "********") << key.dump();
  EXPECT_EQ(key["secret"], true);
  EXPECT_EQ(key["changed"], true);
  const json& limit = by_name["RATE_LIMIT_CHAT_PER_MINUTE"];  // 0 in every test server
  EXPECT_EQ(limit["value"], "0") << limit.dump();
  EXPECT_EQ(limit["default"], "30");
  EXPECT_EQ(limit["changed"], true);
  EXPECT_EQ(limit["group"], "Identity and access");
  EXPECT_EQ(by_name["HOST"]["value"], "127.0.0.1");
  EXPECT_EQ(by_name["TICKET_WEBHOOK_SECRET"]["value"], "");
}

TEST_F(AccessControlTest, KeysFromTheCliWorkOnTheRunningServer) {
  const Env env = {{"DATA_DIR", (server_->dir() / "data").string()}};
  const auto [status, output] =
      runChatbot({"keys", "create", "--name", "cli-key", "--role", "agent"}, env);
  ASSERT_EQ(status, 0) << output;
  const std::string key = output.substr(output.rfind("cbk_"));
  const std::string secret = key.substr(0, key.find_first_of("\r\n"));
  const Caller cli = bearer("cli", secret);
  // At once, or (when another unknown key was tried within the last second) on a retry moments
  // later.
  int status_now = 0;
  for (int i = 0; i < 30 && status_now != 200; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status_now = call(cli, http::verb::get, "/api/v1/stats").result_int();
  }
  EXPECT_EQ(status_now, 200);
  const auto listed = runChatbot({"keys", "list"}, env);
  EXPECT_NE(listed.second.find("cli-key"), std::string::npos);
  EXPECT_EQ(listed.second.find(secret), std::string::npos);
  ASSERT_EQ(runChatbot({"keys", "revoke", "cli-key"}, env).first, 0);
  int status_after = 200;
  for (int i = 0; i < 100 && status_after == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status_after = call(cli, http::verb::get, "/api/v1/stats").result_int();
  }
  EXPECT_EQ(status_after, 401);
  EXPECT_EQ(runChatbot({"keys", "revoke", "no-such-key"}, env).first, 1);
}

TEST_F(AccessControlTest, TheOpenApiDocumentSaysWhoMayCallWhat) {
  const auto doc = json::parse(call(anonymous_, http::verb::get, "/openapi.json").body());
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("ApiKey"));
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("Bearer"));
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      EXPECT_TRUE(operation.contains("security")) << method << " " << path;
      EXPECT_TRUE(operation.contains("x-access")) << method << " " << path;
    }
  }
  EXPECT_EQ(doc["paths"]["/api/v1/stats"]["get"]["x-access"], "agent");
  EXPECT_EQ(doc["paths"]["/health"]["get"]["security"], json::array());
  EXPECT_EQ(doc["paths"]["/api/v1/chat/"]["post"]["security"][0], json::object());
}

// Writes by the desk and refusals are in the audit trail (admins only), with who, what and how.
TEST_F(AccessControlTest, WritesByTheDeskAndRefusalsAreAudited) {
  const auto opened = call(anonymous_, http::verb::post, "/api/v1/tickets",
                           R"({"description":"Audit me: printer offline"})");
  ASSERT_EQ(opened.result_int(), 201);
  const std::string path = "/api/v1/tickets/" + json::parse(opened.body())["id"].get<std::string>();
  ASSERT_EQ(call(*agent_, http::verb::patch, path, R"({"status":"in_progress"})").result_int(),
            200);
  ASSERT_EQ(call(*bob_, http::verb::get, "/api/v1/stats").result_int(), 403);
  EXPECT_EQ(call(*agent_, http::verb::get, "/api/v1/admin/audit").result_int(), 403);
  json entries;
  bool found_patch = false, found_refusal = false;
  for (int i = 0; i < 50 && !(found_patch && found_refusal); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    entries = json::parse(call(*admin_, http::verb::get, "/api/v1/admin/audit?limit=200").body());
    for (const auto& e : entries["entries"]) {
      if (e["target"] == path && e["action"] == "PATCH /api/v1/tickets/{ticket_id}") {
        found_patch = e["outcome"] == 200 && e["role"] == "agent" && e["actor_name"] == "desk";
      }
      if (e["action"] == "GET /api/v1/stats" && e["outcome"] == 403 && e["actor_name"] == "bob") {
        found_refusal = true;
      }
    }
  }
  EXPECT_TRUE(found_patch) << entries.dump(1);
  EXPECT_TRUE(found_refusal) << entries.dump(1);
  EXPECT_EQ(call(*admin_, http::verb::get, "/api/v1/admin/audit?limit=0").result_int(), 400);
}

TEST(ClosedChat, EveryRouteButThePublicOnesNeedsAnIdentity) {
  ServerProcess server({{"CHAT_ACCESS", "authenticated"}, {"ADMIN_API_KEY", kAdminKey}});
  HttpClient client(server.port());
  const auto refused = client.postJson("/api/v1/chat/", kQuestion);
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(json::parse(refused.body())["error"], "authentication_required");
  EXPECT_EQ(client.get("/api/v1/sessions/abc").result_int(), 401);
  for (const std::string open : {"/", "/health", "/openapi.json", "/docs"}) {
    EXPECT_EQ(client.get(open).result_int(), 200) << open;
  }
  const auto served =
      client.send(http::verb::post, "/api/v1/chat/", kQuestion,
                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + kAdminKey}});
  EXPECT_EQ(served.result_int(), 200) << served.body();
  const auto doc = json::parse(client.get("/openapi.json").body());
  EXPECT_NE(doc["paths"]["/api/v1/chat/"]["post"]["security"][0], json::object());
}

// Single sign-on end to end: tokens of a real (mock) OIDC provider, fetched over HTTP, against
// `chatbot serve` with OIDC_*: roles from groups, ownership by subject, refusals of bad tokens.
TEST(SingleSignOn, TokensOfTheProviderAreIdentitiesWithRolesFromGroups) {
  const std::string missing = MockOidcProvider::missingPrerequisite();
  if (!missing.empty()) FAIL() << missing;
  MockOidcProvider provider;
  ServerProcess server({{"CHAT_ACCESS", "authenticated"},
                        {"OIDC_ISSUER", provider.issuer()},
                        {"OIDC_AUDIENCE", "chatbot"},
                        {"OIDC_JWKS_URL", provider.jwksUrl()},
                        {"OIDC_AGENT_GROUPS", "it-support"}});
  const auto as = [&](const std::string& token) {
    return HttpClient(server.port(), {{"Authorization", "Bearer " + token}});
  };
  HttpClient jane =
      as(provider.token({{"aud", "chatbot"}, {"sub", "jane"}, {"groups", {"staff"}}}));
  HttpClient desk =
      as(provider.token({{"aud", "chatbot"}, {"sub", "sam"}, {"groups", {"staff", "it-support"}}}));
  const auto answer = jane.postJson("/api/v1/chat/", kQuestion);
  ASSERT_EQ(answer.result_int(), 200) << answer.body() << server.log();
  const std::string session = json::parse(answer.body())["session_id"];
  EXPECT_EQ(jane.get("/api/v1/sessions/" + session).result_int(), 200);
  EXPECT_EQ(desk.get("/api/v1/sessions/" + session).result_int(), 404);
  EXPECT_EQ(jane.get("/api/v1/stats").result_int(), 403);
  EXPECT_EQ(desk.get("/api/v1/stats").result_int(), 200);
  const auto ticket = jane.postJson("/api/v1/tickets", json{{"session_id", session}}.dump());
  ASSERT_EQ(ticket.result_int(), 201) << ticket.body();
  EXPECT_EQ(json::parse(ticket.body())["opened_by"], "oidc:jane");

  for (const json& claims : {json{{"aud", "another-service"}, {"sub", "jane"}},
                             json{{"aud", "chatbot"}, {"sub", "jane"}, {"exp_in", -600}}}) {
    const auto refused = as(provider.token(claims)).postJson("/api/v1/chat/", kQuestion);
    EXPECT_EQ(refused.result_int(), 401) << claims.dump();
    EXPECT_EQ(json::parse(refused.body())["error"], "invalid_token");
  }
  // A token whose signature was tampered with.
  std::string forged = provider.token({{"aud", "chatbot"}, {"sub", "jane"}});
  char& c = forged[forged.rfind('.') + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(as(forged).postJson("/api/v1/chat/", kQuestion).result_int(), 401);
}

// Rate limits: a caller's budget, the RateLimit fields, 429 with Retry-After; one flooding
// caller does not spend another's budget; behind a trusted proxy each forwarded client has its
// own, and X-Forwarded-For from anyone else is ignored.
TEST(RateLimits, OneCallersFloodLeavesOthersServed) {
  ServerProcess server({{"RATE_LIMIT_CHAT_PER_MINUTE", "3"}, {"TRUSTED_PROXIES", "127.0.0.1"}});
  HttpClient admin = server.adminClient();
  const auto key = json::parse(admin
                                   .send(http::verb::post, "/api/v1/admin/keys",
                                         R"({"name":"flooder","role":"employee"})",
                                         {{"Content-Type", "application/json"}})
                                   .body())["key"]
                       .get<std::string>();
  HttpClient flooder(server.port(), {{"Authorization", "Bearer " + key}});
  int served = 0, refused = 0;
  Response last;
  for (int i = 0; i < 20; ++i) {
    last = flooder.postJson("/api/v1/chat/", kQuestion);
    (last.result_int() == 200 ? served : refused) += 1;
  }
  EXPECT_EQ(served, 3);
  EXPECT_EQ(refused, 17);
  EXPECT_EQ(last.result_int(), 429);
  EXPECT_EQ(json::parse(last.body())["error"], "rate_limited");
  EXPECT_GE(std::stoi(std::string(last[http::field::retry_after])), 1);
  EXPECT_EQ(last["RateLimit-Policy"], "\"chat\";q=3;w=60");
  EXPECT_EQ(std::string(last["RateLimit"]).rfind("\"chat\";r=0;t=", 0), 0u) << last["RateLimit"];
  // Another identity, and the desk (10 times the quota), are unaffected.
  HttpClient other = server.adminClient();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(other.postJson("/api/v1/chat/", kQuestion).result_int(), 200) << i;
  }
  // Anonymous callers behind the trusted proxy: one bucket per forwarded address.
  HttpClient anonymous(server.port());
  const auto from = [&](const std::string& address) {
    return anonymous
        .send(http::verb::post, "/api/v1/chat/", kQuestion,
              {{"Content-Type", "application/json"}, {"X-Forwarded-For", address}})
        .result_int();
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(from("203.0.113.7"), 200);
  EXPECT_EQ(from("203.0.113.7"), 429);
  EXPECT_EQ(from("203.0.113.8"), 200);
  // A spoofed entry left of the proxy's own cannot buy a fresh budget.
  EXPECT_EQ(from("198.51.100.1, 203.0.113.7"), 429);
}

TEST(RateLimits, ForwardedForIsIgnoredFromUntrustedPeers) {
  ServerProcess server(Env{{"RATE_LIMIT_TICKETS_PER_HOUR", "1"}});
  HttpClient client(server.port());
  const auto open = [&](const std::string& address) {
    return client
        .send(http::verb::post, "/api/v1/tickets", R"({"description":"Printer offline"})",
              {{"Content-Type", "application/json"}, {"X-Forwarded-For", address}})
        .result_int();
  };
  EXPECT_EQ(open("203.0.113.1"), 201);
  EXPECT_EQ(open("203.0.113.2"), 429);  // same peer (127.0.0.1), same budget
}

}  // namespace
}  // namespace chatbot::testing
