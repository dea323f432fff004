#include "api/health.h"

#include "util/time.h"

namespace chatbot::api {

namespace {

// A configured model that is not in use leaves its component degraded, with the reason (which
// names the command that fixes it) and what serves instead.
void markUnavailableModel(nlohmann::json& component, const std::string& setting,
                          const std::string& configured, const std::string& problem,
                          const char* fallback_kind) {
  component["configured_model"] = configured;
  if (problem.empty()) return;
  component["status"] = "degraded";
  component["reason"] = setting + "=" + configured + " is not in use: " + problem;
  component["fallback"] = fallback_kind;
}

nlohmann::json knowledgeBaseState(const ingest::IndexInfo& info) {
  nlohmann::json kb = {{"status", "ok"},
                       {"articles", info.articles},
                       {"files", info.files},
                       {"index", info.index_dir.filename().string()},
                       {"built_at", info.built_at},
                       {"problems", info.problems.size()}};
  if (!info.problems.empty()) {
    kb["status"] = "degraded";
    kb["reason"] = std::to_string(info.problems.size()) +
                   " knowledge-base file(s) could not be loaded; run `chatbot ingest` to see them.";
  }
  return kb;
}

nlohmann::json retrieverState(const rag::ChatService& service, const config::Config& config) {
  nlohmann::json retriever = {
      {"status", "ok"}, {"kind", service.retriever().name()}, {"dense", "disabled"}};
  const auto& parts = service.parts();
  if (parts.embedder) {
    const auto e = parts.embedder->status();
    retriever["dense"] = {{"model", e.model},
                          {"dimension", e.dimension},
                          {"pooling", e.pooling},
                          {"context", e.context},
                          {"queue_depth", e.queue_depth}};
  }
  markUnavailableModel(retriever, "EMBEDDING_MODEL", config.embedding_model,
                       parts.embedding_problem, "lexical");
  return retriever;
}

// How storing answers goes. Every chat answer is committed before it is sent, so a store that
// refuses writes turns chat replies into 503s: degraded, with what to check.
nlohmann::json databaseState(const support::WriterStatus& w) {
  nlohmann::json out = {{"status", w.last_commit_failed ? "degraded" : "ok"},
                        {"pending_writes", w.queued},
                        {"stored", w.committed},
                        {"failed", w.failed}};
  if (w.last_failure_ms > 0) {
    out["last_failure_at"] = util::isoTimestampFromEpochMs(w.last_failure_ms);
  }
  if (w.last_commit_failed) {
    out["reason"] =
        "The latest answer could not be stored, so chat requests answer 503 until the database "
        "accepts writes again. Check the server log (store.exchange_failed), free disk space, the "
        "permissions of DATABASE_PATH, and whether another program holds the database locked.";
  }
  return out;
}

// How much room the database has; a warning or a refusal makes the database degraded, with why.
void addStorage(nlohmann::json& database, const support::StorageReport& r) {
  constexpr std::uint64_t kMb = 1024 * 1024;
  nlohmann::json storage = {{"database_mb", r.database_bytes / kMb}};
  if (r.free_bytes != UINT64_MAX) storage["disk_free_mb"] = r.free_bytes / kMb;
  if (r.limits.max_database_bytes > 0) {
    storage["max_database_mb"] = r.limits.max_database_bytes / kMb;
  }
  if (r.limits.min_free_bytes > 0) storage["min_free_disk_mb"] = r.limits.min_free_bytes / kMb;
  storage["state"] = r.state == support::StorageState::kFull      ? "full"
                     : r.state == support::StorageState::kWarning ? "warning"
                                                                  : "ok";
  database["storage"] = std::move(storage);
  if (r.state == support::StorageState::kOk) return;
  database["status"] = "degraded";
  // A failing commit says more about why chat answers 503 than the room left.
  if (!database.contains("reason")) database["reason"] = r.reason;
}

// Before the index is open every component reports the start-up state (or its failure).
nlohmann::json startingComponents(const HealthSources& sources) {
  const std::string failed = sources.serving.failure();
  nlohmann::json kb = {{"status", failed.empty() ? "starting" : "unavailable"}};
  if (!failed.empty()) kb["reason"] = failed;
  nlohmann::json retriever = {
      {"status", kb["status"]}, {"kind", sources.lexical_engine}, {"dense", "disabled"}};
  nlohmann::json generator = {{"status", kb["status"]}, {"kind", "extractive"}, {"model", "none"}};
  return {{"knowledge_base", kb}, {"retriever", retriever}, {"generator", generator}};
}

}  // namespace

nlohmann::json generatorState(const rag::Generator& generator) {
  const auto g = generator.status();
  nlohmann::json out = {{"kind", g.kind}, {"model", g.model}};
  if (g.slots > 0) {
    out["context"] = g.context;
    out["slots"] = g.slots;
    out["slots_busy"] = g.slots_busy;
    out["queue_depth"] = g.queue_depth;
    out["queue_capacity"] = g.queue_capacity;
  }
  return out;
}

nlohmann::json healthComponents(const HealthSources& sources) {
  const auto service = sources.serving.service();
  nlohmann::json components;
  if (service) {
    components["knowledge_base"] = knowledgeBaseState(service->index().info());
    components["retriever"] = retrieverState(*service, sources.config);
    nlohmann::json generator = {{"status", "ok"}};
    generator.update(generatorState(service->generator()));
    markUnavailableModel(generator, "LLM_MODEL_ID", sources.config.llm_model_id,
                         service->parts().generator_problem, "extractive");
    components["generator"] = std::move(generator);
  } else {
    components = startingComponents(sources);
  }
  if (sources.support) {
    nlohmann::json database = databaseState(sources.support->writerStatus());
    if (sources.storage) addStorage(database, sources.storage->report());
    components["database"] = std::move(database);
  }
  return components;
}

LoadedModels loadedModels(const ServingState& serving) {
  const auto service = serving.service();
  if (!service) return {};
  const auto& parts = service->parts();
  return {.database = true,
          .embeddings = parts.embedder != nullptr,
          .llm = service->generator().model() != "none",
          .configured = parts.generator_problem.empty() && parts.embedding_problem.empty()};
}

std::string overallStatus(const nlohmann::json& components) {
  std::string overall = "ok";
  for (const auto& [name, c] : components.items()) {
    const auto s = c["status"].get<std::string>();
    if (s == "unavailable" || s == "starting") {
      overall = "unavailable";
    } else if (s == "degraded" && overall == "ok") {
      overall = "degraded";
    }
  }
  return overall;
}

}  // namespace chatbot::api
