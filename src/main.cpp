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
  override_option("--kb", "KB_DIR",
                  "Knowledge base: a folder of Markdown/JSONL/CSV files, or one file");
  override_option("--data-dir", "DATA_DIR", "Where the search index is kept");
  override_option("--log-level", "LOG_LEVEL", "trace|debug|info|warning|error|critical|off");
}

// What the subcommands' flags are parsed into. CLI11's callbacks write here during parse(), so
// main() keeps it alive until the chosen subcommand has run; `exit_code` is that subcommand's.
struct Subcommands {
  int exit_code = 0;
  chatbot::cli::CommonFlags serve_common;
  chatbot::cli::CommonFlags ingest_common;
  chatbot::cli::IngestFlags ingest;
  chatbot::cli::CommonFlags ask_common;
  chatbot::cli::AskFlags ask;
  chatbot::cli::CommonFlags eval_answers_common;
  chatbot::cli::EvalAnswersFlags eval_answers;
  chatbot::cli::CommonFlags eval_common;
  chatbot::cli::EvalFlags eval;
  chatbot::cli::CommonFlags config_common;
  chatbot::cli::ConfigOutput config_output = chatbot::cli::ConfigOutput::kCheck;
  chatbot::cli::CommonFlags models_common;
  chatbot::cli::ModelsListFlags models_list;
  chatbot::cli::ModelsPullFlags models_pull;
  chatbot::cli::CommonFlags keys_common;
  chatbot::cli::KeysCreateFlags keys_create;
  chatbot::cli::KeysListFlags keys_list;
  std::string keys_revoke;
};

// --env-file for the subcommands that take it without the other common flags. Unlike
// addCommonFlags' it does not check that the file exists (the --help text stays as it was).
void addEnvFileOption(CLI::App& cmd, chatbot::cli::CommonFlags& flags) {
  cmd.add_option_function<std::string>(
      "--env-file", [&flags](const std::string& v) { flags.env_file = v; },
      "Read settings from this file instead of ./.env");
}

void addServeCommand(CLI::App& app, Subcommands& s) {
  auto* serve = app.add_subcommand(
      "serve", "Serve the HTTP API (docs at /docs). Indexes the KB first if it changed.");
  addCommonFlags(*serve, s.serve_common);
  serve->add_option_function<std::string>(
      "--host", [&s](const std::string& v) { s.serve_common.overrides["HOST"] = v; },
      "Address to listen on (overrides HOST)");
  serve->add_option_function<std::string>(
      "--port", [&s](const std::string& v) { s.serve_common.overrides["PORT"] = v; },
      "Port to listen on; 0 picks a free one (overrides PORT)");
  serve->add_option_function<std::string>(
      "--threads", [&s](const std::string& v) { s.serve_common.overrides["THREADS"] = v; },
      "Worker threads; 0 = one per core (overrides THREADS)");
  serve->callback([&s] { s.exit_code = chatbot::cli::runServe(s.serve_common); });
}

void addIngestCommand(CLI::App& app, Subcommands& s) {
  auto* ingest = app.add_subcommand(
      "ingest",
      "Build the search index in DATA_DIR from the KB (Markdown with front matter, JSONL or CSV).\n"
      "Does nothing when the KB is unchanged. Exits 1 if an article is invalid.");
  addCommonFlags(*ingest, s.ingest_common);
  ingest->add_flag("--rebuild", s.ingest.rebuild, "Rebuild even if the KB is unchanged");
  ingest->add_flag("--allow-problems", s.ingest.allow_problems, "Skip invalid articles and exit 0");
  ingest->callback([&s] { s.exit_code = chatbot::cli::runIngest(s.ingest_common, s.ingest); });
}

