// The router and the OpenAPI document must list the same routes, so the docs never drift.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/application.h"
#include "util/text.h"

namespace chatbot::api {
namespace {

std::string normalise(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

TEST(OpenApi, RouterAndSpecListTheSameRoutes) {
  config::Config config;
  config.api_v1_prefix = "/api/v9";  // the spec follows the configured prefix
  const Application app(config);
  std::set<std::string> routed;
  for (const auto& r : app.router().routes()) {
    routed.insert(util::asciiLower(std::string(http::beast_http::to_string(r.verb))) + " " +
                  normalise(r.pattern));
  }
  const auto spec = nlohmann::json::parse(app.openapiDocument());
  std::set<std::string> documented;
  for (const auto& [path, ops] : spec["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      documented.insert(method + " " + normalise(path));
      EXPECT_TRUE(op.contains("responses")) << method << " " << path;
    }
  }
  EXPECT_EQ(routed, documented);
  EXPECT_TRUE(documented.count("post /api/v9/chat"));
}

TEST(OpenApi, EveryErrorResponseUsesTheErrorSchema) {
  const Application app(config::Config{});
  const auto spec = nlohmann::json::parse(app.openapiDocument());
  for (const auto& [name, response] : spec["components"]["responses"].items()) {
    EXPECT_EQ(response["content"]["application/json"]["schema"]["$ref"],
              "#/components/schemas/Error")
        << name;
  }
}

}  // namespace
}  // namespace chatbot::api
