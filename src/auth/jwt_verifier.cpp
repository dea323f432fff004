#include "auth/jwt_verifier.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

#include "auth/jws.h"
#include "auth/jwt_claims.h"
#include "observability/log.h"

namespace chatbot::auth {

namespace {

using Clock = std::chrono::system_clock;

// While no key set was ever fetched every token fails, so a failed first fetch is tried again
// sooner than a refresh: after this long (or min_refresh_interval, when that is shorter).
constexpr std::chrono::seconds kRetryWithoutKeys{5};

// The keys could not be had, so the token could not be checked. Deliberately kUnauthenticated
// (401) rather than kNotReady (503): the request is not authenticated, and the reply must stay
// the one authentication failures get (one place maps them, with WWW-Authenticate), whereas a 503
// reads as "the whole service is down or starting" to load balancers and health checks for what
// is a provider hiccup on one path. Retry-After tells clients to try again rather than to sign in
// anew, and matches how soon a failed first fetch is retried.
Error keysUnavailable() {
  Error error =
      invalidToken("The identity provider's keys could not be fetched; try again shortly.");
  error.retry_after_seconds = static_cast<unsigned>(kRetryWithoutKeys.count());
  return error;
}

Error fetchFailed(std::string detail) {
  return {ErrorKind::kNotReady, "jwks_unavailable", std::move(detail)};
}

// The key a token names: by kid, or without one the only key of the algorithm's type.
const PublicKey* findKey(const JwkSet& keys, const CompactJws& jws) {
  return jws.kid ? keys.find(*jws.kid) : keys.onlyKeyOf(keyTypeFor(jws.algorithm));
}

nlohmann::json keyIds(const JwkSet& keys) {
  nlohmann::json ids = nlohmann::json::array();
  for (const PublicKey& key : keys.keys()) ids.push_back(key.kid);
  return ids;
}

}  // namespace

JwtVerifier::JwtVerifier(OidcOptions options, std::unique_ptr<JwksSource> source)
    : options_(std::move(options)), source_(std::move(source)) {
  if (!source_) throw std::invalid_argument("JwtVerifier needs a JwksSource");
}

JwtVerifier::~JwtVerifier() = default;

Result<Identity> JwtVerifier::verify(std::string_view token, Clock::time_point now) const {
  Result<CompactJws> jws = parseCompactJws(token);
  if (!jws) return std::move(jws).error();
  // The signature before the claims: nothing an unverified token says is looked at.
  Result<SigningKey> key = signingKey(jws.value(), now);
  if (!key) return std::move(key).error();
  if (!signatureVerifies(jws.value(), *key->key)) {
    return invalidToken("The token's signature does not verify.");
  }
  if (Result<Done> claims = checkClaims(jws->payload, options_, now); !claims) {
    return std::move(claims).error();
  }
  return identityFromClaims(jws->payload, options_);
}

Result<JwtVerifier::SigningKey> JwtVerifier::signingKey(const CompactJws& jws,
                                                        Clock::time_point now) const {
  KeySnapshot current = snapshot();
  const PublicKey* key = current.keys ? findKey(*current.keys, jws) : nullptr;
  if (key == nullptr) {
    current = refresh(current, now);
    key = current.keys ? findKey(*current.keys, jws) : nullptr;
  }
  if (key == nullptr) {
    // The provider may well have the key: say so when its keys could not be had.
    if (!current.keys || current.last_fetch_failed) return keysUnavailable();
    return invalidToken("The token's signing key is unknown.");
  }
  if (key->type != keyTypeFor(jws.algorithm) ||
      (!key->alg.empty() && key->alg != toString(jws.algorithm))) {
    return invalidToken("The token's signing key does not fit its algorithm.");
  }
  return SigningKey{std::move(current.keys), key};
}

JwtVerifier::KeySnapshot JwtVerifier::snapshot() const {
  const util::MutexLock lock(mutex_);
  return snapshotLocked();
}

JwtVerifier::KeySnapshot JwtVerifier::snapshotLocked() const {
  return {keys_, attempts_, last_fetch_failed_};
}

JwtVerifier::KeySnapshot JwtVerifier::refresh(const KeySnapshot& seen,
                                              Clock::time_point now) const {
  util::UniqueMutexLock lock(mutex_);
  // Single flight: whoever needs keys while a fetch runs waits for its result.
  fetch_finished_.wait(lock.native(), [this]() REQUIRES(mutex_) { return !fetching_; });
  if (attempts_ != seen.attempts || !refreshAllowed(now)) return snapshotLocked();
  fetching_ = true;
  last_attempt_ = now;
  lock.unlock();  // verifies with known kids go on while the provider answers
  Result<std::shared_ptr<const JwkSet>> fetched = fetchKeys();
  lock.lock();
  fetching_ = false;
  ++attempts_;
  last_fetch_failed_ = !fetched.ok();
  if (fetched) keys_ = std::move(fetched).value();  // a failure keeps the keys held
  fetch_finished_.notify_all();
  return snapshotLocked();
}

bool JwtVerifier::refreshAllowed(Clock::time_point now) const {
  // Never tried, or the clock went back (waiting for it to catch up could block refreshes for
  // long): allowed.
  if (!last_attempt_ || now < *last_attempt_) return true;
  const std::chrono::seconds interval =
      keys_ ? options_.min_refresh_interval
            : std::min(options_.min_refresh_interval, kRetryWithoutKeys);
  return now - *last_attempt_ >= interval;
}

Result<std::shared_ptr<const JwkSet>> JwtVerifier::fetchKeys() const {
  const std::string from = source_->describe();
  // Nothing may escape: refresh() must clear fetching_ whatever happens here.
  try {
    Result<std::string> text = source_->fetch();
    if (!text) {
      log::warn("oidc.keys_unavailable", {{"source", from}, {"reason", text.error().detail}});
      return std::move(text).error();
    }
    Result<JwkSet> keys = JwkSet::parse(text.value());
    if (!keys) {
      log::warn("oidc.keys_unusable", {{"source", from}, {"reason", keys.error().detail}});
      return std::move(keys).error();
    }
    if (keys->keys().empty()) {
      const std::string reason = "The JWKS document holds no key this service can use.";
      log::warn("oidc.keys_unusable",
                {{"source", from}, {"reason", reason}, {"skipped", keys->skipped()}});
      return fetchFailed(reason);
    }
    log::info("oidc.keys_fetched",
              {{"source", from}, {"keys", keyIds(keys.value())}, {"skipped", keys->skipped()}});
    return std::make_shared<const JwkSet>(std::move(keys).value());
  } catch (const std::exception& e) {
    log::warn("oidc.keys_unavailable", {{"source", from}, {"reason", e.what()}});
    return fetchFailed(e.what());
  }
}

}  // namespace chatbot::auth
