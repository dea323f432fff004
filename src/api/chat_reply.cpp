#include "api/chat_reply.h"

#include <fmt/format.h>

#include "api/support_json.h"
#include "tickets/ticket_json.h"
#include "util/json_escape.h"
#include "util/json_values.h"
#include "util/time.h"
#include "util/utf8.h"

namespace chatbot::api {

nlohmann::json articleMetadata(const kb::Article& a) {
  nlohmann::json m = a.metadata.is_object() ? a.metadata : nlohmann::json::object();
  m["id"] = a.id;
  if (!a.category.empty()) m["category"] = a.category;
  if (!a.tags.empty()) m["tags"] = a.tags;
  if (!a.difficulty.empty()) m["difficulty"] = a.difficulty;
  if (!a.url.empty()) m["url"] = a.url;
  if (!a.source.empty()) m["source"] = a.source;
  return m;
}

namespace {

// The reference API sends at most this many characters of the article in `context_used`, then
// "...", and its web client's layout is made for that; the whole article is in `search_results`.
constexpr std::size_t kContextUsedChars = 500;

// The article's entry in a reply's "sources", as citedSourcesJson shapes it, less what differs
// per answer (its number and score), without braces.
std::string sourceFragment(const kb::Article& a) {
  const store::CitedSource source{a.id, a.subject, a.category, a.url, 0, a.source};
  nlohmann::json item =
      tickets::citedSourcesJson({source}, tickets::SourcesStyle::kChatReply).at(0);
  item.erase("n");
  item.erase("score");
  const std::string json = item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return json.substr(1, json.size() - 2);
}

}  // namespace

ChatReplyWriter::ChatReplyWriter(const std::vector<kb::Article>& articles) : articles_(articles) {
  fragments_.reserve(articles.size());
  source_fragments_.reserve(articles.size());
  for (const auto& a : articles) source_fragments_.push_back(sourceFragment(a));
  for (const auto& a : articles) {
    std::string f =
        nlohmann::json{{"subject", a.subject}, {"answer", a.body}, {"metadata", articleMetadata(a)}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    f.pop_back();  // the closing brace: each reply appends the score first
    fragments_.push_back(std::move(f));
  }
}

namespace {

void appendStringArray(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    util::appendJsonString(out, items[i]);
  }
  out += ']';
}

}  // namespace

std::size_t ChatReplyWriter::searchResultsSize(const rag::ChatAnswer& answer) const {
  std::size_t size = 0;
  for (const auto& r : answer.results) {
    size += fragments_[static_cast<std::size_t>(r.article - articles_.data())].size() + 32;
  }
  return size;
}

void ChatReplyWriter::appendSearchResults(std::string& out, const rag::ChatAnswer& answer) const {
  out += '[';
  for (std::size_t i = 0; i < answer.results.size(); ++i) {
    const auto& r = answer.results[i];
    if (i > 0) out += ',';
    out += fragments_[static_cast<std::size_t>(r.article - articles_.data())];
    out += fmt::format(",\"score\":{}}}", r.score);
  }
  out += ']';
}

std::string ChatReplyWriter::write(const rag::ChatAnswer& answer, const std::string& request_id,
                                   double processing_seconds) const {
  std::string out;
  out.reserve(512 + answer.response.size() + answer.context_used.size() +
              searchResultsSize(answer));
  out += "{\"response\":";
  util::appendJsonString(out, answer.response);
  out += ",\"query\":";
  util::appendJsonString(out, answer.query);
  out += ",\"context_used\":";
  util::appendJsonString(out, util::preview(answer.context_used, kContextUsedChars));
  out += ",\"search_results\":";
  appendSearchResults(out, answer);
  out += fmt::format(",\"processing_time\":{},\"timestamp\":\"{}\",\"request_id\":",
                     processing_seconds, util::isoTimestampNow());
  util::appendJsonString(out, request_id);
  out += ",\"generator\":";
  util::appendJsonString(out, answer.generator);
  out += answer.answered ? ",\"answered\":true,\"warnings\":" : ",\"answered\":false,\"warnings\":";
  std::vector<std::string> warnings = answer.warnings;
  if (answer.conversation.new_session && answer.conversation.stored && answer.history_requested) {
    warnings.emplace_back(
        "The conversation you referred to has expired or does not exist; this question starts a "
        "new one.");
  }
  appendStringArray(out, warnings);
  appendConversation(out, answer);
  out += '}';
  return out;
}

void ChatReplyWriter::appendConversation(std::string& out, const rag::ChatAnswer& answer) const {
  const auto& c = answer.conversation;
  const support::Escalation escalation{c.escalation_suggested, c.escalation_reason,
                                       c.escalation_message};
  const nlohmann::json tail = {
      {"session_id", util::nullIfEmpty(c.session_id)},
      {"message_id", util::nullIfEmpty(c.message_id)},
      {"query_rewrite", util::nullIfEmpty(answer.rewritten_by)},
      {"intent", util::nullIfEmpty(std::string(rag::toString(answer.intent)))},
      {"standalone_query",
       answer.standalone_query.empty() ? answer.query : answer.standalone_query},
      {"escalation", escalationJson(escalation)}};
  // Spliced into the reply object: its members without the braces.
  const std::string members = tail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += ',';
  out.append(members, 1, members.size() - 2);
  appendSources(out, answer);
}

// "sources": the articles the answer was built from, numbered as the answer cites them.
void ChatReplyWriter::appendSources(std::string& out, const rag::ChatAnswer& answer) const {
  out += ",\"sources\":[";
  const std::size_t n = std::min(answer.sources_used, answer.results.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = answer.results[i];
    out += fmt::format("{}{{\"n\":{},", i > 0 ? "," : "", i + 1);
    out += source_fragments_[static_cast<std::size_t>(r.article - articles_.data())];
    out += fmt::format(",\"score\":{}}}", r.score);
  }
  out += ']';
}

std::string ChatReplyWriter::writeSources(const rag::ChatAnswer& partial) const {
  std::string out;
  out.reserve(256 + partial.query.size() + searchResultsSize(partial));
  out += "{\"query\":";
  util::appendJsonString(out, partial.query);
  out += ",\"search_results\":";
  appendSearchResults(out, partial);
  out += ",\"warnings\":";
  appendStringArray(out, partial.warnings);
  out += '}';
  return out;
}

}  // namespace chatbot::api
