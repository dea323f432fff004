#pragma once
// The HTTP middleware pipeline: each request passes the middlewares in order, then its route; each
// reply passes them back in reverse order. Model: userver's middleware pipelines, with one change:
// a reply may be finished after the route returned (deferred answers, streams), on another
// thread, so a middleware's "after" half is a hook (onReply, onFinished) that the pipeline runs
// both for replies returned at once and for deferred ones (api::DeferredReply calls it), instead
// of code after a nested call.
//
// Errors: an ApiError (or any exception) thrown by a middleware's onRequest or by a route becomes
// the error reply here (error mapping; statuses come from api/errors.cpp), and still passes every
// onReply and onFinished, so error replies carry the same headers and log lines.
//
// Thread-safety: built before serving, then immutable; run() is called concurrently from the HTTP
// threads, finishReply()/finished() from whichever thread completes a deferred reply.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/router.h"
#include "http/types.h"

namespace chatbot::api {

// What the after-hooks know of a request. Copied out of the request because a deferred reply
// outlives it.
struct RequestSummary {
  std::string method;  // empty for a request the server could not parse
  std::string path;    // without the query string; empty when unparsed
  std::string origin;  // the Origin header; empty when absent
  unsigned version = 11;

  static RequestSummary of(const http::Request& request);
};

// "GET, HEAD, POST": the Allow header for a path's methods (HEAD is served by GET routes).
std::string allowHeader(const std::vector<http::Verb>& verbs);

class Middleware {
 public:
  virtual ~Middleware() = default;
  // Before the route, in pipeline order. A response returned here answers the request: the
  // middlewares after this one and the route do not run (every onReply still does).
  virtual std::optional<http::Response> onRequest(const http::Request& request,
                                                  http::RequestContext& context) const {
    (void)request;
    (void)context;
    return std::nullopt;
  }
  // On every reply about to be sent, in reverse pipeline order: one returned at once, a deferred
  // one when it is completed, the head of a stream, an error reply.
  virtual void onReply(const RequestSummary& request, http::Response& response,
                       const http::RequestContext& context) const {
    (void)request;
    (void)response;
    (void)context;
  }
  // Once per request, when its reply is finished (sent whole, stream ended or cut off).
  virtual void onFinished(const RequestSummary& request, unsigned status,
                          const http::RequestContext& context) const {
    (void)request;
    (void)status;
    (void)context;
  }
};

class Pipeline {
 public:
  Pipeline(std::vector<std::unique_ptr<Middleware>> middlewares, const http::Router& router);

  // Runs `request` through the middlewares and its route. When the route deferred its reply
  // (context.deferral->deferred()), the returned response is meaningless and the deferred reply
  // runs finishReply()/finished() itself.
  http::Response run(const http::Request& request, http::RequestContext& context) const;
  // The after-half for a reply: the headers the route left in context.reply_headers, then every
  // onReply (reverse order).
  void finishReply(const RequestSummary& request, http::Response& response,
                   const http::RequestContext& context) const;
  // Every onFinished.
  void finished(const RequestSummary& request, unsigned status,
                const http::RequestContext& context) const;

 private:
  http::Response route(const http::Request& request, http::RequestContext& context) const;

  std::vector<std::unique_ptr<Middleware>> middlewares_;
  const http::Router& router_;
};

}  // namespace chatbot::api