void addAskCommand(CLI::App& app, Subcommands& s) {
  auto* ask =
      app.add_subcommand("ask", "Answer one question in the terminal and list the sources used.");
  addCommonFlags(*ask, s.ask_common);
  ask->add_option("question", s.ask.question, "The question, in quotes")->required();
  ask->add_option("--top-k", s.ask.top_k, "Sources to list (1-20)")->capture_default_str();
  ask->add_option("--max-tokens", s.ask.max_tokens, "Longest answer in tokens (50-500)")
      ->capture_default_str();
  ask->add_flag("--json", s.ask.json, "Print JSON instead of text");
  ask->callback([&s] { s.exit_code = chatbot::cli::runAsk(s.ask_common, s.ask); });
}

void addEvalAnswersCommand(CLI::App& app, Subcommands& s) {
  auto* cmd = app.add_subcommand(
      "eval-answers",
      "Check how the KB's extractive answers fit in max_tokens: fit every article's answer, then\n"
      "ask each article's subject and questions as the chat API would, and count the answers that\n"
      "are complete, shortened with a pointer to the rest (\"Steps 5–7: see [1].\"), or cut.\n"
      "Uses KB_DIR and DATA_DIR like `ask`; LLM_MODEL_ID is ignored. Exits 1 if any answer is cut\n"
      "or longer than max_tokens.");
  addCommonFlags(*cmd, s.eval_answers_common);
  cmd->add_option("--max-tokens", s.eval_answers.max_tokens, "The answers' max_tokens")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", s.eval_answers.json, "Print one JSON object");
  cmd->callback(
      [&s] { s.exit_code = chatbot::cli::runEvalAnswers(s.eval_answers_common, s.eval_answers); });
}

void addEvalCommand(CLI::App& app, Subcommands& s) {
  auto* eval = app.add_subcommand(
      "eval",
      "Measure retrieval: index --kb into a temporary folder, run every query through the serving\n"
      "retriever and print hit@1, hit@5, MRR@10, nDCG@10 and latency percentiles.\n"
      "With --out-of-domain, also selective answering: how often the bot answers right, answers\n"
      "wrong or abstains on --queries, and answers questions the KB cannot answer, at each\n"
      "threshold. --fit-confidence fits the answer-confidence model (CONFIDENCE_MODEL) on them.\n"
      "Example: chatbot eval --kb ../shared/eval/stackfaq/kb.jsonl --queries "
      "../shared/eval/stackfaq/queries-dev.jsonl");
  eval->add_option("--kb", s.eval.kb_file, "Articles as JSONL {id, subject, answer, metadata}")
      ->required()
      ->check(CLI::ExistingPath);
  eval->add_option("--queries", s.eval.queries_file,
                   "Queries as JSONL {id, query, relevant: [ids]}")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--k", s.eval.k, "Results retrieved per query")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  eval->add_flag("--json", s.eval.json, "Print one JSON object");
  eval->add_option("--out-of-domain", s.eval.out_of_domain,
                   "Questions the KB has no answer for (JSONL {id, query}); repeatable")
      ->check(CLI::ExistingFile);
  eval->add_option("--language", s.eval.language,
                   "Only questions whose \"language\" is this (e.g. en); others always count");
  eval->add_option("--fit-confidence", s.eval.fit_confidence,
                   "Fit the answer-confidence model on --queries (answered) and --out-of-domain "
                   "(not answered) and write it to this file (e.g. data/confidence.json)");
  addEnvFileOption(*eval, s.eval_common);
  eval->callback([&s] { s.exit_code = chatbot::cli::runEval(s.eval_common, s.eval); });
}

void addConfigCommand(CLI::App& app, Subcommands& s) {
  auto* config = app.add_subcommand(
      "config",
      "Check the configuration; show every effective setting; or print a documented "
      ".env.example.");
  config->add_flag_callback(
      "--show", [&s] { s.config_output = chatbot::cli::ConfigOutput::kShow; },
      "Print every setting's effective value (secrets masked), marking the changed ones");
  config->add_flag_callback(
      "--env-example", [&s] { s.config_output = chatbot::cli::ConfigOutput::kEnvExample; },
      "Print every setting with its default and meaning");
  config->add_flag_callback(
      "--settings-table", [&s] { s.config_output = chatbot::cli::ConfigOutput::kSettingsTable; },
      "Print the README's settings table (Markdown)");
  addEnvFileOption(*config, s.config_common);
  config->callback(
      [&s] { s.exit_code = chatbot::cli::runConfig(s.config_common, s.config_output); });
}

