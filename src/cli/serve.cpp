#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "api/application.h"
#include "cli/commands.h"
#include "http/server.h"
#include "observability/log.h"
#include "store/sqlite_store.h"
#include "tickets/outbox_worker.h"
#include "tickets/webhook_client.h"

namespace chatbot::cli {

int runServe(const CommonFlags& flags) {
  const auto loaded = loadConfigOrReport(flags);
  if (!loaded) return 2;
  const config::Config& config = *loaded;
  log::init(config.debug && config.log_level > config::LogLevel::kDebug ? config::LogLevel::kDebug
                                                                         : config.log_level);
  // Conversations, feedback and tickets. Without a usable database nothing could be acknowledged
  // safely, so the server does not start.
  std::shared_ptr<store::SqliteStore> database;
  try {
    database = std::make_shared<store::SqliteStore>(config::databasePath(config));
  } catch (const store::StoreError& e) {
    std::cerr << "chatbot: " << e.what() << "\nSet DATABASE_PATH to a writable file (or fix DATA_DIR).\n";
    return 1;
  }
  log::info("store.opened", {{"path", database->path().string()}});
  // Declared before the Application, which calls wake(): destroyed after it.
  std::unique_ptr<tickets::OutboxWorker> outbox;
  if (!config.ticket_webhook_url.empty()) {
    tickets::WebhookClientOptions client;
    client.url = config.ticket_webhook_url;
    client.secret = config.ticket_webhook_secret;
    client.timeout = config.ticket_webhook_timeout;
    client.connect_timeout = std::min(config.ticket_webhook_timeout, std::chrono::milliseconds(5000));
    tickets::OutboxOptions delivery;
    delivery.max_attempts = config.ticket_webhook_max_attempts;
    outbox = std::make_unique<tickets::OutboxWorker>(database, std::make_shared<tickets::WebhookClient>(client),
                                                     delivery);
    log::info("tickets.webhook", {{"signed", !client.secret.empty()}, {"max_attempts", delivery.max_attempts}});
  }
  api::Application app(config, database,
                       outbox ? std::function<void()>([worker = outbox.get()] { worker->wake(); }) : nullptr);
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  options.max_body_bytes = config.max_body_bytes;
  options.max_connections = config.max_connections;
  options.header_timeout = config.header_timeout;
  options.idle_timeout = config.idle_timeout;
  options.shutdown_grace = config.shutdown_grace;
  std::unique_ptr<http::Server> server;
  try {
    server = std::make_unique<http::Server>(options, app);
  } catch (const std::exception& e) {
    std::cerr << "chatbot: cannot listen on " << config.host << ":" << config.port << ": " << e.what()
              << "\nIs another server using the port? Set PORT (or --port) to a free one.\n";
    return 1;
  }
  log::info("http.listening", {{"host", config.host},
                               {"port", server->port()},
                               {"threads", options.threads},
                               {"docs", "http://" + (config.host == "0.0.0.0" ? std::string("localhost") : config.host) +
                                            ":" + std::to_string(server->port()) + "/docs"}});

  // Index and load models in the background: /health answers (starting) and chat returns 503 until
  // it is done. A model that cannot be loaded leaves the embedded default serving (see /health).
  std::thread indexer([&] {
    try {
      auto index = ingest::KnowledgeIndex::open(indexOptions(config, true));
      const auto& info = index->info();
      for (const auto& p : info.problems) {
        log::warn("kb.problem", {{"file", p.where}, {"problem", p.message}});
      }
      log::info("kb.ready", {{"articles", info.articles},
                             {"index", info.index_dir.string()},
                             {"rebuilt", info.rebuilt},
                             {"ms", info.build_ms}});
      app.setReady(makeChatService(std::move(index), config));
    } catch (const std::exception& e) {
      log::error("kb.failed", {{"error", e.what()}});
      app.setFailed(std::string("The knowledge base could not be loaded: ") + e.what());
    }
  });
  server->run();
  indexer.join();
  log::info("http.stopped");
  log::shutdown();
  return 0;
}

}  // namespace chatbot::cli
