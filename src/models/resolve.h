#pragma once
// Turns a model setting (LLM_MODEL_ID, EMBEDDING_MODEL) into a GGUF file: a path to a .gguf file,
// a known alias or name (see models/registry.h) looked up in MODELS_DIR, or REPO/FILE.gguf as
// given to `chatbot models pull`, looked up in MODELS_DIR by its file name.
#include <filesystem>
#include <stdexcept>
#include <string>

#include "models/registry.h"

namespace chatbot::models {

// The setting names no usable file. what() says why and the command that fixes it (e.g.
// `chatbot models pull tinyllama-1.1b-chat`).
class ModelNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "none" (any case) means no model; callers check isNone() first.
bool isNone(const std::string& spec);

// Throws ModelNotFound.
std::filesystem::path resolveModel(const std::string& spec, const std::filesystem::path& models_dir,
                                   ModelRole role);

// True for "owner/repo/file.gguf" (a file in a Hugging Face repository, possibly in a subfolder).
bool isRepoFileSpec(const std::string& spec);

}  // namespace chatbot::models
