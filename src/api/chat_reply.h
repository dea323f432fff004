#pragma once
// Serialises POST /chat replies. Each search result carries a whole article, which is the same for
// every request that returns it, so an article's JSON is built once, when the service becomes
// ready, and spliced into each reply. Immutable after construction: safe to share across threads.
#include <string>
#include <vector>

#include "kb/article.h"
#include "rag/chat_service.h"

namespace chatbot::api {

class ChatReplyWriter {
 public:
  // `articles` must outlive the writer (both belong to the same KnowledgeIndex).
  explicit ChatReplyWriter(const std::vector<kb::Article>& articles);

  // The reply body: the reference fields (response, query, context_used, search_results,
  // processing_time, timestamp; context_used cut to the reference's 500 characters + "...") plus
  // request_id, generator, answered, warnings, session_id,
  // message_id, standalone_query, sources and escalation.
  std::string write(const rag::ChatAnswer& answer, const std::string& request_id,
                    double processing_seconds) const;
  // What a chat stream sends before the answer: {"query", "search_results", "warnings"}, the
  // search results exactly as write() renders them. `partial` as AnswerObserver::onSources has it.
  std::string writeSources(const rag::ChatAnswer& partial) const;

 private:
  void appendSearchResults(std::string& out, const rag::ChatAnswer& answer) const;
  // session_id, message_id, standalone_query, sources (the articles the answer was built from,
  // numbered as the answer cites them) and escalation.
  void appendConversation(std::string& out, const rag::ChatAnswer& answer) const;
  void appendSources(std::string& out, const rag::ChatAnswer& answer) const;
  std::size_t searchResultsSize(const rag::ChatAnswer& answer) const;

  const std::vector<kb::Article>& articles_;
  // For article i: `{"subject":...,"answer":...,"metadata":{...}` without the closing brace, so a
  // reply appends `,"score":S}`.
  std::vector<std::string> fragments_;
  // For article i: its entry in "sources" (tickets::citedSourcesJson's chat-reply shape) without
  // "n" and "score" and without the braces, so a reply writes `{"n":N,` + this + `,"score":S}`.
  std::vector<std::string> source_fragments_;
};

// An article's `metadata` object as clients see it: its extra fields plus id, category, tags,
// difficulty, url and source.
nlohmann::json articleMetadata(const kb::Article& article);

}  // namespace chatbot::api
