#include "kb/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_set>

#include "util/file.h"
#include "util/hash.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::kb {

namespace fs = std::filesystem;

namespace {

bool validId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
}

// Checks the fields every article needs, whatever its format.
bool validate(Article& a, const std::string& where, LoadResult& out) {
  auto problem = [&](std::string message) {
    out.problems.push_back({where, std::move(message)});
    return false;
  };
  a.subject = util::collapseWhitespace(a.subject);
  if (!validId(a.id)) {
    return problem("'id' is missing or has characters other than letters, digits, - _ . :");
  }
  if (a.subject.empty()) return problem("'subject' is missing or empty");
  if (util::trim(a.body).empty()) return problem("the answer/body is empty");
  if (!util::isValidUtf8(a.subject) || !util::isValidUtf8(a.body)) {
    return problem("text is not valid UTF-8");
  }
  if (!a.difficulty.empty() && a.difficulty != "beginner" && a.difficulty != "intermediate" &&
      a.difficulty != "advanced") {
    return problem("'difficulty' must be beginner, intermediate or advanced");
  }
  return true;
}

std::vector<std::string> yamlStringList(const YAML::Node& node, const char* field) {
  std::vector<std::string> values;
  if (!node) return values;
  if (node.IsScalar()) {  // "tags: a, b" is accepted as a comma-separated list
    for (const auto part : util::split(node.as<std::string>(), ',')) {
      if (!util::trim(part).empty()) values.emplace_back(util::trim(part));
    }
    return values;
  }
  if (!node.IsSequence()) {
    throw std::runtime_error(std::string("'") + field + "' must be a list of strings");
  }
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      throw std::runtime_error(std::string("'") + field + "' must be a list of strings");
    }
    values.push_back(item.as<std::string>());
  }
  return values;
}

void addArticle(Article a, const std::string& where, LoadResult& out) {
  if (validate(a, where, out)) out.articles.push_back(std::move(a));
}

}  // namespace

void parseMarkdownArticle(const std::string& text, const std::string& origin, LoadResult& out) {
  std::string_view rest(text);
  if (rest.rfind("\xEF\xBB\xBF", 0) == 0) rest.remove_prefix(3);  // UTF-8 BOM
  if (rest.rfind("---", 0) != 0) {
    out.problems.push_back({origin, "no front matter: the file must start with a '---' line"});
    return;
  }
  const std::size_t first_nl = rest.find('\n');
  std::size_t close = rest.find("\n---", first_nl);
  while (close != std::string_view::npos) {
    const std::size_t after = close + 4;
    if (after >= rest.size() || rest[after] == '\n' || rest[after] == '\r') break;
    close = rest.find("\n---", after);
  }
  if (first_nl == std::string_view::npos || close == std::string_view::npos) {
    out.problems.push_back({origin, "front matter is not closed by a '---' line"});
    return;
  }
  const std::string yaml(rest.substr(first_nl + 1, close - first_nl - 1));
  const std::size_t body_start = rest.find('\n', close + 4);
  Article a;
  a.source = origin;
  a.body = body_start == std::string_view::npos
               ? ""
               : std::string(util::trim(rest.substr(body_start + 1)));
  try {
    const YAML::Node fm = YAML::Load(yaml);
    if (!fm.IsMap()) throw std::runtime_error("front matter must be a YAML mapping");
    static const std::set<std::string> kKnown = {"id",         "subject",   "category", "tags",
                                                 "difficulty", "questions", "url",      "title"};
    a.id = fm["id"] ? fm["id"].as<std::string>() : "";
    a.subject = fm["subject"] ? fm["subject"].as<std::string>()
                              : (fm["title"] ? fm["title"].as<std::string>() : "");
    a.category = fm["category"] ? fm["category"].as<std::string>() : "";
    a.difficulty = fm["difficulty"] ? fm["difficulty"].as<std::string>() : "";
    a.url = fm["url"] ? fm["url"].as<std::string>() : "";
    a.tags = yamlStringList(fm["tags"], "tags");
    a.questions = yamlStringList(fm["questions"], "questions");
    for (const auto& kv : fm) {
      const auto key = kv.first.as<std::string>();
      if (!kKnown.count(key) && kv.second.IsScalar()) a.metadata[key] = kv.second.as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    out.problems.push_back({origin, "front matter is not valid YAML: " + e.msg + " (line " +
                                        std::to_string(e.mark.line + 2) + ")"});
    return;
  } catch (const std::exception& e) {
    out.problems.push_back({origin, e.what()});
    return;
  }
  if (a.category.empty()) {
    const fs::path parent = fs::path(origin).parent_path();
    if (!parent.empty()) a.category = parent.filename().string();
  }
  addArticle(std::move(a), origin, out);
}

void parseJsonlArticles(const std::string& text, const std::string& origin, LoadResult& out) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (util::trim(line).empty()) continue;
    const std::string where = origin + ":" + std::to_string(number);
    try {
      const auto j = nlohmann::json::parse(line);
      if (!j.is_object()) throw std::runtime_error("each line must be a JSON object");
      Article a;
      a.id = j.contains("id") && j["id"].is_number_integer()
                 ? std::to_string(j["id"].get<long long>())
                 : j.value("id", "");
      a.subject = j.value("subject", j.value("question", ""));
      a.body = j.value("answer", j.value("body", ""));
      a.source = origin;
      if (j.contains("metadata") && j["metadata"].is_object()) a.metadata = j["metadata"];
      a.category = a.metadata.value("category", j.value("category", ""));
      a.url = a.metadata.value("url", j.value("url", ""));
      if (a.metadata.contains("tags") && a.metadata["tags"].is_array()) {
        a.tags = a.metadata["tags"].get<std::vector<std::string>>();
      }
      if (j.contains("questions") && j["questions"].is_array()) {
        a.questions = j["questions"].get<std::vector<std::string>>();
      }
      addArticle(std::move(a), where, out);
    } catch (const std::exception& e) {
      out.problems.push_back({where, std::string("not a valid article object: ") + e.what()});
    }
  }
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quoted field");
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

