#pragma once
// Where JwtVerifier gets the provider's JWKS document from: a URL (the provider's jwks_uri) in
// production, a file for air-gapped set-ups, a test double in unit tests.
#include <chrono>
#include <filesystem>
#include <string>

#include "net/http_client.h"
#include "util/error.h"

namespace chatbot::auth {

// Thread-safety: JwtVerifier calls fetch() from one thread at a time (single-flight), but not
// always the same thread; an implementation needs no locking of its own for that.
class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // The JWKS JSON text, or why it could not be had (the detail goes to the log, not to clients).
  virtual Result<std::string> fetch() = 0;
  // Where the keys come from ("https://idp/jwks", "file /etc/jwks.json"), for the log.
  virtual std::string describe() const { return "the JWKS source"; }
};

// Reads a JWKS document from a file, anew on every fetch (replacing the file rotates the keys).
class FileJwksSource : public JwksSource {
 public:
  explicit FileJwksSource(std::filesystem::path path);
  Result<std::string> fetch() override;
  std::string describe() const override;

 private:
  std::filesystem::path path_;
};

// GETs the JWKS document over HTTP(S). Short timeouts: a fetch happens while a request waits for
// its token to be checked, so a provider that does not answer must fail fast (the old keys stay
// in use). Redirects are not followed: a jwks_uri is a fixed address.
class UrlJwksSource : public JwksSource {
 public:
  static constexpr std::chrono::milliseconds kTimeout{3000};
  static constexpr std::size_t kMaxBytes = 1 << 20;  // a JWKS is a few KiB

  explicit UrlJwksSource(std::string url);
  Result<std::string> fetch() override;
  std::string describe() const override { return url_; }

 private:
  std::string url_;
  net::HttpClient client_;  // constructed with the source, so curl_global_init runs at start-up
};

}  // namespace chatbot::auth
