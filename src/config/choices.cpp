#include "config/choices.h"

namespace chatbot::config {

namespace {

constexpr ChoiceName<LogLevel> kLogLevels[] = {
    {"trace", LogLevel::kTrace},       {"debug", LogLevel::kDebug},    {"info", LogLevel::kInfo},
    {"warning", LogLevel::kWarning},   {"warn", LogLevel::kWarning},   {"error", LogLevel::kError},
    {"critical", LogLevel::kCritical}, {"fatal", LogLevel::kCritical}, {"off", LogLevel::kOff},
    {"none", LogLevel::kOff},
};
constexpr ChoiceName<SourceCache> kSourceCaches[] = {{"parallel", SourceCache::kParallel},
                                                     {"off", SourceCache::kOff}};
constexpr ChoiceName<KvType> kKvTypes[] = {{"q8_0", KvType::kQ8_0}, {"f16", KvType::kF16}};
constexpr ChoiceName<QueryRewrite> kQueryRewrites[] = {{"auto", QueryRewrite::kAuto},
                                                       {"rules", QueryRewrite::kRules}};
constexpr ChoiceName<EmbeddingPooling> kPoolings[] = {{"auto", EmbeddingPooling::kAuto},
                                                      {"mean", EmbeddingPooling::kMean},
                                                      {"cls", EmbeddingPooling::kCls},
                                                      {"last", EmbeddingPooling::kLast}};
constexpr ChoiceName<RetrievalFusion> kFusions[] = {{"rrf", RetrievalFusion::kRrf},
                                                    {"weighted", RetrievalFusion::kWeighted}};
constexpr ChoiceName<DenseIndexKind> kDenseIndexKinds[] = {{"flat", DenseIndexKind::kFlat},
                                                           {"hnsw", DenseIndexKind::kHnsw}};
constexpr ChoiceName<ChatAccess> kChatAccesses[] = {{"open", ChatAccess::kOpen},
                                                    {"authenticated", ChatAccess::kAuthenticated}};

}  // namespace

std::span<const ChoiceName<LogLevel>> choiceNames(LogLevel) {
  return kLogLevels;
}
std::span<const ChoiceName<SourceCache>> choiceNames(SourceCache) {
  return kSourceCaches;
}
std::span<const ChoiceName<KvType>> choiceNames(KvType) {
  return kKvTypes;
}
std::span<const ChoiceName<QueryRewrite>> choiceNames(QueryRewrite) {
  return kQueryRewrites;
}
std::span<const ChoiceName<EmbeddingPooling>> choiceNames(EmbeddingPooling) {
  return kPoolings;
}
std::span<const ChoiceName<RetrievalFusion>> choiceNames(RetrievalFusion) {
  return kFusions;
}
std::span<const ChoiceName<DenseIndexKind>> choiceNames(DenseIndexKind) {
  return kDenseIndexKinds;
}
std::span<const ChoiceName<ChatAccess>> choiceNames(ChatAccess) {
  return kChatAccesses;
}

}  // namespace chatbot::config
