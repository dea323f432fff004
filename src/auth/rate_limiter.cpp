#include "auth/rate_limiter.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>
#include <vector>

namespace chatbot::auth {

namespace {

using std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// Beyond this a quota is as good as unlimited; the bound keeps every duration below in range.
constexpr double kMaxCapacity = 1e9;
constexpr auto kMaxWindow = std::chrono::hours(24 * 366);
// A shard's first sweep of full buckets runs at this size (or its max_keys if smaller).
constexpr std::size_t kMinSweep = 64;

// One key's bucket in GCRA terms: a request adds `interval` to the bucket's debt (tat - now),
// time pays the debt back, and a request that would take the debt beyond `window` is refused. So
// a full bucket admits window / interval requests at once, and one more every interval.
struct Rate {
  nanoseconds interval{1};
  nanoseconds window{1};
  std::int64_t limit = 1;  // window / interval: floor(capacity)
};

std::chrono::seconds windowOf(const RatePolicy& policy) {
  return std::clamp<std::chrono::seconds>(policy.window, std::chrono::seconds(1), kMaxWindow);
}

Rate rateFor(const RatePolicy& policy, double multiplier) {
  if (!(multiplier > 0) || !std::isfinite(multiplier)) multiplier = 1.0;
  // Below one request per window nothing would ever be admitted, which no setting means.
  const double capacity = std::clamp(policy.quota * multiplier, 1.0, kMaxCapacity);
  Rate rate;
  rate.window = windowOf(policy);
  // Rounded down: the bucket refills a few nanoseconds per window early rather than late, and
  // window / interval (the burst actually admitted, reported as the limit) is floor(capacity)
  // for any realistic capacity (well below the square root of the window in nanoseconds).
  rate.interval = nanoseconds(std::max<std::int64_t>(
      1, static_cast<std::int64_t>(static_cast<double>(rate.window.count()) / capacity)));
  rate.limit = rate.window / rate.interval;
  return rate;
}

std::chrono::seconds ceilSeconds(nanoseconds duration) {
  if (duration <= nanoseconds::zero()) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(duration);
}

// Admits one request against the bucket whose theoretical arrival time is `tat`, or refuses it
// (leaving `tat` as it was), and describes the bucket afterwards. Caller holds the shard's lock.
Decision admit(TimePoint& tat, const Rate& rate, TimePoint now) {
  // A bucket's time never goes back: `now` may be a little older than the last caller's.
  const TimePoint start = std::max(tat, now);
  const bool allowed = start + rate.interval - now <= rate.window;
  if (allowed) tat = start + rate.interval;
  const nanoseconds debt = (allowed ? tat : start) - now;  // >= 0

  Decision decision;
  decision.allowed = allowed;
  decision.limit = rate.limit;
  decision.remaining = debt >= rate.window ? 0 : (rate.window - debt) / rate.interval;
  decision.reset = ceilSeconds(debt);
  decision.retry_after = ceilSeconds(debt + rate.interval - rate.window);
  return decision;
}

// Of `candidates` (iterators into `buckets`), drops the `drop` with the earliest arrival times:
// the fullest buckets, so the least state is lost.
template <class Map>
void evictFullest(Map& buckets, std::vector<typename Map::iterator>& candidates, std::size_t drop) {
  drop = std::min(drop, candidates.size());
  std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(drop),
                   candidates.end(),
                   [](const auto& a, const auto& b) { return a->second < b->second; });
  for (std::size_t i = 0; i < drop; ++i) buckets.erase(candidates[i]);
}

// A structured-field String (RFC 8941 §3.3.3): quoted, '"' and '\' escaped; bytes outside
// printable ASCII cannot be sent and are dropped.
std::string structuredString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

RateLimiter::RateLimiter(RatePolicy policy, std::size_t max_tracked_keys)
    : policy_(std::move(policy)) {
  // Each shard gets its part of the bound (the parts add up to it exactly), and at least one key.
  const std::size_t total = std::max(max_tracked_keys, kShards);
  for (std::size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    shard.max_keys = total / kShards + (i < total % kShards ? 1 : 0);
    const util::MutexLock lock(shard.mutex);
    shard.sweep_at = std::min(shard.max_keys, kMinSweep);
  }
}

RateLimiter::Shard& RateLimiter::shardFor(std::string_view key) noexcept {
  static_assert(std::has_single_bit(kShards));
  static_assert(sizeof(std::size_t) == 8);
  // Fibonacci hashing takes the high bits, independent of the low ones the map's buckets use.
  const std::size_t hash = KeyHash{}(key);
  const std::size_t mixed = hash * 0x9E3779B97F4A7C15ULL;
  return shards_[mixed >> (64 - std::countr_zero(kShards))];
}

Decision RateLimiter::take(std::string_view key, double multiplier, TimePoint now) {
  if (policy_.unlimited()) return {};
  const Rate rate = rateFor(policy_, multiplier);
  Shard& shard = shardFor(key);
  const util::MutexLock lock(shard.mutex);
  return admit(bucketFor(shard, key, now), rate, now);
}

RateLimiter::TimePoint& RateLimiter::bucketFor(Shard& shard, std::string_view key, TimePoint now) {
  if (const auto it = shard.buckets.find(key); it != shard.buckets.end()) return it->second;
  if (shard.buckets.size() >= shard.sweep_at) makeRoom(shard, now);
  // A new bucket starts full: its arrival time is now.
  return shard.buckets.emplace(std::string(key), now).first->second;
}

void RateLimiter::makeRoom(Shard& shard, TimePoint now) {
  // One pass: full buckets go (they carry no state: a new one starts full); the others are the
  // candidates for eviction, should the shard still be at its bound.
  std::vector<Buckets::iterator> candidates;
  candidates.reserve(shard.buckets.size());
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    if (it->second <= now) {
      it = shard.buckets.erase(it);
    } else {
      candidates.push_back(it++);
    }
  }
  if (shard.buckets.size() >= shard.max_keys) {
    // Evict an eighth at once, so that a stream of new keys (an attacker rotating them) costs a
    // full scan only every max_keys/8 insertions.
    const std::size_t keep = shard.max_keys - std::max<std::size_t>(1, shard.max_keys / 8);
    evictFullest(shard.buckets, candidates, shard.buckets.size() - keep);
  }
  shard.sweep_at =
      std::clamp(2 * shard.buckets.size(), std::min(kMinSweep, shard.max_keys), shard.max_keys);
}

std::size_t RateLimiter::trackedKeys() const {
  std::size_t count = 0;
  for (const Shard& shard : shards_) {
    const util::MutexLock lock(shard.mutex);
    count += shard.buckets.size();
  }
  return count;
}

std::string rateLimitPolicyHeader(const RatePolicy& policy, double multiplier) {
  if (policy.unlimited()) return "";
  return structuredString(policy.name) + ";q=" + std::to_string(rateFor(policy, multiplier).limit) +
         ";w=" + std::to_string(windowOf(policy).count());
}

std::string rateLimitHeader(const RatePolicy& policy, const Decision& decision) {
  if (policy.unlimited()) return "";
  const std::chrono::seconds until = decision.allowed ? decision.reset : decision.retry_after;
  return structuredString(policy.name) +
         ";r=" + std::to_string(std::max<std::int64_t>(0, decision.remaining)) +
         ";t=" + std::to_string(until.count());
}

}  // namespace chatbot::auth
