#include "models/resolve.h"

#include <system_error>

#include "util/text.h"

namespace chatbot::models {

namespace {

std::string variableFor(ModelRole role) {
  return role == ModelRole::kChat ? "LLM_MODEL_ID" : "EMBEDDING_MODEL";
}

bool isFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

bool isNone(const std::string& spec) {
  return util::asciiLower(util::trim(spec)) == "none" || util::trim(spec).empty();
}

bool isRepoFileSpec(const std::string& spec) {
  const auto parts = util::split(spec, '/');
  if (parts.size() < 3 || !spec.ends_with(".gguf")) return false;
  for (const auto part : parts) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

std::filesystem::path resolveModel(const std::string& spec, const std::filesystem::path& models_dir,
                                   ModelRole role) {
  const std::string variable = variableFor(role);
  std::filesystem::path as_path(spec);
  // An existing file always wins, so a local path is never shadowed by an alias.
  if (isFile(as_path)) return as_path;

  if (const KnownModel* known = findKnownModel(spec)) {
    if (known->role != role) {
      throw ModelNotFound(variable + "=" + spec + ": '" + std::string(known->alias) + "' is a" +
                          (known->role == ModelRole::kChat ? " chat" : "n embedding") +
                          " model, not a" + (role == ModelRole::kChat ? " chat" : "n embedding") +
                          " model. Pick another one from `chatbot models list`.");
    }
    std::filesystem::path file = models_dir / known->file;
    if (isFile(file)) return file;
    throw ModelNotFound(variable + "=" + spec + ": " + file.string() +
                        " is not downloaded yet. Fix: `chatbot models pull " +
                        std::string(known->alias) + "` (about " + formatSize(known->approx_bytes) +
                        "), or set " + variable + "=none.");
  }

  std::filesystem::path in_dir = models_dir / as_path;
  if (isFile(in_dir)) return in_dir;
  if (as_path.extension() != ".gguf") {
    std::filesystem::path with_ext = models_dir / (spec + ".gguf");
    if (isFile(with_ext)) return with_ext;
  }
  if (isRepoFileSpec(spec)) {
    // Pulled files are stored under their own name, without the repository's folders.
    std::filesystem::path pulled = models_dir / as_path.filename();
    if (isFile(pulled)) return pulled;
    throw ModelNotFound(variable + "=" + spec + ": " + pulled.string() +
                        " is not downloaded yet. Fix: `chatbot models pull " + spec + "`, or set " +
                        variable + "=none.");
  }
  throw ModelNotFound(
      variable + "=" + spec + ": no such model file (looked for " + as_path.string() + " and in " +
      models_dir.string() +
      "). Give a path to a .gguf file, a name from `chatbot models list`, or none.");
}

}  // namespace chatbot::models
