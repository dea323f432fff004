#pragma once
// The enums of choice settings (LOG_LEVEL, LLM_SOURCE_CACHE, ...) and their accepted names. A
// setting's text is parsed into its enum once, at load; code that uses the setting switches on the
// enum.
#include <span>
#include <string_view>

namespace chatbot::config {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError, kCritical, kOff };
// parallel: reuse each article's KV cache across requests; off: evaluate the whole prompt.
enum class SourceCache { kParallel, kOff };
// Element type of the LLM's KV cache.
enum class KvType { kQ8_0, kF16 };
// auto: the LLM rewrites follow-ups when one is loaded, else rules do; rules: never the LLM.
enum class QueryRewrite { kAuto, kRules };
// auto: the pooling the embedding model declares in its metadata.
enum class EmbeddingPooling { kAuto, kMean, kCls, kLast };
// rrf: reciprocal-rank fusion; weighted: a weighted sum of lexical and dense scores.
enum class RetrievalFusion { kRrf, kWeighted };
// flat: exact inner product; hnsw: approximate (large knowledge bases).
enum class DenseIndexKind { kFlat, kHnsw };
// open: anonymous callers may chat (as employees without an identity); authenticated: every
// route but the public ones needs an identity.
enum class ChatAccess { kOpen, kAuthenticated };

// One accepted (lower-case) spelling of an enum value.
template <typename E>
struct ChoiceName {
  std::string_view name;
  E value;
};

// The accepted spellings of each enum: every value appears, its canonical name (the one
// toString() returns and error messages list) first; aliases such as "warn" follow it.
std::span<const ChoiceName<LogLevel>> choiceNames(LogLevel);
std::span<const ChoiceName<SourceCache>> choiceNames(SourceCache);
std::span<const ChoiceName<KvType>> choiceNames(KvType);
std::span<const ChoiceName<QueryRewrite>> choiceNames(QueryRewrite);
std::span<const ChoiceName<EmbeddingPooling>> choiceNames(EmbeddingPooling);
std::span<const ChoiceName<RetrievalFusion>> choiceNames(RetrievalFusion);
std::span<const ChoiceName<DenseIndexKind>> choiceNames(DenseIndexKind);
std::span<const ChoiceName<ChatAccess>> choiceNames(ChatAccess);

// The canonical name of `value`, e.g. "q8_0" for KvType::kQ8_0.
template <typename E>
std::string_view toString(E value) requires requires {
  choiceNames(value);
}
{
  for (const auto& choice : choiceNames(value)) {
    if (choice.value == value) return choice.name;
  }
  return {};  // unreachable while every value has a name (tested)
}

}  // namespace chatbot::config
