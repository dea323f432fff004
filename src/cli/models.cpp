// `chatbot models list` and `chatbot models pull`: the known models, what is downloaded and
// configured, and resumable, verified downloads from Hugging Face (or HF_ENDPOINT).
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "models/downloader.h"
#include "models/resolve.h"
#include "observability/progress.h"
#include "util/text.h"

namespace chatbot::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) {
  g_interrupted.store(true);
}

// Installs a SIGINT handler for its lifetime: Ctrl-C stops the download between two writes, so the
// .part file stays consistent and the next pull resumes it.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted.store(false);
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction previous_ {};
};

// A byte progress bar on a terminal; otherwise a plain line at every tenth of the file.
class CliProgress final : public models::DownloadProgress {
 public:
  explicit CliProgress(std::string label)
      : label_(std::move(label)), tty_(isatty(STDERR_FILENO) == 1) {}

  void started(std::uint64_t offset, std::uint64_t total) override {
    total_ = total;
    if (offset > 0) {
      std::cerr << "resuming at " << models::formatSize(offset)
                << (total ? " of " + models::formatSize(total) : std::string()) << "\n";
    }
    if (tty_) {
      bar_.emplace(label_, total, observability::ProgressUnit::kBytes);
      bar_->set(offset);
    }
    next_tenth_ = total ? offset * 10 / total + 1 : 0;
  }
  void advanced(std::uint64_t done) override {
    if (bar_) {
      bar_->set(done);
      return;
    }
    if (!tty_ && total_ != 0 && done * 10 / total_ >= next_tenth_) {
      next_tenth_ = done * 10 / total_ + 1;
      std::cerr << label_ << ": " << done * 100 / total_ << "% (" << models::formatSize(done)
                << " of " << models::formatSize(total_) << ")\n";
    }
  }
  void retrying(int attempt, const std::string& reason, std::chrono::milliseconds wait) override {
    endBar();
    std::cerr << "attempt " << attempt << " failed: " << reason << "; retrying in "
              << fmt::format("{:.1f}", static_cast<double>(wait.count()) / 1000.0) << " s\n";
  }
  void verifying() override {
    endBar();
    std::cerr << "verifying sha256...\n";
  }
  void endBar() {
    if (bar_) bar_->finish();
    bar_.reset();
  }

 private:
  std::string label_;
  bool tty_;
  std::uint64_t total_ = 0;
  std::uint64_t next_tenth_ = 0;
  std::optional<observability::ProgressBar> bar_;
};

// What `models pull NAME` fetches.
struct PullTarget {
  std::string name;  // the alias, or REPO/FILE as given
  std::string repo;
  std::string file;  // path inside the repository
  std::string pinned_sha256;
  const models::KnownModel* known = nullptr;
};

std::optional<PullTarget> pullTarget(const std::string& name) {
  if (const auto* known = models::findKnownModel(name)) {
    return PullTarget{std::string(known->alias), std::string(known->repo), std::string(known->file),
                      std::string(known->sha256), known};
  }
  if (!models::isRepoFileSpec(name)) return std::nullopt;
  const auto first = name.find('/');
  const auto second = name.find('/', first + 1);
  return PullTarget{name, name.substr(0, second), name.substr(second + 1), "", nullptr};
}

// Which setting, if any, names this model right now.
std::string configuredAs(const models::KnownModel& model, const config::Config& config) {
  if (models::findKnownModel(config.llm_model_id) == &model) return "LLM_MODEL_ID";
  if (models::findKnownModel(config.embedding_model) == &model) return "EMBEDDING_MODEL";
  return "";
}

// Where a setting points: {path, ""} when usable, {"", why not} otherwise.
std::pair<std::string, std::string> settingStatus(const std::string& value,
                                                  const config::Config& config,
                                                  models::ModelRole role) {
  if (models::isNone(value)) return {"", ""};
  try {
    return {models::resolveModel(value, config.models_dir, role).string(), ""};
  } catch (const models::ModelNotFound& e) {
    return {"", e.what()};
  }
}

