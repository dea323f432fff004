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
      "  chatbot ingest                     (re)build the search index from KB_DIR\n"
      "  chatbot models pull tinyllama-1.1b-chat   download a local chat model (see `chatbot models list`)\n\n"
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
  bool settings_table = false;
  auto* config = app.add_subcommand("config", "Check the configuration, or print a documented .env.example.");
  config->add_flag("--env-example", env_example, "Print every setting with its default and meaning");
  config->add_flag("--settings-table", settings_table,
                   "Print the README's settings table (Markdown)");
  config->add_option_function<std::string>("--env-file", [&](const std::string& v) { config_common.env_file = v; },
                                           "Read settings from this file instead of ./.env");
  config->callback(
      [&] { exit_code = chatbot::cli::runConfig(config_common, env_example, settings_table); });

  chatbot::cli::CommonFlags models_common;
  chatbot::cli::ModelsListFlags models_list_flags;
  chatbot::cli::ModelsPullFlags models_pull_flags;
  auto* models = app.add_subcommand(
      "models", "Local models (GGUF files for llama.cpp): list the known ones and download them into MODELS_DIR.");
  models->require_subcommand(1);
  models->footer(
      "Examples:\n"
      "  chatbot models list                          what is known, downloaded and configured\n"
      "  chatbot models pull tinyllama-1.1b-chat      then set LLM_MODEL_ID=tinyllama-1.1b-chat\n"
      "  chatbot models pull all-minilm-l6-v2         then set EMBEDDING_MODEL=all-minilm-l6-v2");
  auto add_models_dir = [](CLI::App& cmd, chatbot::cli::CommonFlags& flags) {
    cmd.add_option_function<std::string>("--env-file", [&flags](const std::string& v) { flags.env_file = v; },
                                         "Read settings from this file instead of ./.env");
    cmd.add_option_function<std::string>("--models-dir",
                                         [&flags](const std::string& v) { flags.overrides["MODELS_DIR"] = v; },
                                         "Folder of GGUF files (overrides MODELS_DIR)");
  };
  auto* models_list = models->add_subcommand(
      "list", "Table of the known models: alias, role, size, file, whether it is in MODELS_DIR, and which one\n"
              "LLM_MODEL_ID / EMBEDDING_MODEL name now.");
  add_models_dir(*models_list, models_common);
  models_list->add_flag("--json", models_list_flags.json, "Print JSON (with repositories and pinned hashes)");
  models_list->callback([&] { exit_code = chatbot::cli::runModelsList(models_common, models_list_flags); });
  auto* models_pull = models->add_subcommand(
      "pull",
      "Download a GGUF from Hugging Face into MODELS_DIR: resumable (an interrupted pull, Ctrl-C included,\n"
      "continues where it stopped), SHA-256 verified before the file is put in place, retried on\n"
      "network errors. HF_ENDPOINT picks a mirror; HF_TOKEN (an access token) opens gated models.");
  add_models_dir(*models_pull, models_common);
  models_pull->add_option("name", models_pull_flags.name,
                          "An alias or name from `chatbot models list`, or REPO/FILE.gguf for any GGUF on Hugging Face")
      ->required();
  models_pull->add_option("--sha256", models_pull_flags.sha256,
                          "Expected SHA-256 (64 hex digits); overrides the pinned or announced hash");
  models_pull->add_option_function<std::string>(
      "--hf-endpoint", [&](const std::string& v) { models_common.overrides["HF_ENDPOINT"] = v; },
      "Hugging Face endpoint or mirror (overrides HF_ENDPOINT)");
  models_pull->add_flag("--force", models_pull_flags.force, "Download again even if the file is already there");
  models_pull->footer(
      "Examples:\n"
      "  chatbot models pull tinyllama-1.1b-chat\n"
      "  chatbot models pull TinyLlama/TinyLlama-1.1B-Chat-v1.0       the original model's id works too\n"
      "  chatbot models pull bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf\n"
      "  HF_ENDPOINT=https://hf-mirror.example.com chatbot models pull qwen2.5-0.5b-instruct\n"
      "  HF_TOKEN=hf_... chatbot models pull gemma-2-2b-it\n"
      "Exit status: 0 downloaded (or already there), 1 failed, 2 bad usage.");
  models_pull->callback([&] { exit_code = chatbot::cli::runModelsPull(models_common, models_pull_flags); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as commands.h promises.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
