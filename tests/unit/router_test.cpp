// The HTTP router: methods, paths with and without a trailing slash, path parameters.
#include "http/router.h"

#include <gtest/gtest.h>

#include <vector>

namespace chatbot {
namespace {

TEST(Router, MatchesMethodsPathsAndParams) {
  http::Router router;
  int called = 0;
  router.add(http::Verb::post, "/api/v1/chat/", [&](const http::Request&, http::RequestContext&) {
    ++called;
    return http::Response{};
  });
  router.add(http::Verb::get, "/tickets/{id}",
             [](const http::Request&, http::RequestContext&) { return http::Response{}; });
  http::RequestContext c;
  EXPECT_NE(router.match(http::Verb::post, "/api/v1/chat", c).route, nullptr);
  EXPECT_NE(router.match(http::Verb::post, "/api/v1/chat/", c).route, nullptr);
  const auto wrong_method = router.match(http::Verb::get, "/api/v1/chat/", c);
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_exists);
  EXPECT_EQ(wrong_method.allowed, std::vector<http::Verb>{http::Verb::post});
  EXPECT_FALSE(router.match(http::Verb::get, "/api/v1/chatx", c).path_exists);
  EXPECT_NE(router.match(http::Verb::head, "/tickets/42", c).route, nullptr);
  EXPECT_EQ(c.path_params["id"], "42");
}

}  // namespace
}  // namespace chatbot
