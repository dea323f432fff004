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

// What the reference API's health replies say about its models, from what serves now: /health's
// `models_loaded` and /chat/health's `details`. All false until the index is open.
struct LoadedModels {
  bool database = false;    // the knowledge-base index is open (the reference's vector database)
  bool embeddings = false;  // an embedding model serves dense retrieval
  bool llm = false;         // a chat model generates the answers
  // The index is open and every configured model (EMBEDDING_MODEL, and LLM_MODEL_ID unless
  // "none") is in use: none failed to load and left the extractive or lexical default serving.
  bool configured = false;
};
LoadedModels loadedModels(const ServingState& serving);

}  // namespace chatbot::api
