// `chatbot eval-answers`: how the extractive answers of the knowledge base fit in max_tokens
// (eval/answer_completeness.h), as a table or JSON. Exits 1 when any answer is cut or over budget.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "eval/answer_completeness.h"
#include "observability/log.h"

namespace chatbot::cli {

namespace {

nlohmann::json toJson(const eval::CompletenessCounts& c) {
  return {{"complete", c.complete},
          {"shortened_with_pointer", c.shortened},
          {"steps_left_out", c.steps_left_out},
          {"cut", c.cut}};
}

void printJson(const eval::CompletenessReport& r) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : r.failures) {
    failures.push_back({{"article_id", f.article_id},
                        {"question", f.question},
                        {"completeness", eval::toString(f.completeness)},
                        {"tokens", f.tokens},
                        {"answer", f.answer}});
  }
  std::cout
      << nlohmann::json{{"max_tokens", r.max_tokens},           {"articles", r.articles},
                        {"by_article", toJson(r.by_article)},   {"questions", r.questions},
                        {"not_answered", r.not_answered},       {"other_article", r.other_article},
                        {"by_question", toJson(r.by_question)}, {"failures", failures}}
             .dump()
      << "\n";
}

void printTable(const eval::CompletenessReport& r) {
  std::printf("Extractive answers at max_tokens %zu, %zu articles\n\n", r.max_tokens, r.articles);
  std::printf("%-38s %8s %10s %12s %5s\n", "", "complete", "shortened", "(steps left)", "cut");
  auto row = [](const char* label, const eval::CompletenessCounts& c) {
    std::printf("%-38s %8zu %10zu %12zu %5zu\n", label, c.complete, c.shortened, c.steps_left_out,
                c.cut);
  };
  row("each article's answer", r.by_article);
  row("its subject and questions, answered", r.by_question);
  std::printf(
      "\nshortened: ends with a pointer to the rest (\"Steps 5–7: see [1].\"; steps left: it names "
      "steps\nnot shown whole); cut: text left out without one.\n%zu questions asked: %zu answered "
      "(%zu from another article), %zu not "
      "answered.\n",
      r.questions, r.questions - r.not_answered, r.other_article, r.not_answered);
  for (const auto& f : r.failures) {
    std::printf("\n%s (%s, %zu tokens) %s%s\n%s\n", eval::toString(f.completeness).data(),
                f.article_id.c_str(), f.tokens,
                f.question.empty() ? "" : "asked: ", f.question.c_str(), f.answer.c_str());
  }
}

}  // namespace

int runEvalAnswers(const CommonFlags& flags, const EvalAnswersFlags& eval_answers) {
  CommonFlags extractive = flags;
  extractive.overrides["LLM_MODEL_ID"] = "none";  // the report is about the extractive answer
  const auto config = loadConfigOrReport(extractive);
  if (!config) return 2;
  // Logs go to stdout: keep the report (and --json) clean of routine lines.
  log::init(std::max(config->log_level, config::LogLevel::kWarning));
  try {
    const auto service = makeChatService(
        ingest::KnowledgeIndex::open(indexOptions(*config, !eval_answers.json)), *config);
    const auto report = eval::checkCompleteness(*service, eval_answers.max_tokens);
    if (eval_answers.json) {
      printJson(report);
    } else {
      printTable(report);
    }
    return report.failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "chatbot eval-answers: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatbot::cli