void parseCsvArticles(const std::string& text, const std::string& origin, LoadResult& out) {
  std::vector<std::vector<std::string>> rows;
  try {
    rows = parseCsv(text);
  } catch (const std::exception& e) {
    out.problems.push_back({origin, std::string("CSV is malformed: ") + e.what()});
    return;
  }
  if (rows.empty()) return;
  std::vector<std::string> header;
  for (const auto& h : rows[0]) header.push_back(util::asciiLower(util::trim(h)));
  auto column = [&](std::initializer_list<const char*> names) -> int {
    for (const char* n : names) {
      const auto it = std::find(header.begin(), header.end(), n);
      if (it != header.end()) return static_cast<int>(it - header.begin());
    }
    return -1;
  };
  const int id = column({"id"}), subject = column({"subject", "question", "title"}),
            answer = column({"answer", "body"}), category = column({"category"}),
            tags = column({"tags"}), url = column({"url"});
  if (id < 0 || subject < 0 || answer < 0) {
    out.problems.push_back(
        {origin, "the header row must name at least the columns id, subject, answer"});
    return;
  }
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    auto cell = [&](int c) {
      return c >= 0 && static_cast<std::size_t>(c) < row.size() ? row[c] : std::string();
    };
    Article a;
    a.id = std::string(util::trim(cell(id)));
    a.subject = cell(subject);
    a.body = cell(answer);
    a.category = cell(category);
    a.url = cell(url);
    const std::string tag_cell = cell(tags);  // split() returns views into it: keep it alive
    for (const auto t :
         util::split(tag_cell, tag_cell.find(';') != std::string::npos ? ';' : ',')) {
      if (!util::trim(t).empty()) a.tags.emplace_back(util::trim(t));
    }
    a.source = origin;
    addArticle(std::move(a), origin + ":row " + std::to_string(r + 1), out);
  }
}

namespace {

bool isArticleFile(const fs::path& path) {
  const auto name = path.filename().string();
  if (name == "README.md" || name == "FORMAT.md" || name.front() == '.') return false;
  const auto ext = util::asciiLower(path.extension().string());
  return ext == ".md" || ext == ".markdown" || ext == ".jsonl" || ext == ".csv";
}

// The article files under `root` (a folder, searched recursively, or one file), relative to
// `root`'s folder and sorted, so that the load order and the content hash do not depend on the
// file system. Nullopt, with a problem recorded, when `root` is neither.
std::optional<std::vector<fs::path>> articleFiles(const fs::path& root, LoadResult& out) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    files.push_back(root.filename());
    return files;
  }
  if (!fs::is_directory(root, ec)) {
    out.problems.push_back(
        {root.string(), "knowledge base not found: set KB_DIR or --kb to a folder or file"});
    return std::nullopt;
  }
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && isArticleFile(it->path())) {
      files.push_back(fs::relative(it->path(), root));
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void parseArticleFile(const std::string& text, const fs::path& rel, LoadResult& out) {
  const std::string origin = rel.generic_string();
  const auto ext = util::asciiLower(rel.extension().string());
  if (ext == ".jsonl") {
    parseJsonlArticles(text, origin, out);
  } else if (ext == ".csv") {
    parseCsvArticles(text, origin, out);
  } else {
    parseMarkdownArticle(text, origin, out);
  }
}

// Ids are the public handle of an article (citations, feedback): a duplicate is a problem, and
// the first one is kept.
void dropDuplicateIds(LoadResult& out) {
  std::unordered_set<std::string> seen;
  std::vector<Article> unique;
  unique.reserve(out.articles.size());
  for (auto& a : out.articles) {
    if (!seen.insert(a.id).second) {
      out.problems.push_back({a.source, "duplicate id '" + a.id + "' (the first one is kept)"});
      continue;
    }
    unique.push_back(std::move(a));
  }
  out.articles = std::move(unique);
}

}  // namespace

LoadResult loadKnowledgeBase(const fs::path& root) {
  LoadResult out;
  std::optional<std::vector<fs::path>> files = articleFiles(root, out);
  if (!files) return out;
  std::error_code ec;
  const fs::path base = fs::is_regular_file(root, ec) ? root.parent_path() : root;
  // The hash covers each file's name and content, so a rename re-indexes as an edit does.
  std::string hash_material;
  for (const auto& rel : *files) {
    std::string text;
    try {
      text = util::readFile(base / rel);
    } catch (const std::exception& e) {
      out.problems.push_back({rel.generic_string(), e.what()});
      continue;
    }
    hash_material += rel.generic_string();
    hash_material.push_back('\0');
    hash_material += util::sha256Hex(text);
    hash_material.push_back('\n');
    parseArticleFile(text, rel, out);
  }
  out.files = std::move(*files);
  out.content_hash = util::sha256Hex(hash_material);
  dropDuplicateIds(out);
  return out;
}

}  // namespace chatbot::kb
