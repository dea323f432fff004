#pragma once
// The composition root of `chatbot serve`: settings -> engines -> services -> HTTP application ->
// server. Everything is built here, in one place, from factories chosen by the settings
// (app/engines.h); nothing below app/ constructs an engine of another subsystem.
//
// Ownership and threads: ServerApp owns every part. Declaration order is destruction order in
// reverse: the server stops first, then the Application (which drops the chat service and drains
// the store threads), then the outbox worker, then the store.
#include <memory>
#include <thread>

#include "api/application.h"
#include "config/config.h"
#include "http/server.h"
#include "store/store.h"
#include "tickets/outbox_worker.h"

namespace chatbot::app {

class ServerApp {
 public:
  // Opens the store and binds the port; returns a message that says what to fix (exit 1) when
  // either is impossible.
  static Result<std::unique_ptr<ServerApp>> create(const config::Config& config);
  ~ServerApp();

  // Indexes the KB and loads the models in the background (/health says "starting" meanwhile)
  // and serves until SIGINT/SIGTERM; returns when drained.
  void run();

 private:
  explicit ServerApp(const config::Config& config) : config_(config) {}
  // The background start-up: index, models, then the chat service is published.
  void startUp();

  const config::Config config_;
  std::shared_ptr<store::Store> store_;
  std::unique_ptr<tickets::OutboxWorker> outbox_;  // null without TICKET_WEBHOOK_URL
  std::shared_ptr<api::ServingState> serving_;
  std::unique_ptr<api::Application> application_;
  std::unique_ptr<http::Server> server_;
  std::thread starter_;  // runs startUp(); joined by run()
};

}  // namespace chatbot::app
