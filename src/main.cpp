// chatbot: the IT-support chatbot backend. One binary, several subcommands; see --help.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace {

// Adds the flags every subcommand shares. Each flag overrides the environment variable named in
// its help text.
void addCommonFlags(CLI::App& cmd, chatbot::cli::CommonFlags& flags) {
  cmd.add_option_function<std::string>(
         "--env-file", [&flags](const std::string& v) { flags.env_file = v; },
         "Read settings from this file instead of ./.env")
      ->check(CLI::ExistingFile);
  auto override_option = [&](const char* name, const char* variable, const char* help) {
    cmd.add_option_function<std::string>(
        name, [&flags, variable](const std::string& v) { flags.overrides[variable] = v; },
        std::string(help) + " (overrides " + variable + ")");
  };
  override_option("--kb", "KB_DIR", "Knowledge base: a folder of Markdown/JSONL/CSV files, or one file");
  override_option("--data-dir", "DATA_DIR", "Where the search index is kept");
  override_option("--log-level", "LOG_LEVEL", "trace|debug|info|warning|error|critical|off");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "chatbot - IT-support chatbot backend: answers employees' IT questions from a knowledge base.\n\n"
      "Quick start:\n"
      "  chatbot serve                      serve the API on HOST:PORT (default 0.0.0.0:8000)\n"
      "  chatbot ask \"VPN won't connect\"    answer one question in the terminal\n"
      "  chatbot ingest                     (re)build the search index from KB_DIR\n\n"
      "Settings come from environment variables or a .env file (see .env.example); flags override them."};
  app.require_subcommand(1);
  app.set_version_flag("--version", CHATBOT_VERSION);
  int exit_code = 0;

  chatbot::cli::CommonFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API (docs at /docs). Indexes the KB first if it changed.");
  addCommonFlags(*serve, serve_flags);
  serve->add_option_function<std::string>("--host", [&](const std::string& v) { serve_flags.overrides["HOST"] = v; },
                                          "Address to listen on (overrides HOST)");
  serve->add_option_function<std::string>("--port", [&](const std::string& v) { serve_flags.overrides["PORT"] = v; },
                                          "Port to listen on; 0 picks a free one (overrides PORT)");
  serve->add_option_function<std::string>("--threads",
                                          [&](const std::string& v) { serve_flags.overrides["THREADS"] = v; },
                                          "Worker threads; 0 = one per core (overrides THREADS)");
  serve->callback([&] { exit_code = chatbot::cli::runServe(serve_flags); });

  chatbot::cli::CommonFlags ingest_common;
  chatbot::cli::IngestFlags ingest_flags;
  auto* ingest = app.add_subcommand(
      "ingest", "Build the search index in DATA_DIR from the KB (Markdown with front matter, JSONL or CSV).\n"
                "Does nothing when the KB is unchanged. Exits 1 if an article is invalid.");
  addCommonFlags(*ingest, ingest_common);
  ingest->add_flag("--rebuild", ingest_flags.rebuild, "Rebuild even if the KB is unchanged");
  ingest->add_flag("--allow-problems", ingest_flags.allow_problems, "Skip invalid articles and exit 0");
  ingest->callback([&] { exit_code = chatbot::cli::runIngest(ingest_common, ingest_flags); });

  chatbot::cli::CommonFlags ask_common;
  chatbot::cli::AskFlags ask_flags;
  auto* ask = app.add_subcommand("ask", "Answer one question in the terminal and list the sources used.");
  addCommonFlags(*ask, ask_common);
  ask->add_option("question", ask_flags.question, "The question, in quotes")->required();
  ask->add_option("--top-k", ask_flags.top_k, "Sources to list (1-20)")->capture_default_str();
  ask->add_option("--max-tokens", ask_flags.max_tokens, "Longest answer in tokens (50-500)")->capture_default_str();
  ask->add_flag("--json", ask_flags.json, "Print JSON instead of text");
  ask->callback([&] { exit_code = chatbot::cli::runAsk(ask_common, ask_flags); });

  chatbot::cli::CommonFlags eval_common;
  chatbot::cli::EvalFlags eval_flags;
  auto* eval = app.add_subcommand(
      "eval", "Measure retrieval: index --kb into a temporary folder, run every query through the serving\n"
              "retriever and print hit@1, hit@5, MRR@10, nDCG@10 and latency percentiles.\n"
              "Example: chatbot eval --kb ../shared/eval/stackfaq/kb.jsonl --queries ../shared/eval/stackfaq/queries-dev.jsonl");
  eval->add_option("--kb", eval_flags.kb_file, "Articles as JSONL {id, subject, answer, metadata}")
      ->required()
      ->check(CLI::ExistingPath);
  eval->add_option("--queries", eval_flags.queries_file, "Queries as JSONL {id, query, relevant: [ids]}")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--k", eval_flags.k, "Results retrieved per query")->capture_default_str()->check(CLI::Range(1, 100));
  eval->add_flag("--json", eval_flags.json, "Print one JSON object");
  eval->add_option_function<std::string>("--env-file", [&](const std::string& v) { eval_common.env_file = v; },
                                         "Read settings from this file instead of ./.env");
  eval->callback([&] { exit_code = chatbot::cli::runEval(eval_common, eval_flags); });

  chatbot::cli::CommonFlags config_common;
  bool env_example = false;
  auto* config = app.add_subcommand("config", "Check the configuration, or print a documented .env.example.");
  config->add_flag("--env-example", env_example, "Print every setting with its default and meaning");
  config->add_option_function<std::string>("--env-file", [&](const std::string& v) { config_common.env_file = v; },
                                           "Read settings from this file instead of ./.env");
  config->callback([&] { exit_code = chatbot::cli::runConfig(config_common, env_example); });

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
