// KnowledgeIndex: building the index when the KB changes, reusing it when it does not, and serving
// without the KB folder.
#include "ingest/knowledge_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chatbot::ingest {
namespace {

namespace fs = std::filesystem;

TEST(KnowledgeIndex, ReopeningAnUnchangedKbReusesTheIndex) {
  const fs::path dir =
      fs::temp_directory_path() / ("chatbot-ki-reopen-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
  o.data_dir = dir;
  o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
  const auto first = ingest::KnowledgeIndex::open(o);
  EXPECT_TRUE(first->info().rebuilt);
  const auto again = ingest::KnowledgeIndex::open(o);
  EXPECT_FALSE(again->info().rebuilt);
  EXPECT_EQ(again->info().identity, first->info().identity);
  fs::remove_all(dir);
}

TEST(KnowledgeIndex, RebuildsWhenTheKbChangesAndServesWithoutTheKb) {
  const fs::path root =
      fs::temp_directory_path() / ("chatbot-ki-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "kb");
  std::ofstream(root / "kb" / "a.md")
      << "---\nid: a\nsubject: Printer offline\n---\n1. Restart the printer.";
  IndexOptions o;
  o.kb_path = root / "kb";
  o.data_dir = root / "data";
  const auto first = KnowledgeIndex::open(o);
  EXPECT_TRUE(first->info().rebuilt);
  std::ofstream(root / "kb" / "b.md") << "---\nid: b\nsubject: VPN fails\n---\n1. Reconnect.";
  const auto second = KnowledgeIndex::open(o);
  EXPECT_TRUE(second->info().rebuilt);
  EXPECT_EQ(second->articles().size(), 2u);
  EXPECT_NE(second->info().identity, first->info().identity);
  // Deployed without the KB folder: the current index still serves.
  fs::remove_all(root / "kb");
  const auto third = KnowledgeIndex::open(o);
  EXPECT_EQ(third->articles().size(), 2u);
  EXPECT_EQ(third->retriever().search("vpn", 1).size(), 1u);
  fs::remove_all(root);
}

TEST(KnowledgeIndex, NoKbAndNoIndexIsAClearError) {
  IndexOptions o;
  o.kb_path = "/nonexistent/kb";
  o.data_dir = fs::temp_directory_path() / ("chatbot-empty-" + std::to_string(::getpid()));
  try {
    KnowledgeIndex::open(o);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("KB_DIR"), std::string::npos);
  }
  fs::remove_all(o.data_dir);
}

}  // namespace
}  // namespace chatbot::ingest
