#pragma once
// Turns a model setting (LLM_MODEL_ID, EMBEDDING_MODEL) into a GGUF file: a path to a .gguf file,
// or a known alias (see models/registry.h) looked up in MODELS_DIR.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace chatbot::models {

enum class ModelRole { kChat, kEmbedding };

// The setting names no usable file. what() says why and the command that fixes it (e.g.
// `chatbot models pull tinyllama-1.1b-chat`).
class ModelNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "none" (any case) means no model; callers check isNone() first.
bool isNone(const std::string& spec);

// Throws ModelNotFound.
std::filesystem::path resolveModel(const std::string& spec, const std::filesystem::path& models_dir, ModelRole role);

}  // namespace chatbot::models
