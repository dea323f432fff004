#pragma once
// The models `chatbot models pull` knows by name: for each, a short alias, the other names users
// type (the original model's Hugging Face id, common short names), and one GGUF file on Hugging
// Face that llama.cpp loads. A setting such as LLM_MODEL_ID=tinyllama-1.1b-chat resolves to
// MODELS_DIR/<file> (see models/resolve.h).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::models {

enum class ModelRole { kChat, kEmbedding };
std::string_view toString(ModelRole role);

struct KnownModel {
  std::string_view alias;  // lower-case, unique, e.g. "tinyllama-1.1b-chat"
  ModelRole role;
  std::vector<std::string_view> other_names;  // matched case-insensitively, like the alias
  std::string_view repo;                      // Hugging Face repository holding the GGUF
  std::string_view file;  // file in that repository (also its name in MODELS_DIR)
  // Lower-case hex SHA-256 of `file`, copied from the file's Hugging Face page ("Git LFS details").
  // Empty where none was found published: the pull then trusts the hash the server announces.
  std::string_view sha256;
  std::uint64_t approx_bytes;  // for `models list` and the free-space check wording
  // llama.cpp template name to use when the GGUF carries no chat template; empty: it has one (or
  // the model is an embedding model).
  std::string_view chat_template_hint;
  std::string_view description;
};

// Every known model, chat models first. Immutable.
std::span<const KnownModel> knownModels();

// The model whose alias or other name equals `name` (ASCII case-insensitive, surrounding
// whitespace ignored), or nullptr.
const KnownModel* findKnownModel(std::string_view name);

// "668 MB", "1.71 GB", "25 MB": decimal units, as Hugging Face shows file sizes.
std::string formatSize(std::uint64_t bytes);

}  // namespace chatbot::models
