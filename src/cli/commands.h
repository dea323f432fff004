#pragma once
// The `chatbot` subcommands. main.cpp declares their flags (and --help text); these functions do
// the work and return the process exit code: 0 success, 1 failure, 2 bad usage or configuration.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "ingest/knowledge_index.h"
#include "rag/chat_service.h"

namespace chatbot::cli {

// Flags shared by every subcommand; each set one overrides the variable of the same meaning.
struct CommonFlags {
  std::optional<std::string> env_file;
  std::map<std::string, std::string> overrides;  // variable name -> value
};

// Loads the configuration, or prints why it is invalid and returns nullopt.
std::optional<config::Config> loadConfigOrReport(const CommonFlags& flags);
ingest::IndexOptions indexOptions(const config::Config& config, bool show_progress);
std::shared_ptr<const rag::ChatService> makeChatService(
    std::shared_ptr<const ingest::KnowledgeIndex> index, const config::Config& config);

int runServe(const CommonFlags& flags);

struct IngestFlags {
  bool rebuild = false;
  bool allow_problems = false;
};
int runIngest(const CommonFlags& flags, const IngestFlags& ingest);

struct AskFlags {
  std::string question;
  std::size_t top_k = 4;
  std::size_t max_tokens = 150;
  bool json = false;
};
int runAsk(const CommonFlags& flags, const AskFlags& ask);

// How the KB's extractive answers fit in max_tokens: complete, shortened with a pointer, or cut.
struct EvalAnswersFlags {
  std::size_t max_tokens = 150;
  bool json = false;
};
int runEvalAnswers(const CommonFlags& flags, const EvalAnswersFlags& eval_answers);

struct EvalFlags {
  std::string kb_file;
  std::string queries_file;
  std::size_t k = 10;
  bool json = false;
  std::vector<std::string> out_of_domain;  // questions the KB has no answer for
  std::string language;                    // only questions in this language
  std::string fit_confidence;              // write a fitted confidence model here
};
int runEval(const CommonFlags& flags, const EvalFlags& eval);

// What `chatbot config` prints: whether the configuration is valid (the default), every
// effective setting (secrets masked), the documented .env.example, or the README's table.
enum class ConfigOutput { kCheck, kShow, kEnvExample, kSettingsTable };
int runConfig(const CommonFlags& flags, ConfigOutput output);

struct ModelsListFlags {
  bool json = false;
};
int runModelsList(const CommonFlags& flags, const ModelsListFlags& list);

struct ModelsPullFlags {
  std::string name;    // alias, accepted name, or REPO/FILE.gguf
  std::string sha256;  // overrides the pinned or announced hash
  bool force = false;  // download again even if the file is there
};
int runModelsPull(const CommonFlags& flags, const ModelsPullFlags& pull);

struct KeysCreateFlags {
  std::string name;
  std::string role = "employee";
  std::string expires;  // e.g. "90d"; empty: never
};
int runKeysCreate(const CommonFlags& flags, const KeysCreateFlags& create);
struct KeysListFlags {
  bool json = false;
};
int runKeysList(const CommonFlags& flags, const KeysListFlags& list);
int runKeysRevoke(const CommonFlags& flags, const std::string& id_or_name);

}  // namespace chatbot::cli
