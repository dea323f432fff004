// The HTTP middleware pipeline: order of the hooks, short-circuits, error mapping, and the
// standard middlewares (request id, security headers, CORS), on a real router.
#include "api/pipeline.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/application.h"
#include "api/errors.h"
#include "api/middleware/middlewares.h"
#include "http/pending_response.h"

namespace chatbot::api {
namespace {

using field = http::beast_http::field;

// Records the order in which its hooks run, by appending its name to a shared trace.
class Tracing final : public Middleware {
 public:
  Tracing(std::string name, std::vector<std::string>& trace, bool answers = false)
      : name_(std::move(name)), trace_(trace), answers_(answers) {}
  std::optional<http::Response> onRequest(const http::Request&,
                                          http::RequestContext&) const override {
    trace_.push_back(name_ + ".request");
    if (answers_) return http::Response{http::Status::too_many_requests, 11};
    return std::nullopt;
  }
  void onReply(const RequestSummary&, http::Response& response,
               const http::RequestContext&) const override {
    trace_.push_back(name_ + ".reply");
    response.set("X-Seen-By-" + name_, "1");
  }
  void onFinished(const RequestSummary&, unsigned status,
                  const http::RequestContext&) const override {
    trace_.push_back(name_ + ".finished:" + std::to_string(status));
  }

