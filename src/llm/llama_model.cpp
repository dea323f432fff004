#include "llm/llama_model.h"

#include <llama.h>

#include <system_error>

#include "observability/log.h"
#include "util/mutex.h"
#include "util/text.h"

namespace chatbot::llm {

namespace {

// llama.cpp logs line fragments; complete lines are forwarded at debug level (warnings and errors
// at their own level) so model loading chatter stays out of normal logs. Called from llama.cpp's
// threads: the partial line is guarded.
void forwardLog(ggml_log_level level, const char* text, void* /*user*/) {
  static util::Mutex mutex;
  static std::string pending GUARDED_BY(mutex);
  static ggml_log_level pending_level GUARDED_BY(mutex) = GGML_LOG_LEVEL_DEBUG;
  const util::MutexLock lock(mutex);
  if (level != GGML_LOG_LEVEL_CONT) pending_level = level;
  pending += text;
  if (pending.empty() || pending.back() != '\n') return;
  const std::string line(util::trim(pending));
  pending.clear();
  if (line.empty()) return;
  switch (pending_level) {
    case GGML_LOG_LEVEL_ERROR:
      log::error("llama.log", {{"message", line}});
      break;
    case GGML_LOG_LEVEL_WARN:
      log::debug("llama.log", {{"message", line}, {"llama_level", "warn"}});
      break;
    default:
      log::write(log::Level::kTrace, "llama.log", {{"message", line}});
      break;
  }
}

}  // namespace

void ModelDeleter::operator()(llama_model* model) const noexcept {
  llama_model_free(model);
}
void ContextDeleter::operator()(llama_context* context) const noexcept {
  llama_free(context);
}

void ensureBackend() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(forwardLog, nullptr);
    llama_backend_init();
  });
}

ModelHandle loadModel(const std::filesystem::path& path, bool map_file) {
  ensureBackend();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ModelLoadError("model file " + path.string() + " does not exist");
  }
  llama_model_params params = llama_model_default_params();
  params.load_mode = map_file ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
  ModelHandle model(llama_model_load_from_file(path.string().c_str(), params));
  if (!model) {
    throw ModelLoadError("llama.cpp could not load " + path.string() +
                         " (not a GGUF file, an unsupported architecture, or damaged)");
  }
  return model;
}

std::string metadata(const llama_model* model, const std::string& key) {
  std::string value(256, '\0');
  int n = llama_model_meta_val_str(model, key.c_str(), value.data(), value.size());
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) >= value.size()) {
    value.resize(static_cast<std::size_t>(n) + 1);
    n = llama_model_meta_val_str(model, key.c_str(), value.data(), value.size());
  }
  value.resize(static_cast<std::size_t>(n));
  return value;
}

std::vector<int> tokenize(const llama_vocab* vocab, const std::string& text, bool add_special,
                          bool parse_special) {
  std::vector<llama_token> tokens(text.size() + 8);
  int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                         static_cast<int32_t>(tokens.size()), add_special, parse_special);
  if (n < 0) {
    tokens.resize(static_cast<std::size_t>(-n));
    n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                       static_cast<int32_t>(tokens.size()), add_special, parse_special);
  }
  tokens.resize(static_cast<std::size_t>(std::max(n, 0)));
  return {tokens.begin(), tokens.end()};
}

std::string tokenText(const llama_vocab* vocab, int token, bool special) {
  char buf[256];
  int n = llama_token_to_piece(vocab, token, buf, sizeof buf, 0, special);
  if (n >= 0) return std::string(buf, static_cast<std::size_t>(n));
  std::string big(static_cast<std::size_t>(-n), '\0');
  n = llama_token_to_piece(vocab, token, big.data(), static_cast<int32_t>(big.size()), 0, special);
  big.resize(static_cast<std::size_t>(std::max(n, 0)));
  return big;
}

std::string fileIdentity(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return path.filename().string() + ":" + std::to_string(ec ? 0 : size);
}

}  // namespace chatbot::llm
