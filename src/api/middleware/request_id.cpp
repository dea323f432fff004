#include "api/middleware/middlewares.h"
#include "util/ids.h"

namespace chatbot::api {

std::optional<http::Response> RequestId::onRequest(const http::Request& request,
                                                   http::RequestContext& context) const {
  // A client's own id is kept when it is safe to log and echo, so its traces line up with ours.
  const auto supplied = request["X-Request-ID"];
  context.request_id =
      util::isAcceptableRequestId(supplied) ? std::string(supplied) : util::newUuid();
  return std::nullopt;
}

void RequestId::onReply(const RequestSummary&, http::Response& response,
                        const http::RequestContext& context) const {
  response.set("X-Request-ID", context.request_id);
}

}  // namespace chatbot::api
