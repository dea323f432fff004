#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chatbot::kb {

// One knowledge-base entry, whatever file format it came from. Immutable once loaded.
struct Article {
  std::string id;
  std::string subject;
  std::string category;
  std::string difficulty;
  std::vector<std::string> tags;
  std::vector<std::string> questions;  // alternative phrasings of the subject
  std::string body;                    // Markdown (plain text is valid Markdown)
  std::string url;                     // optional link to the article's canonical page
  std::string source;                  // file it was loaded from, relative to the KB root
  nlohmann::json metadata = nlohmann::json::object();  // extra fields, passed through to clients
};

nlohmann::json toJson(const Article& article);
Article articleFromJson(const nlohmann::json& j);  // throws nlohmann::json::exception on bad shape

}  // namespace chatbot::kb
