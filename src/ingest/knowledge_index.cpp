#include "ingest/knowledge_index.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "observability/progress.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/time.h"

namespace chatbot::ingest {

namespace fs = std::filesystem;

namespace {

constexpr int kFormatVersion = 1;

std::string identityOf(const std::string& kb_hash, const retrieval::SynonymTable& synonyms,
                       const retrieval::LexicalOptions& o) {
  std::ostringstream material;
  material << "v" << kFormatVersion << "|" << kb_hash << "|" << synonyms.fingerprint() << "|"
           << o.subject_weight << "," << o.question_weight << "," << o.tag_weight << ","
           << o.body_weight;
  // BM25 k1/b are query-time settings: changing them needs no rebuild.
  return util::sha256Hex(material.str()).substr(0, 16);
}

void buildInto(const fs::path& final_dir, const std::vector<kb::Article>& articles,
               const retrieval::SynonymTable& synonyms, const IndexOptions& options,
               const std::string& identity, const std::string& kb_hash) {
  const fs::path tmp = final_dir.string() + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  {
    std::ofstream out(tmp / "articles.jsonl", std::ios::binary);
    for (const auto& a : articles) out << kb::toJson(a).dump() << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + (tmp / "articles.jsonl").string());
  }
  {
    std::unique_ptr<observability::ProgressBar> bar;
    if (options.show_progress) {
      bar = std::make_unique<observability::ProgressBar>("indexing", articles.size());
    }
    const auto& engine = *options.lexical_engine;
    engine.build(articles, tmp / engine.folder, synonyms, options.lexical, [&] {
      if (bar) bar->advance();
    });
  }
  const nlohmann::json manifest = {{"format_version", kFormatVersion},
                                   {"identity", identity},
                                   {"kb_hash", kb_hash},
                                   {"synonyms", synonyms.fingerprint()},
                                   {"articles", articles.size()},
                                   {"built_at", util::isoTimestampNow()}};
  util::writeFileAtomically(tmp / "manifest.json", manifest.dump(2));
  fs::rename(tmp, final_dir);
}

// Older indexes are no longer reachable from CURRENT; a reader that opened one keeps its files
// open, which POSIX allows.
void removeOlderIndexes(const fs::path& data_dir, const fs::path& current) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("index-", 0) == 0 && entry.path() != current &&
        name.find(".tmp-") == std::string::npos) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

}  // namespace

std::shared_ptr<const KnowledgeIndex> KnowledgeIndex::open(const IndexOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto synonyms = std::make_shared<retrieval::SynonymTable>();
  if (!options.synonyms_file.empty()) {
    *synonyms = retrieval::SynonymTable::load(options.synonyms_file);
  }
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create DATA_DIR " + options.data_dir.string() + ": " +
                             ec.message());
  }
  std::shared_ptr<KnowledgeIndex> index(new KnowledgeIndex());
  {
    const util::FileLock lock(options.data_dir / ".lock");
    if (fs::exists(options.kb_path, ec)) {
      index->buildIfChanged(options, *synonyms);
    } else {
      index->useCurrent(options);
    }
    index->load(options, std::move(synonyms));
  }
  index->info_.build_ms = util::millisSince(started);
  return index;
}

void KnowledgeIndex::buildIfChanged(const IndexOptions& options,
                                    const retrieval::SynonymTable& synonyms) {
  kb::LoadResult loaded = kb::loadKnowledgeBase(options.kb_path);
  info_.problems = std::move(loaded.problems);
  info_.files = loaded.files.size();
  if (loaded.articles.empty()) {
    throw std::runtime_error("the knowledge base at " + options.kb_path.string() +
                             " has no valid articles; see data/kb/FORMAT.md");
  }
  const std::string& kb_hash = loaded.content_hash;
  info_.identity = identityOf(kb_hash, synonyms, options.lexical);
  info_.index_dir = options.data_dir / ("index-" + info_.identity);
  if (options.force_rebuild) fs::remove_all(info_.index_dir);
  std::error_code ec;
  if (!fs::exists(info_.index_dir / "manifest.json", ec)) {
    fs::remove_all(info_.index_dir);
    buildInto(info_.index_dir, loaded.articles, synonyms, options, info_.identity, kb_hash);
    info_.rebuilt = true;
  }
  util::writeFileAtomically(options.data_dir / "CURRENT", "index-" + info_.identity + "\n");
  removeOlderIndexes(options.data_dir, info_.index_dir);
}

void KnowledgeIndex::useCurrent(const IndexOptions& options) {
  const fs::path current = options.data_dir / "CURRENT";
  std::error_code ec;
  if (!fs::exists(current, ec)) {
    throw std::runtime_error("no knowledge base at " + options.kb_path.string() +
                             " and no index in " + options.data_dir.string() +
                             ": set KB_DIR to your articles folder");
  }
  std::string name = util::readFile(current);
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  info_.index_dir = options.data_dir / name;
  info_.identity = name.substr(name.find('-') + 1);
}

void KnowledgeIndex::load(const IndexOptions& options,
                          std::shared_ptr<const retrieval::SynonymTable> synonyms) {
  const auto manifest = nlohmann::json::parse(util::readFile(info_.index_dir / "manifest.json"));
  info_.built_at = manifest.value("built_at", "");
  std::istringstream lines(util::readFile(info_.index_dir / "articles.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) articles_.push_back(kb::articleFromJson(nlohmann::json::parse(line)));
  }
  term_statistics_ = std::make_shared<const retrieval::TermStatistics>(articles_, synonyms);
  const auto& engine = *options.lexical_engine;
  auto opened = engine.open(info_.index_dir / engine.folder, std::move(synonyms), options.lexical);
  if (opened.documents != articles_.size()) {
    throw std::runtime_error("index " + info_.index_dir.string() +
                             " is inconsistent with its article store; run `chatbot ingest "
                             "--rebuild`");
  }
  retriever_ = std::move(opened.retriever);
  info_.articles = articles_.size();
}

}  // namespace chatbot::ingest
