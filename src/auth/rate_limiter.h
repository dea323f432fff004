#pragma once
// Abuse limits: a token bucket per caller key (an identity's subject, or "ip:<address>" for
// anonymous callers), and the RateLimit-Policy / RateLimit response fields that describe it.
//
// Each key's bucket holds up to quota*multiplier tokens and refills continuously at
// quota*multiplier per window; a request takes one token or is refused. The bucket is kept in its
// GCRA form (one "theoretical arrival time" per key, integer nanoseconds): the same admissions as
// the token bucket, without floating-point drift, and "full again" is simply `tat <= now`.
//
// Thread-safety: RateLimiter::take may be called concurrently from any thread. Keys are spread
// over kShards shards, each a util::Mutex and its own map, so callers on different keys rarely
// contend. The free functions are pure.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace chatbot::auth {

struct RatePolicy {
  std::string name;                 // "chat", "tickets": the policy's name in the RateLimit fields
  double quota = 0;                 // requests per window; 0 (or less) means unlimited
  std::chrono::seconds window{60};  // at least 1 s (less is treated as 1 s)

  bool unlimited() const noexcept { return !(quota > 0); }
};

// The outcome of one RateLimiter::take. For an unlimited policy: allowed, every number 0.
struct Decision {
  bool allowed = true;
  std::int64_t limit = 0;  // whole requests the full bucket holds: floor(quota*multiplier), >= 1
  std::int64_t remaining = 0;           // whole requests that would be admitted now, after this one
  std::chrono::seconds reset{0};        // until the bucket is full again, rounded up
  std::chrono::seconds retry_after{0};  // until one request is admitted, rounded up; >= 1 when
                                        // refused, 0 while remaining > 0
};

class RateLimiter {
 public:
  static constexpr std::size_t kShards = 16;

  // `max_tracked_keys` bounds the memory: at most that many keys (at least kShards) have a
  // bucket at any time, however many distinct keys callers send.
  explicit RateLimiter(RatePolicy policy, std::size_t max_tracked_keys = 100000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `key`'s bucket if it has one. `multiplier` scales the quota for this
  // key (agents and admins get more; 1.0 for employees); zero, negative, NaN or infinite count
  // as 1.0.
  // `now` comes from the caller so tests need no sleeps; times from different threads may
  // arrive slightly out of order (a bucket never goes back in time). Thread-safe.
  Decision take(std::string_view key, double multiplier, std::chrono::steady_clock::time_point now);

  const RatePolicy& policy() const noexcept { return policy_; }
  // How many keys have a bucket now (for tests and metrics). Locks every shard in turn.
  std::size_t trackedKeys() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Transparent, so a lookup by string_view allocates nothing.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  // key -> theoretical arrival time: when the bucket would be full again with no more requests.
  using Buckets = std::unordered_map<std::string, TimePoint, KeyHash, std::equal_to<>>;

  // One slice of the keys. Aligned to a cache line so neighbouring shards' mutexes do not share
  // one (false sharing between HTTP threads).
  struct alignas(64) Shard {
    mutable util::Mutex mutex;
    Buckets buckets GUARDED_BY(mutex);
    // The next sweep of full buckets runs when `buckets` reaches this size (doubling, so the
    // sweeps cost O(1) per insertion, amortised).
    std::size_t sweep_at GUARDED_BY(mutex) = 0;
    std::size_t max_keys = 0;  // this shard's part of max_tracked_keys; set once, read-only
  };

  Shard& shardFor(std::string_view key) noexcept;
  // The bucket of `key` in `shard`, created full when absent (making room first).
  static TimePoint& bucketFor(Shard& shard, std::string_view key, TimePoint now)
      REQUIRES(shard.mutex);
  static void makeRoom(Shard& shard, TimePoint now) REQUIRES(shard.mutex);

  const RatePolicy policy_;
  std::array<Shard, kShards> shards_;
};

// The RateLimit header fields as draft-ietf-httpapi-ratelimit-headers-11 (May 2026) defines them:
// a structured-field List of one Item, a String naming the policy, with Integer parameters.

// The RateLimit-Policy field value (§3.1: q quota, w window in seconds) for `policy` at
// `multiplier`, e.g. `"chat";q=30;w=60`; "" for an unlimited policy (send no field then).
std::string rateLimitPolicyHeader(const RatePolicy& policy, double multiplier);
// The RateLimit field value (§4.1: r available quota, t seconds) for one decision, e.g.
// `"chat";r=12;t=5`; "" for an unlimited policy. t is the decision's retry_after when refused, so
// it names the same moment as Retry-After (§6), and otherwise its reset: the client can spend r
// within t, and r/t stays a modest pace rather than inviting a burst (§6 asks servers to cap it).
std::string rateLimitHeader(const RatePolicy& policy, const Decision& decision);

}  // namespace chatbot::auth
