#include "retrieval/dense_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/index_io.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "kb/markdown.h"
#include "observability/log.h"
#include "observability/progress.h"
#include "util/file.h"
#include "util/text.h"
#include "util/time.h"

namespace chatbot::retrieval {

namespace fs = std::filesystem;

namespace {

// Bump when denseArticleText or the file layout changes: older indexes are then rebuilt.
constexpr int kFormatVersion = 1;
constexpr std::size_t kTextsPerEmbedCall = 64;  // progress granularity while building
// Bytes of body text kept per context token before the embedder truncates by tokens: generous
// (a token is 3-5 bytes of English), so the cut is the tokenizer's, not ours.
constexpr std::size_t kBytesPerToken = 8;

// The manifest a freshly built index would have; compared field by field on open.
nlohmann::json expectedManifest(const DenseIndexSource& source, const llm::Embedder& embedder,
                                const DenseIndexOptions& options) {
  nlohmann::json m = {{"format_version", kFormatVersion},    {"embedder", embedder.identity()},
                      {"dimension", embedder.dimension()},   {"index_type", toString(options.kind)},
                      {"articles", source.articles->size()}, {"kb_identity", source.kb_identity}};
  if (options.kind == DenseIndexKind::kHnsw) {
    m["hnsw_m"] = options.hnsw_m;
    m["hnsw_ef_construction"] = options.hnsw_ef_construction;
  }
  return m;
}

// Why an existing manifest cannot be used with the expected one ("" when it can). Fields are
// compared most telling first, so the logged reason names the change that matters.
std::string mismatchReason(const nlohmann::json& found, const nlohmann::json& expected) {
  static const char* const kFields[] = {"format_version", "embedder",   "dimension",
                                        "index_type",     "hnsw_m",     "hnsw_ef_construction",
                                        "articles",       "kb_identity"};
  for (const char* key : kFields) {
    if (!expected.contains(key)) continue;
    if (!found.contains(key)) return std::string("its manifest has no ") + key;
    if (found[key] != expected[key]) {
      return std::string(key) + " changed from " + found[key].dump() + " to " +
             expected[key].dump();
    }
  }
  return {};
}

std::unique_ptr<faiss::IndexIDMap2> makeIndex(std::size_t dimension,
                                              const DenseIndexOptions& options) {
  const auto d = static_cast<faiss::Index::idx_t>(dimension);
  std::unique_ptr<faiss::Index> inner;
  if (options.kind == DenseIndexKind::kHnsw) {
    auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(static_cast<int>(d), options.hnsw_m,
                                                       faiss::METRIC_INNER_PRODUCT);
    hnsw->hnsw.efConstruction = options.hnsw_ef_construction;
    hnsw->hnsw.efSearch = options.hnsw_ef_search;
    inner = std::move(hnsw);
  } else {
    inner = std::make_unique<faiss::IndexFlatIP>(d);
  }
  auto map = std::make_unique<faiss::IndexIDMap2>(inner.release());
  map->own_fields = true;
  return map;
}

std::unique_ptr<faiss::Index> readIndex(const fs::path& file, std::size_t dimension,
                                        std::size_t vectors, const DenseIndexOptions& options) {
  std::unique_ptr<faiss::Index> index(faiss::read_index(file.c_str()));
  if (static_cast<std::size_t>(index->d) != dimension ||
      static_cast<std::size_t>(index->ntotal) != vectors) {
    throw std::runtime_error("it holds " + std::to_string(index->ntotal) +
                             " vectors of dimension " + std::to_string(index->d) +
                             ", its manifest says " + std::to_string(vectors) + " of " +
                             std::to_string(dimension));
  }
  auto* map = dynamic_cast<faiss::IndexIDMap2*>(index.get());
  if (map == nullptr) throw std::runtime_error("it is not an id-mapped index");
  // The search beam is a query-time setting, not part of the file's identity.
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(map->index)) {
    hnsw->hnsw.efSearch = options.hnsw_ef_search;
  }
  return index;
}

// Embeds every article and writes index + manifest into `tmp`.
void buildInto(const fs::path& tmp, const DenseIndexSource& source, const llm::Embedder& embedder,
               const DenseIndexOptions& options, const nlohmann::json& manifest) {
  const auto& articles = *source.articles;
  const std::size_t context = std::max<std::size_t>(embedder.status().context, 1);
  auto index = makeIndex(embedder.dimension(), options);
  std::unique_ptr<observability::ProgressBar> bar;
  if (options.show_progress) {
    bar = std::make_unique<observability::ProgressBar>("embedding", articles.size());
  }
  std::vector<std::string> texts;
  std::vector<float> flat;
  std::vector<faiss::Index::idx_t> ids;
  for (std::size_t first = 0; first < articles.size(); first += kTextsPerEmbedCall) {
    const std::size_t last = std::min(articles.size(), first + kTextsPerEmbedCall);
    texts.clear();
    for (std::size_t i = first; i < last; ++i) {
      texts.push_back(denseArticleText(articles[i], context));
    }
    const auto vectors = embedder.embed(texts);
    flat.clear();
    ids.clear();
    for (std::size_t i = 0; i < vectors.size(); ++i) {
      if (vectors[i].size() != embedder.dimension()) {
        throw std::runtime_error("the embedder returned a vector of the wrong size");
      }
      flat.insert(flat.end(), vectors[i].begin(), vectors[i].end());
      ids.push_back(static_cast<faiss::Index::idx_t>(first + i));
    }
    index->add_with_ids(static_cast<faiss::Index::idx_t>(ids.size()), flat.data(), ids.data());
    if (bar) bar->advance(last - first);
  }
  faiss::write_index(index.get(), (tmp / "faiss.index").c_str());
  nlohmann::json full = manifest;
  full["built_at"] = util::isoTimestampNow();
  util::writeFileAtomically(tmp / "manifest.json", full.dump(2));
}

// Why the index whose manifest is in `dir` needs rebuilding ("" when that manifest matches
// `expected`).
std::string manifestMismatch(const fs::path& dir, const nlohmann::json& expected) {
  try {
    return mismatchReason(nlohmann::json::parse(util::readFile(dir / "manifest.json")), expected);
  } catch (const nlohmann::json::exception& e) {
    return std::string("its manifest is unreadable (") + e.what() + ")";
  }
}

// Builds the index into a temporary folder beside `dir`, loads it, and puts it in place of `dir`.
// The caller holds the dense lock.
std::unique_ptr<faiss::Index> rebuild(const fs::path& dir, const DenseIndexSource& source,
                                      const llm::Embedder& embedder,
                                      const DenseIndexOptions& options,
                                      const nlohmann::json& manifest) {
  const fs::path tmp = source.index_dir / ("dense.tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    buildInto(tmp, source, embedder, options, manifest);
    auto index =
        readIndex(tmp / "faiss.index", embedder.dimension(), source.articles->size(), options);
    // Readers hold their index in memory; none reads the files outside the lock.
    fs::remove_all(dir);
    fs::rename(tmp, dir);
    return index;
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace

DenseIndexKind parseDenseIndexKind(const std::string& name) {
  if (name == "flat") return DenseIndexKind::kFlat;
  if (name == "hnsw") return DenseIndexKind::kHnsw;
  throw std::invalid_argument("unknown dense index type '" + name + "': use flat or hnsw");
}

std::string toString(DenseIndexKind kind) {
  return kind == DenseIndexKind::kHnsw ? "hnsw" : "flat";
}

std::string denseArticleText(const kb::Article& article, std::size_t context_tokens) {
  std::string text = article.subject;
  for (const auto& q : article.questions) text += "\n" + q;
  if (!article.tags.empty()) {
    text += "\n";
    for (std::size_t i = 0; i < article.tags.size(); ++i) {
      text += (i == 0 ? "" : ", ") + article.tags[i];
    }
  }
  std::string body = util::collapseWhitespace(kb::toPlainText(article.body));
  const std::size_t budget = context_tokens * kBytesPerToken;
  if (body.size() > budget) {
    std::size_t cut = budget;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) {
      --cut;  // UTF-8 boundary
    }
    body.resize(cut);
  }
  if (!body.empty()) text += "\n" + body;
  return text;
}

std::shared_ptr<const DenseIndex> DenseIndex::openOrBuild(const DenseIndexSource& source,
                                                          const llm::Embedder& embedder,
                                                          const DenseIndexOptions& options) {
  if (source.articles == nullptr) {
    throw std::invalid_argument("DenseIndex::openOrBuild needs the articles");
  }
  const auto started = std::chrono::steady_clock::now();
  const fs::path dir = source.index_dir / "dense";
  const nlohmann::json expected = expectedManifest(source, embedder, options);
  std::shared_ptr<DenseIndex> result(new DenseIndex());
  DenseIndexInfo& info = result->info_;
  info.dir = dir;
  info.embedder = embedder.identity();
  info.dimension = embedder.dimension();
  info.vectors = source.articles->size();
  info.kind = options.kind;

  // Builders in several processes (serve, ingest) are serialised; the loser reuses the winner's.
  const util::FileLock lock(source.index_dir / ".dense.lock");
  std::string reason;
  std::error_code ec;
  if (!fs::exists(dir / "manifest.json", ec)) {
    reason = "no dense index yet";
  } else {
    reason = manifestMismatch(dir, expected);
    if (reason.empty()) {
      try {
        result->index_ = readIndex(dir / "faiss.index", info.dimension, info.vectors, options);
        info.build_ms = util::millisSince(started);
        return result;
      } catch (const std::exception& e) {
        reason = std::string("its FAISS file is unusable (") + e.what() +
                 ")";  // damaged: always rebuilt
      }
    } else if (!options.rebuild_on_mismatch) {
      throw std::runtime_error("the dense index in " + dir.string() + " was built differently (" +
                               reason + "): run `chatbot ingest` to rebuild it");
    }
  }

  log::info("dense.rebuild", {{"dir", dir.string()},
                              {"reason", reason},
                              {"embedder", info.embedder},
                              {"articles", info.vectors},
                              {"index_type", toString(options.kind)}});
  result->index_ = rebuild(dir, source, embedder, options, expected);
  info.rebuilt = true;
  info.rebuild_reason = reason;
  info.build_ms = util::millisSince(started);
  return result;
}

DenseIndex::~DenseIndex() = default;

std::vector<DenseMatch> DenseIndex::search(const std::vector<float>& query, std::size_t k) const {
  if (query.size() != info_.dimension) {
    throw std::invalid_argument("query vector has " + std::to_string(query.size()) +
                                " dimensions, the index " + std::to_string(info_.dimension));
  }
  k = std::min(k, static_cast<std::size_t>(index_->ntotal));
  std::vector<DenseMatch> matches;
  if (k == 0) return matches;
  std::vector<float> similarities(k);
  std::vector<faiss::Index::idx_t> labels(k);
  index_->search(1, query.data(), static_cast<faiss::Index::idx_t>(k), similarities.data(),
                 labels.data());
  matches.reserve(k);
  for (std::size_t i = 0; i < k; ++i) {
    if (labels[i] < 0) continue;  // HNSW may find fewer than k
    matches.push_back({static_cast<std::size_t>(labels[i]), similarities[i]});
  }
  return matches;
}

DenseRetriever::DenseRetriever(std::shared_ptr<const llm::Embedder> embedder,
                               std::shared_ptr<const VectorIndex> index)
    : embedder_(std::move(embedder)), index_(std::move(index)) {
  if (embedder_->dimension() != index_->dimension()) {
    throw std::invalid_argument("the embedder's dimension does not match the dense index's");
  }
}

namespace {

// A query without a letter or digit ("???", "...") says nothing to search for. Embedded anyway,
// it would still be close to something, and every article would come back with a score. Bytes
// of multi-byte UTF-8 characters count as letters (scripts other than Latin).
bool hasSearchableText(std::string_view query) {
  return std::any_of(query.begin(), query.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || std::isalnum(byte) != 0;
  });
}

}  // namespace

std::vector<Hit> DenseRetriever::search(std::string_view query, std::size_t k) const {
  std::vector<Hit> hits;
  if (k == 0 || !hasSearchableText(query)) return hits;
  const std::string text(query);
  const auto vectors = embedder_->embed(std::span<const std::string>(&text, 1));
  for (const auto& m : index_->search(vectors.at(0), k)) {
    hits.push_back(
        {m.article, std::clamp(static_cast<double>(m.similarity), 0.0, 1.0), m.similarity});
  }
  return hits;
}

}  // namespace chatbot::retrieval
