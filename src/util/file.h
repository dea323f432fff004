#pragma once
#include <filesystem>
#include <string>

namespace chatbot::util {

// Whole file as bytes. Throws std::runtime_error naming the path if it cannot be read.
std::string readFile(const std::filesystem::path& path);

// Writes `text` to `path` + ".tmp", then renames it over `path`, so readers see the old or the
// new content, never a partial file. Throws std::runtime_error if it cannot be written.
void writeFileAtomically(const std::filesystem::path& path, const std::string& text);

// Holds an exclusive flock on a lock file for its lifetime (created if missing). Serialises index
// builders across threads and processes; blocks until the lock is free. Throws
// std::runtime_error naming the file if it cannot be opened or locked.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& lock_file);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace chatbot::util