// Whether the model's file is in MODELS_DIR.
bool isPresent(const models::KnownModel& m, const config::Config& config) {
  std::error_code ec;
  return std::filesystem::is_regular_file(config.models_dir / m.file, ec);
}

// A setting that names a model: its variable, value and the role the model must have.
struct ModelSetting {
  const char* variable;
  std::string value;
  models::ModelRole role;
};

std::array<ModelSetting, 2> modelSettings(const config::Config& config) {
  return {ModelSetting{"LLM_MODEL_ID", config.llm_model_id, models::ModelRole::kChat},
          ModelSetting{"EMBEDDING_MODEL", config.embedding_model, models::ModelRole::kEmbedding}};
}

nlohmann::json knownModelJson(const models::KnownModel& m, const config::Config& config) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto n : m.other_names) names.push_back(n);
  const std::string as = configuredAs(m, config);
  return {{"alias", m.alias},
          {"role", models::toString(m.role)},
          {"other_names", names},
          {"repo", m.repo},
          {"file", m.file},
          {"approx_bytes", m.approx_bytes},
          {"sha256", m.sha256.empty() ? nlohmann::json() : nlohmann::json(m.sha256)},
          {"chat_template_hint", m.chat_template_hint},
          {"description", m.description},
          {"present", isPresent(m, config)},
          {"path", (config.models_dir / m.file).string()},
          {"configured_as", as.empty() ? nlohmann::json() : nlohmann::json(as)}};
}

// `models list --json`.
void printModelsJson(const config::Config& config) {
  nlohmann::json out = {{"models_dir", config.models_dir.string()},
                        {"models", nlohmann::json::array()}};
  for (const auto& m : models::knownModels()) out["models"].push_back(knownModelJson(m, config));
  for (const auto& setting : modelSettings(config)) {
    const auto [path, problem] = settingStatus(setting.value, config, setting.role);
    out["configured"][setting.variable] = {
        {"value", setting.value},
        {"path", path.empty() ? nlohmann::json() : nlohmann::json(path)},
        {"problem", problem.empty() ? nlohmann::json() : nlohmann::json(problem)}};
  }
  std::cout << out.dump(2) << "\n";
}

// `models list` on a terminal: the table, then what the settings name now.
void printModelsTable(const config::Config& config) {
  std::size_t alias_width = 5;
  for (const auto& m : models::knownModels()) alias_width = std::max(alias_width, m.alias.size());
  std::cout << "MODELS_DIR: " << config.models_dir.string() << "\n\n";
  std::cout << fmt::format("{:<{}}  {:<9}  {:>8}  {:<7}  {:<15}  {}\n", "ALIAS", alias_width,
                           "ROLE", "SIZE", "PRESENT", "CONFIGURED", "FILE");
  for (const auto& m : models::knownModels()) {
    const std::string as = configuredAs(m, config);
    std::cout << fmt::format("{:<{}}  {:<9}  {:>8}  {:<7}  {:<15}  {}\n", m.alias, alias_width,
                             models::toString(m.role), models::formatSize(m.approx_bytes),
                             isPresent(m, config) ? "yes" : "no", as.empty() ? "-" : as, m.file);
  }
  std::cout << "\nConfigured now:\n";
  for (const auto& setting : modelSettings(config)) {
    const auto [path, problem] = settingStatus(setting.value, config, setting.role);
    std::cout << "  " << setting.variable << "=" << setting.value;
    if (!problem.empty()) {
      std::cout << "\n    not usable: " << problem.substr(problem.find(": ") + 2);
    } else if (!path.empty()) {
      std::cout << "  -> " << path;
    }
    std::cout << "\n";
  }
  std::cout << "\nDownload one with `chatbot models pull ALIAS` (or REPO/FILE.gguf for any GGUF on "
               "Hugging Face),\n"
               "then set LLM_MODEL_ID or EMBEDDING_MODEL to its alias.\n";
}

