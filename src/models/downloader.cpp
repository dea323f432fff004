#include "models/downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "models/registry.h"
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

std::optional<std::uint64_t> parseNumber(std::string_view text) {
  text = util::trim(text);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// An ETag that is a SHA-256 (Hugging Face LFS files), lower-cased; empty for anything else, e.g.
// the git blob id of a small file or a CDN's own tag. Weak tags (W/"...") and quotes are stripped.
std::string sha256FromEtag(std::string_view value) {
  value = util::trim(value);
  if (value.starts_with("W/")) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  const std::string tag = util::asciiLower(value);
  return isSha256Hex(tag) ? tag : std::string();
}

// "bytes 100-199/1000" -> {100, 1000}; "bytes */1000" -> {nullopt, 1000}. Total 0: unknown ("*").
struct ContentRange {
  std::optional<std::uint64_t> first;
  std::uint64_t total = 0;
};
std::optional<ContentRange> parseContentRange(std::string_view value) {
  value = util::trim(value);
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ContentRange range;
  const std::string_view span = value.substr(0, slash);
  if (span != "*") {
    const auto dash = span.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    range.first = parseNumber(span.substr(0, dash));
    if (!range.first) return std::nullopt;
  }
  if (value.substr(slash + 1) != "*") {
    const auto total = parseNumber(value.substr(slash + 1));
    if (!total) return std::nullopt;
    range.total = *total;
  }
  return range;
}

bool isTransientCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// The .part file, opened for appending. Invariant: its size equals `size`.
class PartFile {
 public:
  explicit PartFile(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw DownloadError(Kind::kIo,
                          "cannot write " + path_.string() + ": " + std::strerror(errno));
    std::error_code ec;
    size = std::filesystem::file_size(path_, ec);
  }
  ~PartFile() { close(); }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  void truncate() {
    if (::ftruncate(fd_, 0) != 0)
      throw DownloadError(Kind::kIo, "cannot truncate " + path_.string());
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
    if (fd_ >= 0 && ::fsync(fd_) != 0)
      throw DownloadError(Kind::kIo, "cannot flush " + path_.string());
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

// State of one HTTP transfer (one attempt), shared with the libcurl callbacks.
struct Transfer {
  const DownloadRequest& request;
  DownloadProgress& progress;
  PartFile& part;
  std::string& announced_sha256;  // kept across attempts: the first hash the server announced

  // Headers of the response being received (reset at each status line, so after redirects they
  // describe the final response), except the hash, which the redirect carries.
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
  std::optional<DownloadError> failure;  // why a callback stopped the transfer

  bool beginBody();
};

bool Transfer::beginBody() {
  body_started = true;
  if (status != 200 && status != 206) return true;  // an error page: read and discarded
  if (status == 206) {
    const auto range = parseContentRange(content_range);
    if (!range || !range->first || *range->first != part.size) {
      restart = true;  // the server sent a different range than asked for
      return false;
    }
    total = range->total;
  } else {
    if (part.size > 0) part.truncate();  // Range ignored: start over rather than append twice
    total = content_length.value_or(0);
  }
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
  if (total > part.size) {
    std::error_code ec;
    const auto space = std::filesystem::space(part.path().parent_path(), ec);
    if (!ec && space.available < total - part.size) {
      failure.emplace(Kind::kDiskFull, "not enough disk space: " + formatSize(total - part.size) +
                                           " needed, " + formatSize(space.available) + " free in " +
                                           part.path().parent_path().string() +
                                           ". Free some space or set MODELS_DIR to a bigger disk.");
      return false;
    }
  }
  writing = true;
  progress.started(part.size, total);
  return true;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  const std::string_view line = util::trim(std::string_view(data, length));
  if (line.starts_with("HTTP/")) {
    const auto space = line.find(' ');
    t.status = space == std::string_view::npos
                   ? 0
                   : static_cast<long>(parseNumber(line.substr(space + 1, 3)).value_or(0));
    t.etag_sha256.clear();
    t.content_length.reset();
    t.content_range.clear();
    t.server_message.clear();
    return length;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return length;
  const std::string name = util::asciiLower(util::trim(line.substr(0, colon)));
  const std::string_view value = util::trim(line.substr(colon + 1));
  if (name == "x-linked-etag")
    t.linked_sha256 = sha256FromEtag(value);
  else if (name == "etag")
    t.etag_sha256 = sha256FromEtag(value);
  else if (name == "content-length")
    t.content_length = parseNumber(value);
  else if (name == "content-range")
    t.content_range = std::string(value);
  else if (name == "x-error-message")
    t.server_message = std::string(value);
  return length;
}

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  if (!t.body_started && !t.beginBody()) return 0;  // returning less than `length` aborts
  if (!t.writing) return length;
  if (const int error = t.part.append(data, length); error != 0) {
    const bool full = error == ENOSPC || error == EDQUOT;
    t.failure.emplace(full ? Kind::kDiskFull : Kind::kIo,
                      (full ? "disk full while writing " : "cannot write ") +
                          t.part.path().string() + ": " + std::strerror(error) + ".");
    return 0;
  }
  t.progress.advanced(t.part.size);
  return length;
}

int onTick(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& t = *static_cast<Transfer*>(user);
  return t.request.cancel != nullptr && t.request.cancel->load() ? 1 : 0;
}

std::string keptMessage(const PartFile& part) {
  return part.size == 0 ? std::string()
                        : " " + formatSize(part.size) + " are kept in " + part.path().string() +
                              "; run the same command again to resume.";
}

struct CurlHandle {
  CURL* handle = curl_easy_init();
  ~CurlHandle() { curl_easy_cleanup(handle); }
};

class CurlDownloader final : public Downloader {
 public:
  DownloadResult download(const DownloadRequest& request, DownloadProgress& progress) override;

 private:
  enum class Outcome { kComplete, kRetry, kRestart };
  Outcome attempt(const DownloadRequest& request, DownloadProgress& progress, PartFile& part,
                  std::string& announced_sha256, std::string& reason);
};

CurlDownloader::Outcome CurlDownloader::attempt(const DownloadRequest& request,
                                                DownloadProgress& progress, PartFile& part,
                                                std::string& announced_sha256,
                                                std::string& reason) {
  CurlHandle curl;
  if (curl.handle == nullptr) throw DownloadError(Kind::kIo, "cannot initialise libcurl");
  Transfer t{request, progress, part, announced_sha256};
  CURL* h = curl.handle;
  const std::string range = std::to_string(part.size) + "-";
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "chatbot/" CHATBOT_VERSION);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stall_timeout.count()));
  if (part.size > 0) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  if (!request.bearer_token.empty()) {
    // libcurl sends credentials set this way to the first host only, not to the CDN it redirects
    // to.
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, request.bearer_token.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onTick);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);

  const CURLcode code = curl_easy_perform(h);
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
  if (code == CURLE_ABORTED_BY_CALLBACK && request.cancel != nullptr && request.cancel->load()) {
    throw DownloadError(Kind::kCancelled, "interrupted." + keptMessage(part));
  }
  if (code != CURLE_OK) {
    reason = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(code);
    if (isTransientCurlError(code)) return Outcome::kRetry;
    throw DownloadError(Kind::kNetwork, request.url + ": " + reason);
  }
  // An empty body never reaches onBody; the checks still apply.
  if (!t.body_started && (t.status == 200 || t.status == 206) && !t.beginBody()) {
    throw DownloadError(t.failure ? t.failure->kind() : Kind::kIo,
                        t.failure ? t.failure->what() : "download failed");
  }
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
      if (const auto r = parseContentRange(t.content_range);
          r && r->total == part.size && part.size > 0) {
        // No body came, so take the announced hash from the headers; the final check uses it.
        if (announced_sha256.empty())
          announced_sha256 = !t.linked_sha256.empty() ? t.linked_sha256 : t.etag_sha256;
        return Outcome::kComplete;
      }
      reason = "the partial file does not fit the file on the server";
      return Outcome::kRestart;
    case 401:
    case 403:
      throw DownloadError(
          Kind::kAccessDenied,
          "HTTP " + std::to_string(t.status) + " for " + request.url + from_server +
              ": access denied. " +
              (request.bearer_token.empty()
                   ? "The repository may be gated or private (or may not exist): accept its terms "
                     "on "
                     "its Hugging Face page, create an access token at "
                     "https://huggingface.co/settings/tokens and set HF_TOKEN to it."
                   : "HF_TOKEN was sent and refused: check that the token is valid and that its "
                     "account has accepted the model's terms on its Hugging Face page."));
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

