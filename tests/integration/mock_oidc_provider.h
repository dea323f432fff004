#pragma once
// Test support: the mock OIDC provider of tests/oidc/mock_provider.mjs (oauth2-mock-server) on a
// free loopback port, with an HTTP client for its endpoints: tokens with chosen claims from its
// /token, key rotation through its test-only endpoints. Needs node and the npm package
// (scripts/setup.sh --test).
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "node_process.h"

namespace chatbot::testing {

inline const std::filesystem::path kOidcDir =
    std::filesystem::path(CHATBOT_REPO_DIR) / "tests" / "oidc";

// One running mock provider and an HTTP client for its endpoints.
class MockOidcProvider {
 public:
  explicit MockOidcProvider(const std::vector<std::string>& args = {})
      : process_(kOidcDir / "mock_provider.mjs", args),
        issuer_(process_.readLine(std::chrono::seconds(20))) {}

  // Why the provider cannot run here (what to install); empty when it can.
  static std::string missingPrerequisite() {
    if (!findNode()) {
      return "node is not on PATH, and the OIDC integration tests need it: scripts/setup.sh "
             "--test installs Node.js and the mock provider";
    }
    if (!std::filesystem::exists(kOidcDir / "node_modules" / "oauth2-mock-server" /
                                 "package.json")) {
      return "the mock OIDC provider's package is not installed: run scripts/setup.sh --test "
             "(npm ci in tests/oidc/)";
    }
    return {};
  }

  const std::string& issuer() const { return issuer_; }
  std::string jwksUrl() const { return issuer_ + "/jwks"; }

  // An access token from POST /token (client credentials) with `fields` as its extra claims.
  std::string token(nlohmann::json fields) {
    fields["grant_type"] = "client_credentials";
    return post("/token", fields).at("access_token").get<std::string>();
  }

  nlohmann::json post(const std::string& target,
                      const nlohmann::json& body = nlohmann::json::object()) {
    net::HttpRequest request;
    request.method = net::Method::kPost;
    request.url = issuer_ + target;
    request.headers = {"Content-Type: application/json"};
    request.body = body.dump();
    request.timeout = std::chrono::seconds(10);
    const net::HttpResponse response = client_.perform(request);
    if (response.status != 200) {
      throw std::runtime_error("POST " + target + " answered " + std::to_string(response.status) +
                               " " + response.body + response.error + "\n" + process_.errorLog());
    }
    return nlohmann::json::parse(response.body);
  }

 private:
  NodeProcess process_;
  std::string issuer_;
  net::HttpClient client_;
};

}  // namespace chatbot::testing
