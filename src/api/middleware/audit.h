#pragma once
// Records in the audit trail (auth::AuditLog) every write by an agent or admin, whatever its
// outcome, and every refused request (401, 403), with who, what (method and route), the path,
// the outcome, the client address and the request id. Reads are not audited: the access log has
// them.
//
// Thread-safety: immutable; the log is thread-safe.
#include <memory>
#include <string_view>

#include "api/pipeline.h"
#include "auth/audit_log.h"

namespace chatbot::api {

class Audit final : public Middleware {
 public:
  explicit Audit(std::shared_ptr<auth::AuditLog> log);
  void onFinished(const RequestSummary& request, unsigned status,
                  const http::RequestContext& context) const override;

  // Whether a finished request goes into the trail.
  static bool audited(std::string_view method, unsigned status, const auth::Identity& identity);

 private:
  const std::shared_ptr<auth::AuditLog> log_;
};

}  // namespace chatbot::api
