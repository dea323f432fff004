#pragma once
// Downloads one file over HTTP(S) into place, resumably and verified:
//   - bytes go to <destination>.part; an existing .part is continued with a Range request (a server
//     that answers 200 instead of 206 restarts it from zero);
//   - transient failures (connection reset or refused, timeouts, 429, 5xx) are retried with
//     exponential backoff, each retry resuming where the last one stopped;
//   - the whole .part is SHA-256 checked before it is renamed to <destination> (atomic on one
//     filesystem), so <destination> only ever exists complete and verified. A mismatch deletes the
//     .part; an interruption (cancel flag, Ctrl-C) keeps it for the next run.
// The expected hash is the caller's, or else the one the server announces (Hugging Face sends the
// LFS file's sha256 in X-Linked-Etag on the redirect, or as the ETag); with neither, nothing is
// downloaded.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace chatbot::models {

struct DownloadRequest {
  std::string url;
  std::filesystem::path destination;  // final path; the transfer writes destination + ".part"
  std::string expected_sha256;        // lower-case hex; empty: use the server's announced hash
  std::string expected_sha256_source = "expected";  // named in messages, e.g. "pinned", "--sha256"
  std::string bearer_token;  // sent as Authorization: Bearer (HF_TOKEN); empty: none
  int max_attempts = 6;
  std::chrono::milliseconds first_backoff{1000};  // doubled after each failed attempt, at most 30 s
  std::chrono::seconds stall_timeout{60};         // an attempt with no bytes for this long fails
  const std::atomic<bool>* cancel = nullptr;      // set (e.g. by a SIGINT handler) to stop cleanly
};

struct DownloadResult {
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  std::string sha256;
  std::string sha256_source;       // who vouched for the hash: the request's source or "server"
  std::uint64_t resumed_from = 0;  // bytes of a .part that the first attempt continued
  int attempts = 0;
};

class DownloadError : public std::runtime_error {
 public:
  enum class Kind {
    kNotFound,
    kAccessDenied,
    kHttp,
    kNetwork,
    kChecksum,
    kNoChecksum,
    kDiskFull,
    kIo,
    kCancelled
  };
  DownloadError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Told about progress; called on the downloading thread.
class DownloadProgress {
 public:
  virtual ~DownloadProgress() = default;
  // A response started: `offset` bytes are already on disk, `total` is the full size (0: unknown).
  virtual void started(std::uint64_t offset, std::uint64_t total) = 0;
  virtual void advanced(std::uint64_t done) = 0;  // bytes on disk so far, including `offset`
  virtual void retrying(int attempt, const std::string& reason, std::chrono::milliseconds wait) = 0;
  virtual void verifying() = 0;
};

class Downloader {
 public:
  virtual ~Downloader() = default;
  // Throws DownloadError; on success the destination exists and matches the returned hash.
  virtual DownloadResult download(const DownloadRequest& request, DownloadProgress& progress) = 0;
};

// The HTTP(S) implementation (net::HttpClient, libcurl): follows redirects, sends the bearer token
// only to the first host. Make it before other threads use libcurl (it runs curl_global_init).
std::unique_ptr<Downloader> makeCurlDownloader();

// True for 64 hex digits (any case).
bool isSha256Hex(const std::string& text);

}  // namespace chatbot::models
