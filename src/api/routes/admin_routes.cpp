#include "api/routes/admin_routes.h"

#include <limits>

#include "api/json_body.h"
#include "http/query_string.h"
#include "support/store_call.h"
#include "util/time.h"

namespace chatbot::api {

namespace {

nlohmann::json optionalTime(const std::optional<store::EpochMs>& ms) {
  return ms ? nlohmann::json(util::isoTimestampFromEpochMs(*ms)) : nlohmann::json(nullptr);
}

// POST /admin/keys: {"name", "role", "expires_in"?}.
auth::NewKeyRequest parseNewKey(const http::Request& request) {
  const auto body =
      parseJsonObject(request.body(), R"({"name": "helpdesk-portal", "role": "agent"})");
  auth::NewKeyRequest key;
  key.name = stringField(body, "name", 64).value_or("");
  if (key.name.empty()) invalidField("'name' is required: what the key is for or whose it is.");
  const auto role = auth::parseRole(stringField(body, "role", 16).value_or("employee"));
  if (!role) invalidField("'role' must be one of employee, agent, admin.");
  key.role = *role;
  if (const auto lifetime = stringField(body, "expires_in", 16)) {
    auto parsed = auth::parseLifetime(*lifetime);
    if (!parsed) invalidField("'expires_in': " + parsed.error().detail);
    key.expires_in = parsed.value();
  }
  return key;
}

// GET /admin/audit?limit=&before= (before: the `next` of an earlier page).
store::AuditQuery parseAuditQuery(std::string_view target) {
  const auto params = http::queryParameters(target);
  if (!params) invalidField("The query string is malformed (a bad %-escape).");
  store::AuditQuery query;
  const auto number = [](const std::string& name, const std::string& value, long long max) {
    const bool digits = !value.empty() && value.size() <= 18 &&
                        value.find_first_not_of("0123456789") == std::string::npos;
    const long long n = digits ? std::stoll(value) : 0;
    if (n < 1 || n > max) {
      invalidField("'" + name + "' must be an integer from 1 to " + std::to_string(max) +
                   "; got '" + value + "'.");
    }
    return n;
  };
  for (const auto& [name, value] : *params) {
    if (name == "limit") {
      query.limit = static_cast<std::size_t>(number(name, value, 200));
    } else if (name == "before") {
      query.before_id = number(name, value, std::numeric_limits<std::int64_t>::max());
    } else {
      invalidField("Unknown parameter '" + name + "'; use limit and before.");
    }
  }
  return query;
}

}  // namespace

nlohmann::json keyJson(const auth::KeyView& key, store::EpochMs now) {
  return {{"id", key.id},
          {"name", key.name},
          {"role", std::string(auth::toString(key.role))},
          {"state", std::string(key.state(now))},
          {"created_at", util::isoTimestampFromEpochMs(key.created_ms)},
          {"expires_at", optionalTime(key.expires_ms)},
          {"revoked_at", optionalTime(key.revoked_ms)},
          {"last_used_at", optionalTime(key.last_used_ms)}};
}

void AdminRoutes::addRoutes(RouteTable& routes) const {
  const std::string p = env_.config.api_v1_prefix + "/admin/keys";
  routes.add(http::Verb::get, p, Access::kAdmin, bindRoute(this, &AdminRoutes::listKeys));
  routes.add(http::Verb::post, p, Access::kAdmin, bindRoute(this, &AdminRoutes::createKey));
  routes.add(http::Verb::delete_, p + "/{key}", Access::kAdmin,
             bindRoute(this, &AdminRoutes::revokeKey));
  routes.add(http::Verb::get, env_.config.api_v1_prefix + "/admin/audit", Access::kAdmin,
             bindRoute(this, &AdminRoutes::audit));
  routes.add(http::Verb::get, env_.config.api_v1_prefix + "/admin/settings", Access::kAdmin,
             bindRoute(this, &AdminRoutes::settings));
}

const auth::KeyService& AdminRoutes::keys() const {
  env_.requireSupport();
  if (!env_.services.keys) {
    throw ApiError({ErrorKind::kStorageUnavailable, "storage_unavailable",
                    "API keys need a database, and this server runs without one."});
  }
  return *env_.services.keys;
}

http::Response AdminRoutes::listKeys(const http::Request& request,
                                     http::RequestContext& context) const {
  const auto& service = keys();
  return env_.offload<std::vector<auth::KeyView>>(
      request, context, [&service] { return service.list(); },
      [](std::vector<auth::KeyView>& list, unsigned version) {
        const store::EpochMs now = util::epochMsNow();
        nlohmann::json items = nlohmann::json::array();
        for (const auto& key : list) items.push_back(keyJson(key, now));
        return jsonResponse(http::Status::ok, {{"keys", std::move(items)}}, version);
      });
}

http::Response AdminRoutes::createKey(const http::Request& request,
                                      http::RequestContext& context) const {
  const auth::NewKeyRequest key = parseNewKey(request);
  const auto& service = keys();
  const auto ring = env_.services.key_ring;
  const std::string location = env_.config.api_v1_prefix + "/admin/keys/";
  return env_.offload<auth::CreatedKey>(
      request, context,
      [&service, ring, key] {
        auto created = service.create(key, util::epochMsNow());
        if (created && ring) ring->reload();
        return created;
      },
      [location](auth::CreatedKey& created, unsigned version) {
        nlohmann::json body = keyJson(created.key, util::epochMsNow());
        body["key"] = created.secret_key;  // the only time it is shown
        auto res = jsonResponse(http::Status::created, body, version);
        res.set(http::beast_http::field::location, location + created.key.id);
        return res;
      });
}

http::Response AdminRoutes::revokeKey(const http::Request& request,
                                      http::RequestContext& context) const {
  const std::string id_or_name = context.path_params.at("key");
  const auto& service = keys();
  const auto ring = env_.services.key_ring;
  return env_.offload<auth::KeyView>(
      request, context,
      [&service, ring, id_or_name] {
        auto revoked = service.revoke(id_or_name, util::epochMsNow());
        if (revoked && ring) ring->reload();
        return revoked;
      },
      [](auth::KeyView& key, unsigned version) {
        return jsonResponse(http::Status::ok, keyJson(key, util::epochMsNow()), version);
      });
}

http::Response AdminRoutes::audit(const http::Request& request,
                                  http::RequestContext& context) const {
  const store::AuditQuery query = parseAuditQuery(request.target());
  env_.requireSupport();
  const auto store = env_.services.access_store;
  if (!store) {
    throw ApiError({ErrorKind::kStorageUnavailable, "storage_unavailable",
                    "The audit trail needs a database, and this server runs without one."});
  }
  return env_.offload<store::AuditPage>(
      request, context,
      [store, query]() -> Result<store::AuditPage> {
        return support::storeCall(
            "audit", [&]() -> Result<store::AuditPage> { return store->audit(query); });
      },
      [](store::AuditPage& page, unsigned version) {
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& e : page.entries) entries.push_back(auth::auditEntryJson(e));
        nlohmann::json next =
            page.next_before_id ? nlohmann::json(*page.next_before_id) : nlohmann::json(nullptr);
        return jsonResponse(http::Status::ok, {{"entries", std::move(entries)}, {"next", next}},
                            version);
      });
}

// GET /admin/settings: what the server runs with, read from its own Config (so it is what was
// loaded at start, not what .env says now). Secrets show only whether they are set.
http::Response AdminRoutes::settings(const http::Request& request, http::RequestContext&) const {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& view : config::describeSettings(env_.config)) {
    const config::Setting& s = *view.setting;
    items.push_back({{"name", s.name},
                     {"group", std::string(config::title(s.subsystem))},
                     {"value", view.value},
                     {"default", s.default_value},
                     {"changed", !view.is_default},
                     {"secret", s.secret},
                     {"description", s.description}});
  }
  return jsonResponse(http::Status::ok, {{"settings", std::move(items)}}, request.version());
}

}  // namespace chatbot::api
