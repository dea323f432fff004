#include "ingest/knowledge_index.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

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
  material << "v" << kFormatVersion << "|" << kb_hash << "|" << synonyms.fingerprint() << "|" << o.subject_weight
           << "," << o.question_weight << "," << o.tag_weight << "," << o.body_weight;
  // BM25 k1/b are query-time settings: changing them needs no rebuild.
  return util::sha256Hex(material.str()).substr(0, 16);
}

void buildInto(const fs::path& final_dir, const std::vector<kb::Article>& articles,
               const retrieval::SynonymTable& synonyms, const IndexOptions& options, const std::string& identity,
               const std::string& kb_hash) {
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
    if (options.show_progress) bar = std::make_unique<observability::ProgressBar>("indexing", articles.size());
    retrieval::buildXapianIndex(articles, tmp / "xapian", synonyms, options.lexical, [&] {
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

}  // namespace

std::shared_ptr<const KnowledgeIndex> KnowledgeIndex::open(const IndexOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto synonyms = std::make_shared<retrieval::SynonymTable>();
  if (!options.synonyms_file.empty()) {
    *synonyms = retrieval::SynonymTable::load(options.synonyms_file);
  }
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) throw std::runtime_error("cannot create DATA_DIR " + options.data_dir.string() + ": " + ec.message());

  std::shared_ptr<KnowledgeIndex> index(new KnowledgeIndex());
  IndexInfo& info = index->info_;
  const util::FileLock lock(options.data_dir / ".lock");

  if (fs::exists(options.kb_path, ec)) {
    kb::LoadResult loaded = kb::loadKnowledgeBase(options.kb_path);
    info.problems = std::move(loaded.problems);
    info.files = loaded.files.size();
    if (loaded.articles.empty()) {
      throw std::runtime_error("the knowledge base at " + options.kb_path.string() +
                               " has no valid articles; see data/kb/FORMAT.md");
    }
    const std::string& kb_hash = loaded.content_hash;
    info.identity = identityOf(kb_hash, *synonyms, options.lexical);
    info.index_dir = options.data_dir / ("index-" + info.identity);
    if (options.force_rebuild) fs::remove_all(info.index_dir);
    if (!fs::exists(info.index_dir / "manifest.json", ec)) {
      fs::remove_all(info.index_dir);
      buildInto(info.index_dir, loaded.articles, *synonyms, options, info.identity, kb_hash);
      info.rebuilt = true;
    }
    util::writeFileAtomically(options.data_dir / "CURRENT", "index-" + info.identity + "\n");
    // Older indexes are no longer reachable from CURRENT; a reader that opened one keeps its files
    // open, which POSIX allows.
    for (const auto& entry : fs::directory_iterator(options.data_dir)) {
      const auto name = entry.path().filename().string();
      if (name.rfind("index-", 0) == 0 && entry.path() != info.index_dir &&
          name.find(".tmp-") == std::string::npos) {
        fs::remove_all(entry.path(), ec);
      }
    }
  } else {
    const fs::path current = options.data_dir / "CURRENT";
    if (!fs::exists(current, ec)) {
      throw std::runtime_error("no knowledge base at " + options.kb_path.string() + " and no index in " +
                               options.data_dir.string() + ": set KB_DIR to your articles folder");
    }
    std::string name = util::readFile(current);
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    info.index_dir = options.data_dir / name;
    info.identity = name.substr(name.find('-') + 1);
  }

  const auto manifest = nlohmann::json::parse(util::readFile(info.index_dir / "manifest.json"));
  info.built_at = manifest.value("built_at", "");
  std::istringstream lines(util::readFile(info.index_dir / "articles.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) index->articles_.push_back(kb::articleFromJson(nlohmann::json::parse(line)));
  }
  auto retriever = std::make_unique<retrieval::XapianRetriever>(info.index_dir / "xapian", synonyms, options.lexical);
  if (retriever->documentCount() != index->articles_.size()) {
    throw std::runtime_error("index " + info.index_dir.string() +
                             " is inconsistent with its article store; run `chatbot ingest --rebuild`");
  }
  index->retriever_ = std::move(retriever);
  info.articles = index->articles_.size();
  info.build_ms = util::millisSince(started);
  return index;
}

}  // namespace chatbot::ingest
