#include "api/middleware/middlewares.h"
#include "observability/log.h"
#include "util/time.h"

namespace chatbot::api {

void AccessLog::onFinished(const RequestSummary& request, unsigned status,
                           const http::RequestContext& context) const {
  const auto level = status >= 500 ? log::Level::kError : log::Level::kInfo;
  if (!log::enabled(level)) return;
  nlohmann::json fields = {{"request_id", context.request_id},
                           {"status", status},
                           {"duration_ms", util::millisSince(context.received_at)},
                           {"remote", context.remote_address}};
  if (!request.method.empty()) fields["method"] = request.method;
  if (!request.path.empty()) fields["path"] = request.path;
  if (!context.stage_ms.empty()) fields["stages_ms"] = context.stage_ms;
  if (!context.redacted.empty()) fields["redacted"] = context.redacted;
  if (context.client_gone) fields["client_gone"] = true;
  if (!context.stream_error.empty()) fields["stream_error"] = context.stream_error;
  log::write(level, "http.request", fields);
}

}  // namespace chatbot::api
