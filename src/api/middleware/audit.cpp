#include "api/middleware/audit.h"

#include "util/time.h"

namespace chatbot::api {

namespace {

bool isWrite(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS" && !method.empty();
}

}  // namespace

Audit::Audit(std::shared_ptr<auth::AuditLog> log) : log_(std::move(log)) {}

bool Audit::audited(std::string_view method, unsigned status, const auth::Identity& identity) {
  if (status == 401 || status == 403) return true;
  return isWrite(method) && identity.atLeast(auth::Role::kAgent);
}

void Audit::onFinished(const RequestSummary& request, unsigned status,
                       const http::RequestContext& context) const {
  if (!audited(request.method, status, context.identity)) return;
  const auth::Identity& who = context.identity;
  store::AuditEntry entry;
  entry.at_ms = util::epochMsNow();
  entry.actor = who.subject;
  entry.actor_name = who.display_name;
  entry.role = who.authenticated() ? std::string(auth::toString(who.role)) : "anonymous";
  entry.action = request.method + " ";
  entry.action += context.route.empty() ? std::string_view(request.path) : context.route;
  entry.target = request.path;
  entry.outcome = static_cast<int>(status);
  entry.remote = context.remote_address;
  entry.request_id = context.request_id;
  log_->record(std::move(entry));
}

}  // namespace chatbot::api
