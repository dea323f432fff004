#pragma once
// Swagger UI files (from the swagger-ui-dist npm package) held in memory and served under /docs.
// Loaded once at start; read-only afterwards, so safe to share across threads.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace chatbot::api {

struct Asset {
  std::string content_type;
  std::string body;
};

class StaticAssets {
 public:
  // Loads the known Swagger UI files from `dir`; a missing folder leaves the set empty, in which
  // case /docs explains how to install them.
  void loadSwaggerUi(const std::filesystem::path& dir, const std::string& title);
  const Asset* find(const std::string& name) const;
  bool swaggerInstalled() const noexcept { return installed_; }
  const std::string& indexHtml() const noexcept { return index_html_; }

 private:
  std::map<std::string, Asset> files_;
  std::string index_html_;
  bool installed_ = false;
};

}  // namespace chatbot::api
