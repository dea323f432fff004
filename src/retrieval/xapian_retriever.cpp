#include "retrieval/xapian_retriever.h"

#include <xapian.h>

#include <stdexcept>

#include "kb/markdown.h"
#include "retrieval/stopwords.h"

namespace chatbot::retrieval {

namespace {

constexpr const char* kLanguage = "english";

void addStopwords(Xapian::SimpleStopper& stopper) {
  for (const auto w : englishStopwords()) stopper.add(std::string(w));
}

void indexField(Xapian::TermGenerator& generator, const SynonymTable& synonyms,
                const std::string& text, unsigned weight) {
  if (text.empty() || weight == 0) return;
  generator.index_text_without_positions(text, weight);
  const std::string canonical = synonyms.canonicalTerms(text);
  if (!canonical.empty()) generator.index_text_without_positions(canonical, weight);
}

}  // namespace

void buildXapianIndex(const std::vector<kb::Article>& articles, const std::filesystem::path& dir,
                      const SynonymTable& synonyms, const LexicalOptions& options,
                      const std::function<void()>& progress) {
  Xapian::WritableDatabase db(dir.string(), Xapian::DB_CREATE);
  Xapian::TermGenerator generator;
  generator.set_stemmer(Xapian::Stem(kLanguage));
  generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  Xapian::SimpleStopper stopper;
  addStopwords(stopper);
  generator.set_stopper(&stopper);
  generator.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
  for (std::size_t i = 0; i < articles.size(); ++i) {
    const auto& a = articles[i];
    Xapian::Document doc;
    generator.set_document(doc);
    indexField(generator, synonyms, a.subject, options.subject_weight);
    for (const auto& q : a.questions) indexField(generator, synonyms, q, options.question_weight);
    std::string tags;
    for (const auto& t : a.tags) tags += t + ". ";
    indexField(generator, synonyms, tags, options.tag_weight);
    indexField(generator, synonyms, kb::toPlainText(a.body), options.body_weight);
    doc.add_boolean_term("Q" + a.id);
    doc.set_data(a.id);
    db.replace_document(static_cast<Xapian::docid>(i + 1), doc);
    if (progress) progress();
  }
  db.commit();
  db.close();
}

struct XapianRetriever::Searcher {
  explicit Searcher(const std::filesystem::path& dir, const LexicalOptions& options)
      : db(dir.string()), enquire(db) {
    addStopwords(stopper);
    parser.set_database(db);
    parser.set_stemmer(Xapian::Stem(kLanguage));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_ALL_Z);
    parser.set_stopper(&stopper);
    parser.set_default_op(Xapian::Query::OP_OR);
    enquire.set_weighting_scheme(Xapian::BM25Weight(options.k1, 0.0, 1.0, options.b, 0.5));
  }
  Xapian::Database db;
  Xapian::SimpleStopper stopper;  // referenced by parser: declared before it
  Xapian::QueryParser parser;
  Xapian::Enquire enquire;
};

XapianRetriever::XapianRetriever(const std::filesystem::path& dir,
                                 std::shared_ptr<const SynonymTable> synonyms,
                                 LexicalOptions options)
    : dir_(dir), synonyms_(std::move(synonyms)), options_(options) {
  try {
    auto first = std::make_unique<Searcher>(dir_, options_);
    document_count_ = first->db.get_doccount();
    pool_.push_back(std::move(first));
  } catch (const Xapian::Error& e) {
    throw std::runtime_error("cannot open search index " + dir_.string() + ": " + e.get_msg());
  }
}

XapianRetriever::~XapianRetriever() = default;

std::unique_ptr<XapianRetriever::Searcher> XapianRetriever::acquire() const {
  {
    const util::MutexLock lock(pool_mutex_);
    if (!pool_.empty()) {
      auto s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  return std::make_unique<Searcher>(dir_, options_);
}

void XapianRetriever::release(std::unique_ptr<Searcher> searcher) const {
  const util::MutexLock lock(pool_mutex_);
  pool_.push_back(std::move(searcher));
}

std::vector<Hit> XapianRetriever::search(std::string_view query, std::size_t k) const {
  std::vector<Hit> hits;
  if (k == 0) return hits;
  const std::string rewritten = synonyms_ ? synonyms_->rewriteQuery(query) : std::string(query);
  auto searcher = acquire();
  try {
    // No boolean operators, wildcards or phrases: users type prose, and "-" or "AND" in it must
    // not change the meaning of their question.
    const Xapian::Query parsed = searcher->parser.parse_query(rewritten, 0);
    if (!parsed.empty()) {
      searcher->enquire.set_query(parsed);
      const Xapian::MSet mset = searcher->enquire.get_mset(0, static_cast<Xapian::doccount>(k));
      hits.reserve(mset.size());
      // Xapian's percentage: the best result's share of the query terms (unknown words count
      // against it), scaled for the others by their weight relative to the best.
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        hits.push_back(
            {static_cast<std::size_t>(*it - 1), it.get_percent() / 100.0, it.get_weight()});
      }
    }
  } catch (const Xapian::Error& e) {
    release(std::move(searcher));
    throw std::runtime_error("search failed: " + e.get_msg());
  }
  release(std::move(searcher));
  return hits;
}

}  // namespace chatbot::retrieval
