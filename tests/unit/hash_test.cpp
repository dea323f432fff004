// SHA-256 of files and memory (util/hash.h).
#include "util/hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace chatbot::util {
namespace {

namespace fs = std::filesystem;

TEST(Sha256File, MatchesTheInMemoryHash) {
  const fs::path path = fs::temp_directory_path() / ("chatbot-sha-" + std::to_string(::getpid()));
  std::string bytes(3 * 1024 * 1024 + 17, 'q');
  bytes[12345] = 'z';
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(sha256File(path), sha256Hex(bytes));
  fs::remove(path);
  EXPECT_THROW(sha256File(path), std::runtime_error);
}

}  // namespace
}  // namespace chatbot::util
