#include <iostream>

#include "app/server_app.h"
#include "cli/commands.h"
#include "observability/log.h"

namespace chatbot::cli {

int runServe(const CommonFlags& flags) {
  const auto loaded = loadConfigOrReport(flags);
  if (!loaded) return 2;
  const config::Config& config = *loaded;
  log::init(config.debug && config.log_level > config::LogLevel::kDebug ? config::LogLevel::kDebug
                                                                        : config.log_level);
  auto app = app::ServerApp::create(config);
  if (!app) {
    std::cerr << "chatbot: " << app.error().detail << "\n";
    log::shutdown();
    return 1;
  }
  app.value()->run();
  app.value().reset();
  log::shutdown();
  return 0;
}

}  // namespace chatbot::cli