 private:
  std::string name_;
  std::vector<std::string>& trace_;
  bool answers_;
};

http::Request request(http::Verb verb, std::string target) {
  http::Request r{verb, target, 11};
  return r;
}

// Runs one request through `pipeline` as the Application does with an immediate reply.
http::Response serve(const Pipeline& pipeline, const http::Request& r) {
  http::RequestContext context;
  auto response = pipeline.run(r, context);
  const auto summary = RequestSummary::of(r);
  pipeline.finishReply(summary, response, context);
  pipeline.finished(summary, response.result_int(), context);
  return response;
}

struct PipelineTest : ::testing::Test {
  PipelineTest() {
    router.add(http::Verb::get, "/ok", [](const http::Request&, http::RequestContext&) {
      return http::Response{http::Status::ok, 11};
    });
    router.add(http::Verb::get, "/missing", [](const http::Request&, http::RequestContext&) {
      throw ApiError(Error::notFound("thing_not_found", "No such thing."));
      return http::Response{};
    });
    router.add(http::Verb::get, "/bug", [](const http::Request&, http::RequestContext&) {
      throw std::runtime_error("secret internals");
      return http::Response{};
    });
  }
  Pipeline tracing(bool second_answers = false) {
    std::vector<std::unique_ptr<Middleware>> m;
    m.push_back(std::make_unique<Tracing>("a", trace));
    m.push_back(std::make_unique<Tracing>("b", trace, second_answers));
    return Pipeline(std::move(m), router);
  }
  http::Router router;
  std::vector<std::string> trace;
};

TEST_F(PipelineTest, RequestHooksRunInOrderAndReplyHooksInReverse) {
  const auto pipeline = tracing();
  const auto res = serve(pipeline, request(http::Verb::get, "/ok"));
  EXPECT_EQ(res.result(), http::Status::ok);
  EXPECT_EQ(trace, (std::vector<std::string>{"a.request", "b.request", "b.reply", "a.reply",
                                             "a.finished:200", "b.finished:200"}));
}

TEST_F(PipelineTest, AMiddlewareThatAnswersSkipsTheRestButEveryReplyHookRuns) {
  const auto pipeline = tracing(/*second_answers=*/true);
  const auto res = serve(pipeline, request(http::Verb::get, "/ok"));
  EXPECT_EQ(res.result(), http::Status::too_many_requests);
  EXPECT_EQ(trace, (std::vector<std::string>{"a.request", "b.request", "b.reply", "a.reply",
                                             "a.finished:429", "b.finished:429"}));
  EXPECT_EQ(res["X-Seen-By-a"], "1");
}

TEST_F(PipelineTest, ErrorsBecomeTheErrorFormatAndPassTheReplyHooks) {
  const auto pipeline = tracing();
  const auto res = serve(pipeline, request(http::Verb::get, "/missing"));
  EXPECT_EQ(res.result(), http::Status::not_found);
  const auto body = nlohmann::json::parse(res.body());
  EXPECT_EQ(body["error"], "thing_not_found");
  EXPECT_EQ(body["detail"], "No such thing.");
  EXPECT_EQ(res["X-Seen-By-b"], "1");

  const auto bug = serve(pipeline, request(http::Verb::get, "/bug"));
  EXPECT_EQ(bug.result(), http::Status::internal_server_error);
  EXPECT_EQ(bug.body().find("secret"), std::string::npos) << "internals never reach clients";
  EXPECT_EQ(nlohmann::json::parse(bug.body())["error"], "internal_error");
}

TEST_F(PipelineTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  const auto pipeline = tracing();
  EXPECT_EQ(serve(pipeline, request(http::Verb::get, "/nope")).result(), http::Status::not_found);
  const auto res = serve(pipeline, request(http::Verb::post, "/ok?x=1"));
  EXPECT_EQ(res.result(), http::Status::method_not_allowed);
  EXPECT_EQ(res[field::allow], "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(res.body())["error"], "method_not_allowed");
}

TEST_F(PipelineTest, StandardMiddlewaresAddIdsSecurityHeadersAndCors) {
  config::Config config;
  config.cors_origins = {"https://portal.example.com"};
  const Pipeline pipeline(standardMiddlewares(config, router), router);
  auto r = request(http::Verb::get, "/missing");
  r.set(field::origin, "https://portal.example.com");
  r.set("X-Request-ID", "client-id-1");
  const auto res = serve(pipeline, r);
  EXPECT_EQ(res["X-Request-ID"], "client-id-1");
  EXPECT_EQ(nlohmann::json::parse(res.body())["request_id"], "client-id-1");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(res[field::cache_control], "no-store");
  EXPECT_EQ(res[field::access_control_allow_origin], "https://portal.example.com");

  auto other = request(http::Verb::get, "/ok");
  other.set(field::origin, "https://evil.example.com");
  EXPECT_EQ(serve(pipeline, other).count(field::access_control_allow_origin), 0u);
}

TEST_F(PipelineTest, CorsAnswersPreflightsAndRefusesOriginsNotAllowed) {
  config::Config config;
  config.cors_origins = {"https://portal.example.com"};
  const Pipeline pipeline(standardMiddlewares(config, router), router);
  auto preflight = request(http::Verb::options, "/ok");
  preflight.set(field::origin, "https://portal.example.com");
  preflight.set(field::access_control_request_method, "GET");
  const auto ok = serve(pipeline, preflight);
  EXPECT_EQ(ok.result(), http::Status::no_content);
  EXPECT_EQ(ok[field::access_control_allow_methods], "GET, HEAD, OPTIONS");

  preflight.set(field::origin, "https://evil.example.com");
  const auto refused = serve(pipeline, preflight);
  EXPECT_EQ(refused.result(), http::Status::forbidden);
  EXPECT_EQ(nlohmann::json::parse(refused.body())["error"], "cors_origin_not_allowed");
  EXPECT_EQ(serve(pipeline, request(http::Verb::options, "/nope")).result(),
            http::Status::not_found);
}

// Answers at once only: a handler that tries to defer fails the test.
class NoDeferral final : public http::Deferral {
 protected:
  std::shared_ptr<http::PendingResponse> makePending() override {
    ADD_FAILURE() << "the handler deferred its reply";
    return nullptr;
  }
};

// An Application built without a database (library use) refuses the routes that need one with
// 503 storage_unavailable, rather than dereferencing services it was not given. (The desk's
// routes refuse an anonymous caller first: 401.)
TEST(ApplicationWithoutDatabase, RoutesThatNeedOneAnswerStorageUnavailable) {
  Application app(config::Config{});
  const http::ConnectionInfo connection{"127.0.0.1"};
  for (const auto& [verb, target] : std::vector<std::pair<http::Verb, std::string>>{
           {http::Verb::get, "/api/v1/tickets/IT-1"},
           {http::Verb::get, "/api/v1/sessions/abc"},
           {http::Verb::delete_, "/api/v1/sessions/abc"}}) {
    NoDeferral deferral;
    const auto res = app.handle(request(verb, target), connection, deferral);
    EXPECT_EQ(res.result(), http::Status::service_unavailable) << target;
    EXPECT_EQ(nlohmann::json::parse(res.body())["error"], "storage_unavailable") << target;
  }
}

TEST(ErrorMapping, EveryKindHasItsStatus) {
  EXPECT_EQ(httpStatus(ErrorKind::kInvalidInput), http::Status::bad_request);
  EXPECT_EQ(httpStatus(ErrorKind::kUnsupportedMediaType), http::Status::unsupported_media_type);
  EXPECT_EQ(httpStatus(ErrorKind::kUnauthenticated), http::Status::unauthorized);
  EXPECT_EQ(httpStatus(ErrorKind::kForbidden), http::Status::forbidden);
  EXPECT_EQ(httpStatus(ErrorKind::kRateLimited), http::Status::too_many_requests);
  EXPECT_EQ(httpStatus(ErrorKind::kNotFound), http::Status::not_found);
  EXPECT_EQ(httpStatus(ErrorKind::kMethodNotAllowed), http::Status::method_not_allowed);
  EXPECT_EQ(httpStatus(ErrorKind::kNotReady), http::Status::service_unavailable);
  EXPECT_EQ(httpStatus(ErrorKind::kOverloaded), http::Status::service_unavailable);
  EXPECT_EQ(httpStatus(ErrorKind::kStorageUnavailable), http::Status::service_unavailable);
  EXPECT_EQ(httpStatus(ErrorKind::kInternal), http::Status::internal_server_error);
  const auto res = errorResponse(Error::overloaded(), "rid");
  EXPECT_EQ(res[field::retry_after], "2");
  EXPECT_EQ(nlohmann::json::parse(res.body())["error"], "overloaded");
}

}  // namespace
}  // namespace chatbot::api
