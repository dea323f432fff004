#pragma once
// GET /health: one entry per component, each built from that component's own status(), and an
// overall status (unavailable if any component is starting or unavailable, degraded if any is).
#include <nlohmann/json.hpp>

#include "api/serving_state.h"
#include "config/config.h"
#include "support/storage_guard.h"
#include "support/support_service.h"

namespace chatbot::api {

struct HealthSources {
  const config::Config& config;
  const ServingState& serving;
  const support::SupportService* support;  // null without a database
  const support::StorageGuard* storage;    // null without a database
  std::string lexical_engine;              // what retrieval is before the index is open
};

// {"knowledge_base", "retriever", "generator", "database"?} components.
nlohmann::json healthComponents(const HealthSources& sources);
// "ok", "degraded" or "unavailable" over the components.
std::string overallStatus(const nlohmann::json& components);
// What the generator is and how busy it is; model engines add context size, slots and queue.
nlohmann::json generatorState(const rag::Generator& generator);

}  // namespace chatbot::api
