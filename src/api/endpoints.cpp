// The endpoint handlers of Application. Each reads the request, calls the service layer and
// builds the reply; errors are thrown as ApiError and formatted by Application::handle.
#include "api/application.h"
#include "api/errors.h"
#include "util/time.h"

namespace chatbot::api {

using field = http::beast_http::field;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t) { return util::millisSince(t) / 1000.0; }

// A configured model that is not in use leaves its component degraded, with the reason (which
// names the command that fixes it) and what serves instead.
void markUnavailableModel(nlohmann::json& component, const std::string& setting, const std::string& configured,
                          const std::string& problem, const char* fallback_kind) {
  component["configured_model"] = configured;
  if (problem.empty()) return;
  component["status"] = "degraded";
  component["reason"] = setting + "=" + configured + " is not in use: " + problem;
  component["fallback"] = fallback_kind;
}

// What the generator is and how busy it is; model engines add context size, slots and queue.
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

// How storing answers goes. Every chat answer is committed before it is sent, so a store that
// refuses writes turns chat replies into 503s: degraded, with what to check.
nlohmann::json databaseState(const support::WriterStatus& w) {
  nlohmann::json out = {{"status", w.last_commit_failed ? "degraded" : "ok"},
                        {"pending_writes", w.queued},
                        {"stored", w.committed},
                        {"failed", w.failed}};
  if (w.last_failure_ms > 0) out["last_failure_at"] = util::isoTimestampFromEpochMs(w.last_failure_ms);
  if (w.last_commit_failed) {
    out["reason"] =
        "The latest answer could not be stored, so chat requests answer 503 until the database accepts "
        "writes again. Check the server log (store.exchange_failed), free disk space, the permissions of "
        "DATABASE_PATH, and whether another program holds the database locked.";
  }
  return out;
}

}  // namespace

http::Response Application::root(const http::Request& request, http::RequestContext&) const {
  return jsonResponse(http::Status::ok,
                      {{"name", config_.project_name},
                       {"version", CHATBOT_VERSION},
                       {"status", service() ? "running" : "starting"},
                       {"docs", "/docs"},
                       {"health", "/health"},
                       {"openapi", "/openapi.json"},
                       {"chat", config_.api_v1_prefix + "/chat/"}},
                      request.version());
}

http::Response Application::health(const http::Request& request, http::RequestContext&) const {
  const auto svc = service();
  const std::string failed = failure();
  nlohmann::json components;

  nlohmann::json kb = {{"status", "ok"}};
  nlohmann::json retriever = {{"status", "ok"}, {"kind", "xapian-bm25"}, {"dense", "disabled"}};
  if (svc) {
    const auto& info = svc->index().info();
    kb["articles"] = info.articles;
    kb["files"] = info.files;
    kb["index"] = info.index_dir.filename().string();
    kb["built_at"] = info.built_at;
    kb["problems"] = info.problems.size();
    if (!info.problems.empty()) {
      kb["status"] = "degraded";
      kb["reason"] = std::to_string(info.problems.size()) +
                     " knowledge-base file(s) could not be loaded; run `chatbot ingest` to see them.";
    }
    retriever["kind"] = svc->retriever().name();
  } else {
    kb["status"] = failed.empty() ? "starting" : "unavailable";
    if (!failed.empty()) kb["reason"] = failed;
    retriever["status"] = kb["status"];
  }
  nlohmann::json generator = {{"status", svc ? "ok" : kb["status"]}, {"kind", "extractive"}, {"model", "none"}};
  if (svc) {
    const auto& parts = svc->parts();
    if (parts.embedder) {
      const auto e = parts.embedder->status();
      retriever["dense"] = {{"model", e.model},     {"dimension", e.dimension},     {"pooling", e.pooling},
                            {"context", e.context}, {"queue_depth", e.queue_depth}};
    }
    markUnavailableModel(retriever, "EMBEDDING_MODEL", config_.embedding_model, parts.embedding_problem, "lexical");
    generator.update(generatorState(svc->generator()));
    markUnavailableModel(generator, "LLM_MODEL_ID", config_.llm_model_id, parts.generator_problem, "extractive");
  }
  components["knowledge_base"] = kb;
  components["retriever"] = retriever;
  components["generator"] = generator;
  if (support_) components["database"] = databaseState(support_->writerStatus());

  std::string overall = "ok";
  for (const auto& [name, c] : components.items()) {
    const auto s = c["status"].get<std::string>();
    if (s == "unavailable" || s == "starting") overall = "unavailable";
    else if (s == "degraded" && overall == "ok") overall = "degraded";
  }
  const nlohmann::json body = {{"status", overall},
                               {"version", CHATBOT_VERSION},
                               {"uptime_seconds", secondsSince(started_)},
                               {"timestamp", util::isoTimestampNow()},
                               {"components", components}};
  return jsonResponse(overall == "unavailable" ? http::Status::service_unavailable : http::Status::ok, body,
                      request.version());
}

http::Response Application::chatHealth(const http::Request& request, http::RequestContext&) const {
  const auto svc = service();
  if (!svc) {
    const std::string failed = failure();
    return jsonResponse(http::Status::service_unavailable,
                        {{"status", failed.empty() ? "starting" : "unavailable"},
                         {"ready", false},
                         {"detail", failed.empty() ? "The knowledge base is being indexed." : failed}},
                        request.version());
  }
  return jsonResponse(http::Status::ok,
                      {{"status", "ready"},
                       {"ready", true},
                       {"articles", svc->index().info().articles},
                       {"retriever", svc->retriever().name()},
                       {"generator", svc->generator().kind()},
                       {"model", svc->generator().model()},
                       {"generation", generatorState(svc->generator())}},
                      request.version());
}

http::Response Application::openapi(const http::Request& request, http::RequestContext&) const {
  http::Response res{http::Status::ok, request.version()};
  res.set(field::content_type, "application/json");
  res.body() = openapi_;
  return res;
}

http::Response Application::docs(const http::Request& request, http::RequestContext& context) const {
  http::Response res{http::Status::ok, request.version()};
  const auto asset_name = context.path_params.find("asset");
  if (asset_name == context.path_params.end() || asset_name->second == "index.html") {
    res.set(field::content_type, "text/html; charset=utf-8");
    res.body() = assets_.indexHtml();
  } else {
    const Asset* asset = assets_.find(asset_name->second);
    if (asset == nullptr) {
      throw ApiError(http::Status::not_found, "not_found", "No documentation asset named " + asset_name->second + ".");
    }
    res.set(field::content_type, asset->content_type);
    res.set(field::cache_control, "public, max-age=86400");
    res.body() = asset->body;
  }
  // Swagger UI styles itself inline; scripts come only from this server.
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
          "connect-src 'self'; frame-ancestors 'none'");
  return res;
}

}  // namespace chatbot::api