// --env-file and --models-dir, which both `models` subcommands take.
void addModelsDirOptions(CLI::App& cmd, chatbot::cli::CommonFlags& flags) {
  addEnvFileOption(cmd, flags);
  cmd.add_option_function<std::string>(
      "--models-dir", [&flags](const std::string& v) { flags.overrides["MODELS_DIR"] = v; },
      "Folder of GGUF files (overrides MODELS_DIR)");
}

void addModelsListCommand(CLI::App& models, Subcommands& s) {
  auto* list = models.add_subcommand("list",
                                     "Table of the known models: alias, role, size, file, whether "
                                     "it is in MODELS_DIR, and which one\n"
                                     "LLM_MODEL_ID / EMBEDDING_MODEL name now.");
  addModelsDirOptions(*list, s.models_common);
  list->add_flag("--json", s.models_list.json, "Print JSON (with repositories and pinned hashes)");
  list->callback(
      [&s] { s.exit_code = chatbot::cli::runModelsList(s.models_common, s.models_list); });
}

void addModelsPullCommand(CLI::App& models, Subcommands& s) {
  auto* pull = models.add_subcommand(
      "pull",
      "Download a GGUF from Hugging Face into MODELS_DIR: resumable (an interrupted pull, Ctrl-C "
      "included,\n"
      "continues where it stopped), SHA-256 verified before the file is put in place, retried on\n"
      "network errors. HF_ENDPOINT picks a mirror; HF_TOKEN (an access token) opens gated models.");
  addModelsDirOptions(*pull, s.models_common);
  pull->add_option("name", s.models_pull.name,
                   "An alias or name from `chatbot models list`, or REPO/FILE.gguf for any GGUF on "
                   "Hugging Face")
      ->required();
  pull->add_option("--sha256", s.models_pull.sha256,
                   "Expected SHA-256 (64 hex digits); overrides the pinned or announced hash");
  pull->add_option_function<std::string>(
      "--hf-endpoint", [&s](const std::string& v) { s.models_common.overrides["HF_ENDPOINT"] = v; },
      "Hugging Face endpoint or mirror (overrides HF_ENDPOINT)");
  pull->add_flag("--force", s.models_pull.force,
                 "Download again even if the file is already there");
  pull->footer(
      "Examples:\n"
      "  chatbot models pull tinyllama-1.1b-chat\n"
      "  chatbot models pull TinyLlama/TinyLlama-1.1B-Chat-v1.0       the original model's id "
      "works too\n"
      "  chatbot models pull "
      "bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf\n"
      "  HF_ENDPOINT=https://hf-mirror.example.com chatbot models pull qwen2.5-0.5b-instruct\n"
      "  HF_TOKEN=hf_... chatbot models pull gemma-2-2b-it\n"
      "Exit status: 0 downloaded (or already there), 1 failed, 2 bad usage.");
  pull->callback(
      [&s] { s.exit_code = chatbot::cli::runModelsPull(s.models_common, s.models_pull); });
}

void addModelsCommand(CLI::App& app, Subcommands& s) {
  auto* models = app.add_subcommand("models",
                                    "Local models (GGUF files for llama.cpp): list the known ones "
                                    "and download them into MODELS_DIR.");
  models->require_subcommand(1);
  models->footer(
      "Examples:\n"
      "  chatbot models list                          what is known, downloaded and configured\n"
      "  chatbot models pull tinyllama-1.1b-chat      then set LLM_MODEL_ID=tinyllama-1.1b-chat\n"
      "  chatbot models pull all-minilm-l6-v2         then set EMBEDDING_MODEL=all-minilm-l6-v2");
  addModelsListCommand(*models, s);
  addModelsPullCommand(*models, s);
}

