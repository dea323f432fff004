#pragma once
// Verifies the bearer tokens (JWTs) the company's OIDC provider issues and turns them into an
// Identity: compact JWS only, RS256 or ES256 only (the header's "alg" cannot pick anything else:
// no "none", no HMAC keyed with a public key), the key chosen by "kid" from the provider's JWKS,
// then the claims (jwt_claims.h). Tokens are never logged or quoted in errors.
//
// Keys: fetched from the JwksSource on first use and cached. A token naming a kid the cache does
// not hold (the provider rotated its keys) triggers one refresh: single-flight (concurrent
// verifies that need it wait for the same fetch) and at most once per min_refresh_interval, so
// tokens with made-up kids cannot make this service hammer the provider. A failed fetch keeps
// the keys already held.
//
// Thread-safety: verify() may be called from any number of threads at once. The cached key set
// is an immutable JwkSet behind a shared_ptr, swapped under `mutex_`; a verify holds the mutex
// only to copy that pointer, never during a fetch or a signature check, so verifies with known
// kids never wait for a fetch in progress.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "auth/identity.h"
#include "auth/jwks.h"
#include "auth/jwks_source.h"
#include "auth/oidc_options.h"
#include "auth/token_verifier.h"
#include "util/error.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace chatbot::auth {

struct CompactJws;

class JwtVerifier final : public TokenVerifier {
 public:
  // Fetches nothing yet: the first verify() does (a provider that is down at start-up does not
  // stop the server). `source` must not be null.
  JwtVerifier(OidcOptions options, std::unique_ptr<JwksSource> source);
  ~JwtVerifier() override;
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // The caller's identity, or Error{kUnauthenticated, "invalid_token", detail for the client}.
  // `now` is the time the claims are checked at (system_clock::now() in production) and also the
  // clock of the refresh interval, so tests can step it.
  Result<Identity> verify(std::string_view token,
                          std::chrono::system_clock::time_point now) const override;

 private:
  // The key set in use and what the verifier knows about how it was had.
  struct KeySnapshot {
    std::shared_ptr<const JwkSet> keys;  // null until a fetch succeeded
    std::uint64_t attempts = 0;          // fetches finished so far (success or failure)
    bool last_fetch_failed = false;
  };
  // A key and the set that owns it (kept alive while the signature is checked).
  struct SigningKey {
    std::shared_ptr<const JwkSet> keys;
    const PublicKey* key = nullptr;
  };

  Result<SigningKey> signingKey(const CompactJws& jws,
                                std::chrono::system_clock::time_point now) const EXCLUDES(mutex_);
  KeySnapshot snapshot() const EXCLUDES(mutex_);
  KeySnapshot snapshotLocked() const REQUIRES(mutex_);
  // Fetches the keys unless a fetch finished since `seen` was taken (its result is used), or the
  // last attempt was under the refresh interval before `now`. Waits for a fetch in progress.
  KeySnapshot refresh(const KeySnapshot& seen, std::chrono::system_clock::time_point now) const
      EXCLUDES(mutex_);
  bool refreshAllowed(std::chrono::system_clock::time_point now) const REQUIRES(mutex_);
  // One fetch and parse, without the mutex; a set with no usable key is a failure.
  Result<std::shared_ptr<const JwkSet>> fetchKeys() const EXCLUDES(mutex_);

  const OidcOptions options_;
  const std::unique_ptr<JwksSource> source_;  // fetch() runs only while fetching_ is ours

  // The cache: verify() is const to its callers, the key cache inside it is not.
  mutable util::Mutex mutex_;
  mutable std::condition_variable fetch_finished_;  // signalled when fetching_ turns false
  mutable std::shared_ptr<const JwkSet> keys_ GUARDED_BY(mutex_);
  mutable std::uint64_t attempts_ GUARDED_BY(mutex_) = 0;
  mutable bool last_fetch_failed_ GUARDED_BY(mutex_) = false;
  mutable bool fetching_ GUARDED_BY(mutex_) = false;
  mutable std::optional<std::chrono::system_clock::time_point> last_attempt_ GUARDED_BY(mutex_);
};

}  // namespace chatbot::auth
