#include "store/store_json.h"

#include <nlohmann/json.hpp>

namespace chatbot::store {

namespace {

// Field names are part of the stored format: renaming one needs a migration.

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json sourcesArray(const std::vector<CitedSource>& sources) {
  auto array = nlohmann::json::array();
  for (const auto& s : sources) {
    array.push_back({{"article_id", s.article_id},
                     {"subject", s.subject},
                     {"category", s.category},
                     {"url", s.url},
                     {"score", s.score}});
  }
  return array;
}

std::vector<CitedSource> sourcesFromArray(const nlohmann::json& array) {
  if (!array.is_array()) throw StoreError("stored sources are not a JSON array");
  std::vector<CitedSource> sources;
  sources.reserve(array.size());
  for (const auto& item : array) {
    sources.push_back({item.value("article_id", std::string()),
                       item.value("subject", std::string()), item.value("category", std::string()),
                       item.value("url", std::string()), item.value("score", 0.0)});
  }
  return sources;
}

}  // namespace

std::string sourcesToJson(const std::vector<CitedSource>& sources) {
  return dump(sourcesArray(sources));
}

std::string exchangesToJson(const std::vector<Exchange>& exchanges) {
  auto array = nlohmann::json::array();
  for (const auto& e : exchanges) {
    array.push_back({{"message_id", e.message_id},
                     {"session_id", e.session_id},
                     {"created_ms", e.created_ms},
                     {"query", e.query},
                     {"standalone_query", e.standalone_query},
                     {"response", e.response},
                     {"sources", sourcesArray(e.sources)},
                     {"answered", e.answered},
                     {"generator", e.generator},
                     {"escalation_reason", e.escalation_reason}});
  }
  return dump(array);
}

std::vector<CitedSource> sourcesFromJson(std::string_view json) try {
  return sourcesFromArray(nlohmann::json::parse(json));
} catch (const nlohmann::json::exception& e) {
  throw StoreError(std::string("stored sources are damaged JSON: ") + e.what());
}

std::vector<Exchange> exchangesFromJson(std::string_view json) try {
  const auto array = nlohmann::json::parse(json);
  if (!array.is_array()) throw StoreError("a stored transcript is not a JSON array");
  std::vector<Exchange> exchanges;
  exchanges.reserve(array.size());
  for (const auto& item : array) {
    Exchange& e = exchanges.emplace_back();
    e.message_id = item.value("message_id", std::string());
    e.session_id = item.value("session_id", std::string());
    e.created_ms = item.value("created_ms", EpochMs{0});
    e.query = item.value("query", std::string());
    e.standalone_query = item.value("standalone_query", std::string());
    e.response = item.value("response", std::string());
    e.sources = sourcesFromArray(item.value("sources", nlohmann::json::array()));
    e.answered = item.value("answered", false);
    e.generator = item.value("generator", std::string());
    e.escalation_reason = item.value("escalation_reason", std::string());
  }
  return exchanges;
} catch (const nlohmann::json::exception& e) {
  throw StoreError(std::string("a stored transcript is damaged JSON: ") + e.what());
}

}  // namespace chatbot::store