DownloadResult CurlDownloader::download(const DownloadRequest& request,
                                        DownloadProgress& progress) {
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  std::error_code ec;
  if (request.destination.has_parent_path())
    std::filesystem::create_directories(request.destination.parent_path(), ec);
  if (ec)
    throw DownloadError(Kind::kIo, "cannot create " + request.destination.parent_path().string() +
                                       ": " + ec.message());
  PartFile part(request.destination.string() + ".part");

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
    // Sleep in slices so that Ctrl-C is honoured during the backoff too.
    for (auto slept = std::chrono::milliseconds(0); slept < wait;
         slept += std::chrono::milliseconds(50)) {
      if (request.cancel != nullptr && request.cancel->load()) {
        throw DownloadError(Kind::kCancelled, "interrupted." + keptMessage(part));
      }
      std::this_thread::sleep_for(std::min(std::chrono::milliseconds(50), wait - slept));
    }
    wait = std::min(wait * 2, kMaxBackoff);
  }

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
  if (ec)
    throw DownloadError(Kind::kIo, "cannot rename " + part.path().string() + " to " +
                                       request.destination.string() + ": " + ec.message());
  return result;
}

}  // namespace

std::unique_ptr<Downloader> makeCurlDownloader() {
  return std::make_unique<CurlDownloader>();
}

}  // namespace chatbot::models
