#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/chat_request.h"
#include "api/errors.h"
#include "cli/commands.h"
#include "observability/log.h"

namespace chatbot::cli {

int runAsk(const CommonFlags& flags, const AskFlags& ask) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  // Logs go to stdout: keep the answer (and --json) clean of routine lines such as model loading.
  log::init(std::max(config->log_level, config::LogLevel::kWarning));
  try {
    // The same validation as the HTTP API, so `ask` accepts exactly what the endpoint accepts.
    const nlohmann::json body = {
        {"query", ask.question}, {"top_k", ask.top_k}, {"max_tokens", ask.max_tokens}};
    const auto query =
        api::parseChatRequest(body.dump(), {.max_query_chars = config->max_query_chars}).query;
    const auto service =
        makeChatService(ingest::KnowledgeIndex::open(indexOptions(*config, true)), *config);
    const auto answer = service->answer(query);
    if (ask.json) {
      nlohmann::json sources = nlohmann::json::array();
      for (const auto& r : answer.results) {
        sources.push_back(
            {{"id", r.article->id}, {"subject", r.article->subject}, {"score", r.score}});
      }
      std::cout << nlohmann::json{{"response", answer.response},
                                  {"query", answer.query},
                                  {"answered", answer.answered},
                                  {"sources", sources},
                                  {"warnings", answer.warnings}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::cout << answer.response << "\n\nSources:\n";
    for (std::size_t i = 0; i < answer.results.size(); ++i) {
      const auto& r = answer.results[i];
      std::printf("  [%zu] %-44s %.2f  %s\n", i + 1, r.article->id.c_str(), r.score,
                  r.article->subject.c_str());
    }
    for (const auto& w : answer.warnings) std::cout << "\nnote: " << w << "\n";
    return 0;
  } catch (const api::ApiError& e) {
    std::cerr << "chatbot ask: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "chatbot ask: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatbot::cli
