#include "retrieval/synonyms.h"

#include <algorithm>
#include <stdexcept>

#include "util/file.h"
#include "util/hash.h"
#include "util/text.h"

namespace chatbot::retrieval {

std::vector<std::string> wordTokens(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (util::isWordByte(c)) {
      current.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                                               : static_cast<char>(c));
    } else if (c == '\'' && !current.empty() && i + 1 < text.size() &&
               util::isWordByte(static_cast<unsigned char>(text[i + 1]))) {
      current.push_back('\'');
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

SynonymTable SynonymTable::parse(std::string_view text) {
  SynonymTable table;
  std::unordered_map<std::string, std::size_t> index;  // variant phrase -> position in its bucket
  std::string canonical_material;
  int number = 0;
  for (auto line : util::split(text, '\n')) {
    ++number;
    line = util::withoutComment(line);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      throw std::runtime_error("synonyms line " + std::to_string(number) +
                               ": expected 'canonical: variant, ...'");
    }
    const auto canonical_words = wordTokens(line.substr(0, colon));
    if (canonical_words.size() != 1) {
      throw std::runtime_error("synonyms line " + std::to_string(number) +
                               ": the canonical term must be one word");
    }
    const std::string& canonical = canonical_words[0];
    ++table.groups_;
    canonical_material += canonical + ":";
    std::vector<std::string_view> variants = util::split(line.substr(colon + 1), ',');
    variants.push_back(canonical);
    for (const auto v : variants) {
      auto words = wordTokens(v);
      if (words.empty()) continue;
      std::string key;
      for (const auto& w : words) key += w + " ";
      canonical_material += key + ",";
      auto& bucket = table.by_first_word_[words[0]];
      const auto it = index.find(key);
      if (it != index.end()) {
        auto& existing = bucket[it->second].canonicals;
        if (std::find(existing.begin(), existing.end(), canonical) == existing.end()) {
          existing.push_back(canonical);
        }
        continue;
      }
      index[key] = bucket.size();
      bucket.push_back({std::move(words), {canonical}});
    }
    canonical_material += "\n";
  }
  for (auto& [first, bucket] : table.by_first_word_) {
    std::stable_sort(bucket.begin(), bucket.end(), [](const Variant& a, const Variant& b) {
      return a.words.size() > b.words.size();
    });
  }
  table.fingerprint_ = util::sha256Hex(canonical_material).substr(0, 16);
  return table;
}

SynonymTable SynonymTable::load(const std::filesystem::path& path) {
  std::string text;
  try {
    text = util::readFile(path);
  } catch (const std::runtime_error&) {
    throw std::runtime_error("cannot read synonyms file " + path.string() + "; set SYNONYMS_FILE");
  }
  return parse(text);
}

const SynonymTable::Variant* SynonymTable::match(const std::vector<std::string>& words,
                                                 std::size_t i) const {
  const auto it = by_first_word_.find(words[i]);
  if (it == by_first_word_.end()) return nullptr;
  for (const auto& v : it->second) {
    if (i + v.words.size() > words.size()) continue;
    if (std::equal(v.words.begin(), v.words.end(),
                   words.begin() + static_cast<std::ptrdiff_t>(i))) {
      return &v;
    }
  }
  return nullptr;
}

std::string SynonymTable::canonicalTerms(std::string_view text) const {
  const auto words = wordTokens(text);
  std::string out;
  for (std::size_t i = 0; i < words.size();) {
    const Variant* v = match(words, i);
    if (v == nullptr) {
      ++i;
      continue;
    }
    for (const auto& c : v->canonicals) out += c + " ";
    i += v->words.size();
  }
  return out;
}

std::string SynonymTable::rewriteQuery(std::string_view text) const {
  const auto words = wordTokens(text);
  std::string out;
  for (std::size_t i = 0; i < words.size();) {
    const Variant* v = match(words, i);
    if (v == nullptr) {
      out += words[i] + " ";
      ++i;
      continue;
    }
    for (const auto& c : v->canonicals) out += c + " ";
    i += v->words.size();
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace chatbot::retrieval