// The hash the download must have: --sha256, else the pinned one, else none (then the one the
// server announces). False, after saying why, when --sha256 is not a SHA-256.
bool setExpectedHash(const ModelsPullFlags& pull, const PullTarget& target,
                     models::DownloadRequest& request) {
  if (!pull.sha256.empty()) {
    if (!models::isSha256Hex(pull.sha256)) {
      std::cerr << "chatbot models pull: --sha256 must be 64 hex digits; got '" << pull.sha256
                << "'.\n";
      return false;
    }
    request.expected_sha256 = util::asciiLower(pull.sha256);
    request.expected_sha256_source = "--sha256";
  } else if (!target.pinned_sha256.empty()) {
    request.expected_sha256 = target.pinned_sha256;
    request.expected_sha256_source = "pinned (chatbot's model registry)";
  }
  return true;
}

// Where the file comes from: HF_ENDPOINT (or its mirror), with HF_TOKEN when set.
void setSource(const config::Config& config, const PullTarget& target,
               models::DownloadRequest& request) {
  std::string endpoint = config.hf_endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  request.url = endpoint + "/" + target.repo + "/resolve/main/" + target.file;
  if (const char* token = std::getenv("HF_TOKEN"); token != nullptr) {
    request.bearer_token = util::trim(token);
  }
}

// After a pull: the setting that selects the model.
void printHowToUse(const PullTarget& target, const std::string& name) {
  if (target.known != nullptr) {
    const auto* m = target.known;
    std::cout << "use it: "
              << (m->role == models::ModelRole::kChat ? "LLM_MODEL_ID=" : "EMBEDDING_MODEL=")
              << m->alias << "\n";
    if (!m->chat_template_hint.empty()) {
      std::cout << "if its GGUF carries no chat template, also set LLM_CHAT_TEMPLATE="
                << m->chat_template_hint << "\n";
    }
  } else {
    std::cout << "use it: LLM_MODEL_ID=" << name
              << " (or EMBEDDING_MODEL=..., for an embedding model)\n";
  }
}

// Downloads with a progress display (Ctrl-C stops it, resumably); the exit code.
int download(const PullTarget& target, const models::DownloadRequest& request,
             const std::string& name) {
  std::cerr << "pulling " << target.name << " from " << request.url << "\n  into "
            << request.destination.string() << "\n";
  CliProgress progress(std::string(std::filesystem::path(target.file).filename().string()));
  models::DownloadResult result;
  try {
    const InterruptGuard interrupt_guard;
    result = models::makeCurlDownloader()->download(request, progress);
  } catch (const models::DownloadError& e) {
    progress.endBar();
    std::cerr << "chatbot models pull " << name << ": " << e.what() << "\n";
    return 1;
  }
  std::cout << "saved " << result.path.string() << " (" << models::formatSize(result.bytes)
            << ", sha256 " << result.sha256 << " verified against the " << result.sha256_source
            << " hash)\n";
  printHowToUse(target, name);
  return 0;
}

}  // namespace

int runModelsList(const CommonFlags& flags, const ModelsListFlags& list) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  if (list.json) {
    printModelsJson(*config);
  } else {
    printModelsTable(*config);
  }
  return 0;
}

int runModelsPull(const CommonFlags& flags, const ModelsPullFlags& pull) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  const auto target = pullTarget(pull.name);
  if (!target) {
    std::cerr << "chatbot models pull: unknown model '" << pull.name
              << "'. Give an alias from `chatbot models list` (e.g. tinyllama-1.1b-chat) or "
                 "REPO/FILE.gguf for any "
                 "GGUF on Hugging Face (e.g. "
                 "Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf).\n";
    return 2;
  }
  models::DownloadRequest request;
  if (!setExpectedHash(pull, *target, request)) return 2;
  request.destination = config->models_dir / std::filesystem::path(target->file).filename();
  std::error_code ec;
  if (std::filesystem::is_regular_file(request.destination, ec) && !pull.force) {
    std::cout << "already downloaded: " << request.destination.string()
              << " (pass --force to download and verify it again)\n";
    return 0;
  }
  if (pull.force) {
    std::filesystem::remove(request.destination, ec);
    std::filesystem::remove(request.destination.string() + ".part", ec);
  }
  setSource(*config, *target, request);
  request.cancel = &g_interrupted;
  return download(*target, request, pull.name);
}

}  // namespace chatbot::cli
