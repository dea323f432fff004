#pragma once
// {prefix}/admin/keys: API keys for admins (list, create, revoke), the same operations as
// `chatbot keys`; {prefix}/admin/audit: the audit trail, newest first; {prefix}/admin/settings:
// the effective configuration with secrets masked (`chatbot config --show`). The secret of a new
// key is in the create reply only; lists never show it. Changes reload the server's key ring at
// once (a revoked key stops working with the reply).
#include "api/routes/route_module.h"

namespace chatbot::api {

class AdminRoutes final : public RouteModule {
 public:
  explicit AdminRoutes(const RouteEnv& env) : env_(env) {}
  void addRoutes(RouteTable& routes) const override;

 private:
  http::Response listKeys(const http::Request& request, http::RequestContext& context) const;
  http::Response createKey(const http::Request& request, http::RequestContext& context) const;
  http::Response revokeKey(const http::Request& request, http::RequestContext& context) const;
  http::Response audit(const http::Request& request, http::RequestContext& context) const;
  http::Response settings(const http::Request& request, http::RequestContext& context) const;
  // The key service, or ApiError 503 without a database.
  const auth::KeyService& keys() const;

  const RouteEnv& env_;
};

// A key as the admin API and `chatbot keys list --json` show it (never the secret).
nlohmann::json keyJson(const auth::KeyView& key, store::EpochMs now);

}  // namespace chatbot::api