// --env-file and --database, which every `keys` subcommand takes.
void addDatabaseOptions(CLI::App& cmd, chatbot::cli::CommonFlags& flags) {
  addEnvFileOption(cmd, flags);
  cmd.add_option_function<std::string>(
      "--database", [&flags](const std::string& v) { flags.overrides["DATABASE_PATH"] = v; },
      "The server's database file (overrides DATABASE_PATH)");
}

void addKeysCommand(CLI::App& app, Subcommands& s) {
  auto* keys = app.add_subcommand(
      "keys",
      "API keys: create, list and revoke them in the server's database (a running server sees\n"
      "new keys at once and revocations within seconds). Clients send a key as\n"
      "'Authorization: Bearer <key>' or 'X-API-Key: <key>'.");
  keys->require_subcommand(1);
  auto* create = keys->add_subcommand(
      "create", "Create a key; prints it once, as the last line (only its hash is stored).");
  addDatabaseOptions(*create, s.keys_common);
  create->add_option("--name", s.keys_create.name, "What the key is for, or whose it is")
      ->required();
  create
      ->add_option("--role", s.keys_create.role,
                   "employee: chat and their own tickets; agent: the service desk (every "
                   "ticket, statistics); admin: everything")
      ->capture_default_str()
      ->check(CLI::IsMember({"employee", "agent", "admin"}));
  create->add_option("--expires", s.keys_create.expires,
                     "Lifetime such as 90d, 2w, 12h (default: never expires)");
  create->callback(
      [&s] { s.exit_code = chatbot::cli::runKeysCreate(s.keys_common, s.keys_create); });
  auto* list = keys->add_subcommand("list", "Every key with its role and state (never secrets).");
  addDatabaseOptions(*list, s.keys_common);
  list->add_flag("--json", s.keys_list.json, "Print JSON");
  list->callback([&s] { s.exit_code = chatbot::cli::runKeysList(s.keys_common, s.keys_list); });
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key by id or name; it stops working.");
  addDatabaseOptions(*revoke, s.keys_common);
  revoke->add_option("key", s.keys_revoke, "The key's id or name")->required();
  revoke->callback(
      [&s] { s.exit_code = chatbot::cli::runKeysRevoke(s.keys_common, s.keys_revoke); });
  keys->footer(
      "Examples:\n"
      "  chatbot keys create --name helpdesk-portal --role agent --expires 90d\n"
      "  chatbot keys list\n"
      "  chatbot keys revoke helpdesk-portal\n"
      "Exit status: 0 done, 1 failed (e.g. no such key), 2 bad usage or configuration.");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "chatbot - IT-support chatbot backend: answers employees' IT questions from a knowledge "
      "base.\n\n"
      "Quick start:\n"
      "  chatbot serve                      serve the API on HOST:PORT (default 0.0.0.0:8000)\n"
      "  chatbot ask \"VPN won't connect\"    answer one question in the terminal\n"
      "  chatbot ingest                     (re)build the search index from KB_DIR\n"
      "  chatbot models pull tinyllama-1.1b-chat   download a local chat model (see `chatbot "
      "models list`)\n"
      "  chatbot keys create --name portal --role agent   an API key for the service desk\n\n"
      "Settings come from environment variables or a .env file (see .env.example); flags override "
      "them."};
  app.require_subcommand(1);
  app.set_version_flag("--version", CHATBOT_VERSION);
  Subcommands subcommands;
  addServeCommand(app, subcommands);
  addIngestCommand(app, subcommands);
  addAskCommand(app, subcommands);
  addEvalCommand(app, subcommands);
  addEvalAnswersCommand(app, subcommands);
  addConfigCommand(app, subcommands);
  addModelsCommand(app, subcommands);
  addKeysCommand(app, subcommands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as commands.h promises.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return subcommands.exit_code;
}
