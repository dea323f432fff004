#include "models/downloader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>

#include "models/registry.h"
#include "net/http_client.h"
#include "util/hash.h"
#include "util/text.h"

namespace chatbot::models {

bool isSha256Hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

namespace {

using Kind = DownloadError::Kind;
constexpr std::chrono::milliseconds kMaxBackoff{30'000};
constexpr std::chrono::milliseconds kBackoffSlice{50};

// An ETag that is a SHA-256 (Hugging Face LFS files), lower-cased; empty for anything else, e.g.
// the git blob id of a small file or a CDN's own tag. Weak tags (W/"...") and quotes are stripped.
std::string sha256FromEtag(std::string_view value) {
  value = util::trim(value);
  if (value.starts_with("W/")) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  const std::string tag = util::asciiLower(value);
  return isSha256Hex(tag) ? tag : std::string();
}

// The .part file, opened for appending. Invariant: its size equals `size`.
class PartFile {
 public:
  explicit PartFile(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw DownloadError(Kind::kIo, "cannot write " + path_.string() + ": " +
                                         std::generic_category().message(errno));
    }
    std::error_code ec;
    size = std::filesystem::file_size(path_, ec);
  }
  ~PartFile() { close(); }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  void truncate() {
    if (::ftruncate(fd_, 0) != 0) {
      throw DownloadError(Kind::kIo, "cannot truncate " + path_.string());
    }
    size = 0;
  }
  // Returns 0 on success, else errno.
  int append(const char* data, std::size_t length) {
    while (length > 0) {
      const ssize_t n = ::write(fd_, data, length);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      data += n;
      length -= static_cast<std::size_t>(n);
      size += static_cast<std::uint64_t>(n);
    }
    return 0;
  }
  void syncAndClose() {
    if (fd_ >= 0 && ::fsync(fd_) != 0) {
      throw DownloadError(Kind::kIo, "cannot flush " + path_.string());
    }
    close();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size = 0;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

std::string keptMessage(const PartFile& part) {
  return part.size == 0 ? std::string()
                        : " " + formatSize(part.size) + " are kept in " + part.path().string() +
                              "; run the same command again to resume.";
}

bool cancelled(const DownloadRequest& request) {
  return request.cancel != nullptr && request.cancel->load();
}

// State of one HTTP exchange (one attempt), shared with the body sink; lives on the downloading
// thread's stack.
struct Transfer {
  const DownloadRequest& request;
  DownloadProgress& progress;
  PartFile& part;
  std::string& announced_sha256;  // kept across attempts: the first hash the server announced

  // What the final response's head says (after redirects), except the linked hash, which the
  // redirect carries. Refreshed by readHeads.
  long status = 0;
  std::string etag_sha256;
  std::string linked_sha256;
  std::optional<std::uint64_t> content_length;
  std::string content_range;
  std::string server_message;  // Hugging Face's X-Error-Message

  bool body_started = false;
  bool writing = false;
  bool restart = false;  // the .part cannot be continued: truncate it and try again
  std::uint64_t total = 0;
  std::optional<DownloadError> failure;  // why the sink stopped the exchange

  void readHeads(std::span<const net::ResponseHead> heads);
  // Checks the response before its first byte is written; false stops the exchange.
  bool beginBody();
  bool write(std::string_view chunk);

 private:
  bool placeBody();  // sets `total`; false when the range does not continue the .part
  bool checkAnnouncedHash();
  bool checkDiskSpace();
};

void Transfer::readHeads(std::span<const net::ResponseHead> heads) {
  // The last X-Linked-Etag of the chain wins; the other fields describe the final response.
  for (const auto& head : heads) {
    if (head.has("x-linked-etag")) linked_sha256 = sha256FromEtag(head.field("x-linked-etag"));
  }
  static const net::ResponseHead kNoHead;
  const net::ResponseHead& final_head = heads.empty() ? kNoHead : heads.back();
  status = final_head.status;
  etag_sha256 = sha256FromEtag(final_head.field("etag"));
  content_length = final_head.contentLength();
  content_range = std::string(final_head.field("content-range"));
  server_message = std::string(final_head.field("x-error-message"));
}

bool Transfer::beginBody() {
  body_started = true;
  if (status != 200 && status != 206) return true;  // an error page: read and discarded
  if (!placeBody() || !checkAnnouncedHash() || !checkDiskSpace()) return false;
  writing = true;
  progress.started(part.size, total);
  return true;
}

bool Transfer::placeBody() {
  if (status == 206) {
    const auto range = net::parseContentRange(content_range);
    if (!range || !range->first || *range->first != part.size) {
      restart = true;  // the server sent a different range than asked for
      return false;
    }
    total = range->total;
  } else {
    if (part.size > 0) part.truncate();  // Range ignored: start over rather than append twice
    total = content_length.value_or(0);
  }
  return true;
}

bool Transfer::checkAnnouncedHash() {
  const std::string announced = !linked_sha256.empty() ? linked_sha256 : etag_sha256;
  if (!announced.empty()) {
    if (!announced_sha256.empty() && announced != announced_sha256) {
      failure.emplace(Kind::kChecksum,
                      "the file changed on the server during the download (its sha256 went from " +
                          announced_sha256 + " to " + announced + "). Run the command again.");
      restart = true;
      return false;
    }
    announced_sha256 = announced;
  }
  const std::string& expected = request.expected_sha256;
  if (!expected.empty() && !announced.empty() && announced != expected) {
    failure.emplace(
        Kind::kChecksum,
        "the server says this file's sha256 is " + announced + ", but the " +
            request.expected_sha256_source + " sha256 is " + expected +
            ". Nothing was downloaded. The file was probably replaced upstream; if you trust the "
            "new one, pass --sha256 " +
            announced + ".");
    return false;
  }
  if (expected.empty() && announced.empty()) {
    failure.emplace(
        Kind::kNoChecksum,
        "the server announced no sha256 for this file (no X-Linked-Etag or SHA-256 ETag) and none "
        "is known for it, so it could not be verified. Nothing was downloaded. Pass --sha256 HEX "
        "(the SHA256 shown on the file's Hugging Face page).");
    return false;
  }
  return true;
}

bool Transfer::checkDiskSpace() {
  if (total <= part.size) return true;
  std::error_code ec;
  const auto space = std::filesystem::space(part.path().parent_path(), ec);
  if (ec || space.available >= total - part.size) return true;
  failure.emplace(Kind::kDiskFull, "not enough disk space: " + formatSize(total - part.size) +
                                       " needed, " + formatSize(space.available) + " free in " +
                                       part.path().parent_path().string() +
                                       ". Free some space or set MODELS_DIR to a bigger disk.");
  return false;
}

bool Transfer::write(std::string_view chunk) {
  if (!writing) return true;
  if (const int error = part.append(chunk.data(), chunk.size()); error != 0) {
    const bool full = error == ENOSPC || error == EDQUOT;
    failure.emplace(full ? Kind::kDiskFull : Kind::kIo,
                    (full ? "disk full while writing " : "cannot write ") + part.path().string() +
                        ": " + std::generic_category().message(error) + ".");
    return false;
  }
  progress.advanced(part.size);
  return true;
}

// Connection problems that another attempt may not meet.
bool isTransient(net::Transport transport) {
  switch (transport) {
    case net::Transport::kTimeout:
    case net::Transport::kConnectFailed:
    case net::Transport::kConnectionLost:
    case net::Transport::kTlsHandshake:
      return true;
    default:
      return false;
  }
}

// The GET for one attempt: continues a non-empty .part with a Range request.
net::HttpRequest httpRequestFor(const DownloadRequest& request, std::uint64_t offset) {
  net::HttpRequest http;
  http.url = request.url;
  if (offset > 0) http.headers.push_back("Range: bytes=" + std::to_string(offset) + "-");
  http.bearer_token = request.bearer_token;  // not forwarded to the CDN a redirect leads to
  http.follow_redirects = true;
  http.max_redirects = 10;
  http.connect_timeout = std::chrono::seconds(30);
  http.stall_timeout = request.stall_timeout;
  return http;
}

[[noreturn]] void throwAccessDenied(const DownloadRequest& request, long status,
                                    const std::string& from_server) {
  throw DownloadError(
      Kind::kAccessDenied,
      "HTTP " + std::to_string(status) + " for " + request.url + from_server + ": access denied. " +
          (request.bearer_token.empty()
               ? "The repository may be gated or private (or may not exist): accept its terms on "
                 "its Hugging Face page, create an access token at "
                 "https://huggingface.co/settings/tokens and set HF_TOKEN to it."
               : "HF_TOKEN was sent and refused: check that the token is valid and that its "
                 "account has accepted the model's terms on its Hugging Face page."));
}

class HttpDownloader final : public Downloader {
 public:
  DownloadResult download(const DownloadRequest& request, DownloadProgress& progress) override;

 private:
  enum class Outcome { kComplete, kRetry, kRestart };
  Outcome attempt(const DownloadRequest& request, DownloadProgress& progress, PartFile& part,
                  std::string& announced_sha256, std::string& reason) const;
  net::HttpResponse exchange(const DownloadRequest& request, Transfer& t) const;
  static Outcome outcomeForStatus(const DownloadRequest& request, const Transfer& t,
                                  const PartFile& part, std::string& announced_sha256,
                                  std::string& reason);

  net::HttpClient http_;  // runs curl_global_init when the downloader is made
};

net::HttpResponse HttpDownloader::exchange(const DownloadRequest& request, Transfer& t) const {
  const net::BodySink sink{[&t](std::span<const net::ResponseHead> heads) {
                             t.readHeads(heads);
                             return t.beginBody();
                           },
                           [&t](std::string_view chunk) { return t.write(chunk); }};
  net::HttpRequest http = httpRequestFor(request, t.part.size);
  http.sink = &sink;
  http.on_progress = [&request](const net::TransferProgress&) { return !cancelled(request); };
  net::HttpResponse response = http_.perform(http);
  t.readHeads(response.heads);
  return response;
}

HttpDownloader::Outcome HttpDownloader::attempt(const DownloadRequest& request,
                                                DownloadProgress& progress, PartFile& part,
                                                std::string& announced_sha256,
                                                std::string& reason) const {
  Transfer t{request, progress, part, announced_sha256};
  const net::HttpResponse response = exchange(request, t);
  if (response.transport == net::Transport::kSetupFailed) {
    throw DownloadError(Kind::kIo, response.error);
  }
  if (t.failure) {
    const Kind kind = t.failure->kind();
    if (kind == Kind::kChecksum && t.restart) part.truncate();
    // Only a local problem leaves a .part worth resuming; after a hash problem it would not help.
    const bool resumable = kind == Kind::kDiskFull || kind == Kind::kIo;
    throw DownloadError(kind,
                        std::string(t.failure->what()) + (resumable ? keptMessage(part) : ""));
  }
  if (t.restart) {
    reason = "the server answered a different range than requested";
    return Outcome::kRestart;
  }
  if (response.transport == net::Transport::kAborted && cancelled(request)) {
    throw DownloadError(Kind::kCancelled, "interrupted." + keptMessage(part));
  }
  if (!response.transportOk()) {
    reason = response.error;
    if (isTransient(response.transport)) return Outcome::kRetry;
    throw DownloadError(Kind::kNetwork, request.url + ": " + reason);
  }
  // An empty body never reaches the sink; the checks still apply.
  if (!t.body_started && (t.status == 200 || t.status == 206) && !t.beginBody()) {
    throw DownloadError(t.failure ? t.failure->kind() : Kind::kIo,
                        t.failure ? t.failure->what() : "download failed");
  }
  return outcomeForStatus(request, t, part, announced_sha256, reason);
}

HttpDownloader::Outcome HttpDownloader::outcomeForStatus(const DownloadRequest& request,
                                                         const Transfer& t, const PartFile& part,
                                                         std::string& announced_sha256,
                                                         std::string& reason) {
  const std::string from_server =
      t.server_message.empty() ? "" : " (server: " + t.server_message + ")";
  switch (t.status) {
    case 200:
    case 206:
      if (t.total != 0 && part.size != t.total) {
        reason = "the connection closed at " + std::to_string(part.size) + " of " +
                 std::to_string(t.total) + " bytes";
        return Outcome::kRetry;
      }
      return Outcome::kComplete;
    case 416:
      // Range not satisfiable: the .part is already complete, or longer than the file.
      if (const auto r = net::parseContentRange(t.content_range);
          r && r->total == part.size && part.size > 0) {
        // No body came, so take the announced hash from the headers; the final check uses it.
        if (announced_sha256.empty()) {
          announced_sha256 = !t.linked_sha256.empty() ? t.linked_sha256 : t.etag_sha256;
        }
        return Outcome::kComplete;
      }
      reason = "the partial file does not fit the file on the server";
      return Outcome::kRestart;
    case 401:
    case 403:
      throwAccessDenied(request, t.status, from_server);
    case 404:
      throw DownloadError(
          Kind::kNotFound,
          "HTTP 404 for " + request.url + from_server +
              ": no such file. Check the repository and file name, and HF_ENDPOINT.");
    default:
      if (t.status == 429 || t.status >= 500) {
        reason = "HTTP " + std::to_string(t.status) + from_server;
        return Outcome::kRetry;
      }
      throw DownloadError(Kind::kHttp,
                          "HTTP " + std::to_string(t.status) + " for " + request.url + from_server);
  }
}

// Waits `wait` before the next attempt, in slices so that Ctrl-C is honoured during it too.
void waitBeforeRetry(const DownloadRequest& request, std::chrono::milliseconds wait,
                     const PartFile& part) {
  for (auto slept = std::chrono::milliseconds(0); slept < wait; slept += kBackoffSlice) {
    if (cancelled(request)) {
      throw DownloadError(Kind::kCancelled, "interrupted." + keptMessage(part));
    }
    std::this_thread::sleep_for(std::min(kBackoffSlice, wait - slept));
  }
}

std::filesystem::path preparePartPath(const std::filesystem::path& destination) {
  std::error_code ec;
  if (destination.has_parent_path()) {
    std::filesystem::create_directories(destination.parent_path(), ec);
  }
  if (ec) {
    throw DownloadError(
        Kind::kIo, "cannot create " + destination.parent_path().string() + ": " + ec.message());
  }
  return destination.string() + ".part";
}

// Checks the complete .part against the expected hash and renames it into place.
void verifyAndInstall(const DownloadRequest& request, PartFile& part,
                      const std::string& announced_sha256, DownloadProgress& progress,
                      DownloadResult& result) {
  part.syncAndClose();
  progress.verifying();
  result.sha256 = util::sha256File(part.path());
  result.bytes = part.size;
  const std::string expected =
      !request.expected_sha256.empty() ? request.expected_sha256 : announced_sha256;
  result.sha256_source =
      !request.expected_sha256.empty() ? request.expected_sha256_source : "server";
  if (expected.empty()) {
    throw DownloadError(Kind::kNoChecksum,
                        "no sha256 is known for this file, so it was not installed. Pass --sha256 "
                        "HEX (the SHA256 shown on the file's Hugging Face page)." +
                            keptMessage(part));
  }
  std::error_code ec;
  if (result.sha256 != expected) {
    std::filesystem::remove(part.path(), ec);
    throw DownloadError(Kind::kChecksum,
                        "sha256 mismatch: the " + result.sha256_source + " sha256 is " + expected +
                            " but the downloaded file's is " + result.sha256 +
                            ". The download was deleted and nothing was installed; run the command "
                            "again. If it fails again, the server (HF_ENDPOINT) serves a different "
                            "file than expected.");
  }
  std::filesystem::rename(part.path(), request.destination, ec);
  if (ec) {
    throw DownloadError(Kind::kIo, "cannot rename " + part.path().string() + " to " +
                                       request.destination.string() + ": " + ec.message());
  }
}

DownloadResult HttpDownloader::download(const DownloadRequest& request,
                                        DownloadProgress& progress) {
  PartFile part(preparePartPath(request.destination));
  DownloadResult result;
  result.path = request.destination;
  result.resumed_from = part.size;
  std::string announced_sha256;
  std::chrono::milliseconds wait = request.first_backoff;
  for (int attempt = 1;; ++attempt) {
    result.attempts = attempt;
    std::string reason;
    const Outcome outcome = this->attempt(request, progress, part, announced_sha256, reason);
    if (outcome == Outcome::kComplete) break;
    if (attempt >= request.max_attempts) {
      throw DownloadError(Kind::kNetwork, "gave up after " + std::to_string(attempt) +
                                              " attempts: " + reason + "." + keptMessage(part));
    }
    if (outcome == Outcome::kRestart) {
      part.truncate();
      continue;
    }
    progress.retrying(attempt, reason, wait);
    waitBeforeRetry(request, wait, part);
    wait = std::min(wait * 2, kMaxBackoff);
  }
  verifyAndInstall(request, part, announced_sha256, progress, result);
  return result;
}

}  // namespace

std::unique_ptr<Downloader> makeCurlDownloader() {
  return std::make_unique<HttpDownloader>();
}

}  // namespace chatbot::models
