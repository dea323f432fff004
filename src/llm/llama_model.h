#pragma once
// What the llama.cpp engines share: one-time backend set-up (with llama.cpp's log routed to ours),
// RAII handles for models and contexts, and small helpers over the C API.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct llama_model;
struct llama_context;
struct llama_vocab;

namespace chatbot::llm {

// A model that is missing, unreadable or not a usable GGUF. what() says what to do.
class ModelLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelDeleter {
  void operator()(llama_model* model) const noexcept;
};
struct ContextDeleter {
  void operator()(llama_context* context) const noexcept;
};
using ModelHandle = std::unique_ptr<llama_model, ModelDeleter>;
using ContextHandle = std::unique_ptr<llama_context, ContextDeleter>;

// Initialises llama.cpp once per process; idempotent and thread-safe.
void ensureBackend();

// Loads a GGUF file. Throws ModelLoadError.
// `map_file`: memory-map the file instead of reading it. Mapping shares pages between processes,
// but llama.cpp repacks quantized weights for the CPU into new buffers, so a mapped file is held
// twice (the mapped pages stay resident beside the repacked copy): reading costs about half the
// memory for the same speed (docs/BENCHMARKS.md).
ModelHandle loadModel(const std::filesystem::path& path, bool map_file = false);

// A string from the GGUF metadata ("" when absent).
std::string metadata(const llama_model* model, const std::string& key);

// Tokenizes `text` (no special-token parsing unless `parse_special`). Never fails for valid UTF-8.
std::vector<int> tokenize(const llama_vocab* vocab, const std::string& text, bool add_special,
                          bool parse_special);

// The text of one token (special tokens rendered only when `special`).
std::string tokenText(const llama_vocab* vocab, int token, bool special = false);

// "name (size MiB)" style identity of a model file: file name plus byte size, cheap to compute.
std::string fileIdentity(const std::filesystem::path& path);

}  // namespace chatbot::llm
