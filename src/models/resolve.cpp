#include "models/resolve.h"

#include <system_error>

#include "util/text.h"

namespace chatbot::models {

bool isNone(const std::string& spec) { return util::asciiLower(util::trim(spec)) == "none" || util::trim(spec).empty(); }

std::filesystem::path resolveModel(const std::string& spec, const std::filesystem::path& models_dir, ModelRole role) {
  const std::string variable = role == ModelRole::kChat ? "LLM_MODEL_ID" : "EMBEDDING_MODEL";
  std::error_code ec;
  const std::filesystem::path as_path(spec);
  if (std::filesystem::is_regular_file(as_path, ec)) return as_path;
  const std::filesystem::path in_dir = models_dir / as_path;
  if (std::filesystem::is_regular_file(in_dir, ec)) return in_dir;
  if (as_path.extension() != ".gguf") {
    const std::filesystem::path with_ext = models_dir / (spec + ".gguf");
    if (std::filesystem::is_regular_file(with_ext, ec)) return with_ext;
  }
  throw ModelNotFound(variable + "=" + spec + ": no such model file (looked for " + as_path.string() + " and in " +
                      models_dir.string() + "). Give a path to a .gguf file, or see `chatbot models list`.");
}

}  // namespace chatbot::models
