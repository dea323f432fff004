// The OpenAPI document's security: schemes, and per operation who may call it, from the route
// table the server enforces (api/routes/route_table.h).
#include <nlohmann/json.hpp>

#include "api/routes/system_routes.h"
#include "util/text.h"

namespace chatbot::api {

namespace {

std::string withoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

nlohmann::json securitySchemes() {
  return {
      {"ApiKey",
       {{"type", "apiKey"},
        {"in", "header"},
        {"name", "X-API-Key"},
        {"description", "An API key (cbk_...) from `chatbot keys create` or ADMIN_API_KEY."}}},
      {"Bearer",
       {{"type", "http"},
        {"scheme", "bearer"},
        {"description",
         "An API key, or an access token (JWT) from the OIDC provider when OIDC is configured."}}},
  };
}

// The `security` of an operation: [] for public ones; an empty requirement ({}) first where
// anonymous callers are let in, so clients know credentials are optional there.
nlohmann::json securityOf(Access access, bool open_chat) {
  if (access == Access::kPublic) return nlohmann::json::array();
  nlohmann::json any = nlohmann::json::array();
  if (access == Access::kCaller && open_chat) any.push_back(nlohmann::json::object());
  any.push_back({{"ApiKey", nlohmann::json::array()}});
  any.push_back({{"Bearer", nlohmann::json::array()}});
  return any;
}

std::string roleNote(Access access, bool open_chat) {
  switch (access) {
    case Access::kPublic:
      return "Access: anyone.";
    case Access::kCaller:
      return open_chat ? "Access: anyone (CHAT_ACCESS=open); what a caller sees is their own."
                       : "Access: any identity; what a caller sees is their own.";
    case Access::kIdentified:
      return "Access: any identity (employee, agent, admin).";
    case Access::kAgent:
      return "Access: agents and admins.";
    case Access::kAdmin:
      return "Access: admins.";
  }
  return "";
}

void annotate(nlohmann::json& operation, Access access, bool open_chat) {
  operation["security"] = securityOf(access, open_chat);
  operation["x-access"] = std::string(toString(access));
  const std::string note = roleNote(access, open_chat);
  const std::string description = operation.value("description", "");
  operation["description"] = description.empty() ? note : description + "\n\n" + note;
  if (access == Access::kPublic) return;
  auto& responses = operation["responses"];
  responses["401"] = {{"$ref", "#/components/responses/Unauthorized"}};
  if (access == Access::kAgent || access == Access::kAdmin) {
    responses["403"] = {{"$ref", "#/components/responses/Forbidden"}};
  }
}

}  // namespace

std::string withSecurity(const std::string& document, const std::vector<RouteSpec>& routes,
                         bool open_chat) {
  nlohmann::json doc = nlohmann::json::parse(document);
  doc["components"]["securitySchemes"] = securitySchemes();
  auto& paths = doc["paths"];
  for (const auto& route : routes) {
    const std::string method = util::asciiLower(http::beast_http::to_string(route.verb));
    for (auto& [path, operations] : paths.items()) {
      if (withoutTrailingSlash(path) != withoutTrailingSlash(route.pattern)) continue;
      if (operations.contains(method)) annotate(operations[method], route.access, open_chat);
    }
  }
  return doc.dump(2);
}

}  // namespace chatbot::api
