#pragma once
// Loads knowledge-base articles from Markdown (YAML front matter), JSONL and CSV files.
// A problem in one article never hides the others: it is reported with its file and line, and the
// caller decides whether problems are fatal (`chatbot ingest`) or warnings (`chatbot serve`).
#include <filesystem>
#include <string>
#include <vector>

#include "kb/article.h"

namespace chatbot::kb {

struct LoadProblem {
  std::string where;    // "accounts/x.md", "faq.jsonl:12"
  std::string message;  // what is wrong and how to fix it
};

struct LoadResult {
  std::vector<Article> articles;  // unique ids, in a stable order (path, then position)
  std::vector<LoadProblem> problems;
  std::vector<std::filesystem::path> files;  // every KB file read, relative to the root
  // SHA-256 over every file's path and bytes, computed from the same read that parsed them:
  // changes whenever the KB does.
  std::string content_hash;
};

// `root` is a folder (searched recursively for *.md, *.markdown, *.jsonl, *.csv; README.md and
// FORMAT.md are documentation, not articles) or a single file.
LoadResult loadKnowledgeBase(const std::filesystem::path& root);

// Single-format parsers; `origin` names the file in problems.
void parseMarkdownArticle(const std::string& text, const std::string& origin, LoadResult& out);
void parseJsonlArticles(const std::string& text, const std::string& origin, LoadResult& out);
void parseCsvArticles(const std::string& text, const std::string& origin, LoadResult& out);

// RFC 4180 CSV: quoted fields, "" escapes, newlines inside quotes. Throws std::runtime_error on an
// unterminated quote.
std::vector<std::vector<std::string>> parseCsv(const std::string& text);

}  // namespace chatbot::kb
