#include "app/server_app.h"

#include <algorithm>

#include "app/engines.h"
#include "observability/log.h"

namespace chatbot::app {

namespace {

http::ServerOptions serverOptions(const config::Config& config) {
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads =
      config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  options.max_body_bytes = config.max_body_bytes;
  options.max_connections = config.max_connections;
  options.header_timeout = config.header_timeout;
  options.idle_timeout = config.idle_timeout;
  options.shutdown_grace = config.shutdown_grace;
  return options;
}

std::string docsUrl(const config::Config& config, std::uint16_t port) {
  const std::string host = config.host == "0.0.0.0" ? std::string("localhost") : config.host;
  return "http://" + host + ":" + std::to_string(port) + "/docs";
}

}  // namespace

Result<std::unique_ptr<ServerApp>> ServerApp::create(const config::Config& config) {
  std::unique_ptr<ServerApp> app(new ServerApp(config));
  // Conversations, feedback and tickets. Without a usable database nothing could be acknowledged
  // safely, so the server does not start.
  auto stores = makeStores(app->config_);
  if (!stores) return std::move(stores).error();
  app->store_ = stores->support;
  app->outbox_ = makeOutbox(app->config_, app->store_);
  auto made = makeServices(app->config_, stores.value(), app->outbox_.get());
  if (!made) return std::move(made).error();
  api::Services services = std::move(made).value();
  app->serving_ = std::make_shared<api::ServingState>();
  services.serving = app->serving_;
  app->application_ = std::make_unique<api::Application>(app->config_, std::move(services));
  const http::ServerOptions options = serverOptions(app->config_);
  try {
    app->server_ = std::make_unique<http::Server>(options, *app->application_);
  } catch (const std::exception& e) {
    return Error{ErrorKind::kInternal, "listen_failed",
                 "cannot listen on " + config.host + ":" + std::to_string(config.port) + ": " +
                     e.what() +
                     "\nIs another server using the port? Set PORT (or --port) to a "
                     "free one."};
  }
  log::info("http.listening", {{"host", config.host},
                               {"port", app->server_->port()},
                               {"threads", options.threads},
                               {"docs", docsUrl(config, app->server_->port())}});
  return app;
}

ServerApp::~ServerApp() {
  if (starter_.joinable()) starter_.join();
}

void ServerApp::run() {
  // Index and load models in the background: /health answers (starting) and chat returns 503
  // until it is done. A model that cannot be loaded leaves the embedded default serving.
  starter_ = std::thread([this] { startUp(); });
  server_->run();
  starter_.join();
  log::info("http.stopped");
}

void ServerApp::startUp() {
  try {
    auto index = ingest::KnowledgeIndex::open(indexOptions(config_, true));
    const auto& info = index->info();
    for (const auto& p : info.problems) {
      log::warn("kb.problem", {{"file", p.where}, {"problem", p.message}});
    }
    log::info("kb.ready", {{"articles", info.articles},
                           {"index", info.index_dir.string()},
                           {"rebuilt", info.rebuilt},
                           {"ms", info.build_ms}});
    serving_->setReady(makeChatService(std::move(index), config_));
  } catch (const std::exception& e) {
    log::error("kb.failed", {{"error", e.what()}});
    serving_->setFailed(std::string("The knowledge base could not be loaded: ") + e.what());
  }
}

}  // namespace chatbot::app
