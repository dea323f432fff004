// `chatbot keys create|list|revoke`: API keys in the server's database (auth::KeyService).
#include <cstdio>
#include <iostream>

#include "api/routes/admin_routes.h"
#include "app/engines.h"
#include "auth/api_keys.h"
#include "cli/commands.h"
#include "observability/log.h"
#include "util/time.h"

namespace chatbot::cli {

namespace {

// The key service over the configured database, or nullopt after printing why there is none.
std::optional<auth::KeyService> keyService(const CommonFlags& flags) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return std::nullopt;
  log::init(std::max(config->log_level, config::LogLevel::kWarning));
  auto stores = app::makeStores(*config);
  if (!stores) {
    std::cerr << "chatbot keys: " << stores.error().detail << "\n";
    return std::nullopt;
  }
  return auth::KeyService(stores->access);
}

std::string timeOrDash(const std::optional<store::EpochMs>& ms) {
  return ms ? util::isoTimestampFromEpochMs(*ms) : std::string("-");
}

}  // namespace

int runKeysCreate(const CommonFlags& flags, const KeysCreateFlags& create) {
  const auto service = keyService(flags);
  if (!service) return 2;
  auth::NewKeyRequest request;
  request.name = create.name;
  request.role = auth::parseRole(create.role).value_or(auth::Role::kEmployee);
  if (!create.expires.empty()) {
    auto lifetime = auth::parseLifetime(create.expires);
    if (!lifetime) {
      std::cerr << "chatbot keys create: --expires: " << lifetime.error().detail << "\n";
      return 2;
    }
    request.expires_in = lifetime.value();
  }
  const auto created = service->create(request, util::epochMsNow());
  if (!created) {
    std::cerr << "chatbot keys create: " << created.error().detail << "\n";
    return created.error().kind == ErrorKind::kInvalidInput ? 2 : 1;
  }
  const auto& key = created->key;
  std::cout << "created key " << key.id << " '" << key.name << "' (" << auth::toString(key.role)
            << ", expires " << timeOrDash(key.expires_ms) << ")\n"
            << "It is shown only now: store it in a secret manager. Clients send it as\n"
            << "'Authorization: Bearer <key>' or 'X-API-Key: <key>'.\n"
            << created->secret_key << "\n";
  return 0;
}

int runKeysList(const CommonFlags& flags, const KeysListFlags& list) {
  const auto service = keyService(flags);
  if (!service) return 2;
  const auto keys = service->list();
  if (!keys) {
    std::cerr << "chatbot keys list: " << keys.error().detail << "\n";
    return 1;
  }
  const store::EpochMs now = util::epochMsNow();
  if (list.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& key : keys.value()) out.push_back(api::keyJson(key, now));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-12s %-24s %-8s %-7s %-24s %-24s\n", "ID", "NAME", "ROLE", "STATE", "EXPIRES",
              "LAST USED");
  for (const auto& key : keys.value()) {
    std::printf("%-12s %-24s %-8s %-7s %-24s %-24s\n", key.id.c_str(), key.name.c_str(),
                std::string(auth::toString(key.role)).c_str(), std::string(key.state(now)).c_str(),
                timeOrDash(key.expires_ms).c_str(), timeOrDash(key.last_used_ms).c_str());
  }
  if (keys->empty()) std::printf("(no keys yet: `chatbot keys create --name NAME --role ROLE`)\n");
  return 0;
}

int runKeysRevoke(const CommonFlags& flags, const std::string& id_or_name) {
  const auto service = keyService(flags);
  if (!service) return 2;
  const auto revoked = service->revoke(id_or_name, util::epochMsNow());
  if (!revoked) {
    std::cerr << "chatbot keys revoke: " << revoked.error().detail << "\n";
    return 1;
  }
  std::cout << "revoked key " << revoked->id << " '" << revoked->name << "' at "
            << timeOrDash(revoked->revoked_ms) << "\n";
  return 0;
}

}  // namespace chatbot::cli
