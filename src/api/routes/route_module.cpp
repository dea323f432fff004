#include "api/routes/route_module.h"

#include "api/deferred_reply.h"
#include "observability/log.h"

namespace chatbot::api {

http::Response jsonResponse(http::Status status, const nlohmann::json& body, unsigned version) {
  http::Response res{status, version};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

std::shared_ptr<DeferredReply> RouteEnv::defer(const http::Request& request,
                                               http::RequestContext& context) const {
  return DeferredReply::defer(pipeline, request, context);
}

const support::SupportService& RouteEnv::requireSupport() const {
  // The three come together from app::makeSupportServices; one missing is the same as none, so
  // the route modules may dereference conversations and tickets after this check.
  if (!services.support || !services.conversations || !services.tickets) {
    throw ApiError({ErrorKind::kStorageUnavailable, "storage_unavailable",
                    "Conversations, feedback and tickets need a database, and this server runs "
                    "without one."});
  }
  return *services.support;
}

void RouteEnv::admitWrite() const {
  if (!services.storage) return;
  auto admitted = services.storage->admitWrite();
  if (!admitted) throw ApiError(std::move(admitted).error());
}

void RouteEnv::logUnexpected(const http::RequestContext& context, const std::exception& e) {
  log::error("http.unhandled_exception", {{"request_id", context.request_id}, {"error", e.what()}});
}

}  // namespace chatbot::api
