// Token-bucket rate limiting per key: bursts, refill, multipliers, unlimited policies, the memory
// bound under key rotation, concurrent takes, and the RateLimit header fields. Time is passed in
// explicitly: nothing sleeps.
#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace chatbot::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1000);

RatePolicy chatPolicy(double quota = 30, seconds window = seconds(60)) {
  return {"chat", quota, window};
}

// Takes `count` times for `key` at `now`; returns how many were admitted.
int takeMany(RateLimiter& limiter, std::string_view key, int count, Clock::time_point now,
             double multiplier = 1.0) {
  int admitted = 0;
  for (int i = 0; i < count; ++i) admitted += limiter.take(key, multiplier, now).allowed ? 1 : 0;
  return admitted;
}

TEST(RateLimiter, AdmitsABurstUpToTheQuotaThenRefusesWithRetryAfter) {
  RateLimiter limiter(chatPolicy());  // 30 per minute: one token every 2 s
  const Decision first = limiter.take("key:alice", 1.0, kStart);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.limit, 30);
  EXPECT_EQ(first.remaining, 29);
  EXPECT_EQ(first.reset, seconds(2));
  EXPECT_EQ(first.retry_after, seconds(0));

  for (int i = 2; i <= 29; ++i) ASSERT_TRUE(limiter.take("key:alice", 1.0, kStart).allowed) << i;
  const Decision last = limiter.take("key:alice", 1.0, kStart);
  EXPECT_TRUE(last.allowed);
  EXPECT_EQ(last.remaining, 0);
  EXPECT_EQ(last.reset, seconds(60));
  EXPECT_EQ(last.retry_after, seconds(2));

  const Decision refused = limiter.take("key:alice", 1.0, kStart + milliseconds(500));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limit, 30);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after, seconds(2));  // 1.5 s, rounded up
  EXPECT_EQ(refused.reset, seconds(60));       // 59.5 s, rounded up
}

TEST(RateLimiter, RefillsContinuouslyOverTime) {
  RateLimiter limiter(chatPolicy());
  ASSERT_EQ(takeMany(limiter, "k", 30, kStart), 30);
  EXPECT_FALSE(limiter.take("k", 1.0, kStart + milliseconds(1999)).allowed);
  const Decision one = limiter.take("k", 1.0, kStart + seconds(2));  // one token back
  EXPECT_TRUE(one.allowed);
  EXPECT_EQ(one.remaining, 0);
  EXPECT_FALSE(limiter.take("k", 1.0, kStart + seconds(2)).allowed);

  // 20 s later another 10 tokens have come back, not more.
  EXPECT_EQ(takeMany(limiter, "k", 15, kStart + seconds(22)), 10);
  // A full window after the last admission the bucket is full again: a whole burst.
  const Clock::time_point full = kStart + seconds(22 + 60);
  EXPECT_EQ(limiter.take("k", 1.0, full).remaining, 29);
  EXPECT_EQ(takeMany(limiter, "k", 40, full), 29);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter limiter(chatPolicy(3, seconds(10)));  // one token every 3.33 s
  ASSERT_EQ(takeMany(limiter, "k", 3, kStart), 3);
  const Decision refused = limiter.take("k", 1.0, kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(4));
  EXPECT_EQ(refused.reset, seconds(10));
  EXPECT_FALSE(limiter.take("k", 1.0, kStart + milliseconds(3333)).allowed);
  EXPECT_TRUE(limiter.take("k", 1.0, kStart + milliseconds(3334)).allowed);
}

TEST(RateLimiter, MultiplierScalesTheQuotaPerKey) {
  RateLimiter limiter(chatPolicy());
  EXPECT_EQ(limiter.take("key:agent", 3.0, kStart).limit, 90);
  EXPECT_EQ(takeMany(limiter, "key:agent", 100, kStart, 3.0), 89);
  // Refill is three times as fast too: one token every 2/3 s.
  EXPECT_TRUE(limiter.take("key:agent", 3.0, kStart + milliseconds(667)).allowed);

  EXPECT_EQ(takeMany(limiter, "key:employee", 100, kStart, 1.0), 30);
  // Nonsense multipliers count as 1.
  for (const double bad : {0.0, -2.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(limiter.take("key:bad" + std::to_string(bad), bad, kStart).limit, 30) << bad;
  }
}

TEST(RateLimiter, FractionalCapacityRoundsTheBurstDownButNeverBelowOne) {
  RateLimiter fractional(chatPolicy(2.5, seconds(10)));
  EXPECT_EQ(fractional.take("k", 1.0, kStart).limit, 2);
  EXPECT_EQ(takeMany(fractional, "k", 5, kStart), 1);

  RateLimiter tiny(chatPolicy(0.2, seconds(10)));  // below one request: one per window
  EXPECT_EQ(takeMany(tiny, "k", 5, kStart), 1);
  EXPECT_TRUE(tiny.take("k", 1.0, kStart + seconds(10)).allowed);
}

TEST(RateLimiter, ZeroQuotaIsUnlimitedAndTracksNothing) {
  RateLimiter limiter(chatPolicy(0));
  EXPECT_TRUE(limiter.policy().unlimited());
  EXPECT_EQ(takeMany(limiter, "k", 10000, kStart), 10000);
  const Decision decision = limiter.take("k", 5.0, kStart);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.limit, 0);
  EXPECT_EQ(decision.retry_after, seconds(0));
  EXPECT_EQ(limiter.trackedKeys(), 0U);
}

TEST(RateLimiter, SeparateKeysHaveIndependentBuckets) {
  RateLimiter limiter(chatPolicy(5, seconds(60)));
  EXPECT_EQ(takeMany(limiter, "key:alice", 10, kStart), 5);
  EXPECT_EQ(takeMany(limiter, "ip:203.0.113.9", 10, kStart), 5);
  EXPECT_FALSE(limiter.take("key:alice", 1.0, kStart).allowed);
  EXPECT_EQ(limiter.trackedKeys(), 2U);
}

TEST(RateLimiter, OlderTimestampsNeverRefillABucket) {
  RateLimiter limiter(chatPolicy(2, seconds(60)));
  ASSERT_EQ(takeMany(limiter, "k", 2, kStart + seconds(30)), 2);
  // A thread that read the clock earlier but locked later: no extra tokens for it.
  const Decision late = limiter.take("k", 1.0, kStart);
  EXPECT_FALSE(late.allowed);
  EXPECT_EQ(late.remaining, 0);
  EXPECT_GE(late.retry_after, seconds(1));
}

TEST(RateLimiter, FullBucketsAreDroppedAndStartFullAgain) {
  RateLimiter limiter(chatPolicy(), 100000);
  for (int i = 0; i < 1000; ++i) limiter.take("old" + std::to_string(i), 1.0, kStart);
  ASSERT_EQ(limiter.trackedKeys(), 1000U);
  // A window later every one of them is full again; the sweeps that new keys trigger drop them
  // (no eviction is needed: the bound is far away).
  const Clock::time_point later = kStart + seconds(61);
  for (int i = 0; i < 10000; ++i) limiter.take("new" + std::to_string(i), 1.0, later);
  EXPECT_EQ(limiter.trackedKeys(), 10000U);
  EXPECT_EQ(limiter.take("old1", 1.0, later).remaining, 29);  // starts full again
}

TEST(RateLimiter, MemoryStaysBoundedUnderKeyRotation) {
  constexpr std::size_t kMax = 1000;
  RateLimiter limiter(chatPolicy(), kMax);
  // A caller who used up their quota; then, within one second, an attacker sends 200000
  // distinct keys: no bucket is full again, so only eviction can keep the bound.
  ASSERT_EQ(takeMany(limiter, "key:heavy", 30, kStart), 30);
  for (int i = 0; i < 200000; ++i) {
    const auto now = kStart + std::chrono::microseconds(5 * i);
    ASSERT_TRUE(limiter.take("ip:rotating-" + std::to_string(i), 1.0, now).allowed);
    if (i % 997 == 0) {
      ASSERT_LE(limiter.trackedKeys(), kMax) << i;
    }
  }
  EXPECT_LE(limiter.trackedKeys(), kMax);
  // The fullest buckets go first, so the rotation did not hand the heavy caller a fresh quota.
  EXPECT_FALSE(limiter.take("key:heavy", 1.0, kStart + seconds(1)).allowed);
}

TEST(RateLimiter, TinyKeyBoundIsRaisedToOneKeyPerShard) {
  RateLimiter limiter(chatPolicy(), 1);
  for (int i = 0; i < 1000; ++i) limiter.take(std::to_string(i), 1.0, kStart);
  EXPECT_LE(limiter.trackedKeys(), RateLimiter::kShards);
}

TEST(RateLimiter, ConcurrentTakesNeverOverAdmit) {
  constexpr int kThreads = 8;
  constexpr int kTakesPerThread = 2000;
  RateLimiter limiter(chatPolicy(100, seconds(60)));
  std::atomic<int> admitted_shared{0};
  std::atomic<int> admitted_own{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = "own-" + std::to_string(t);
      for (int i = 0; i < kTakesPerThread; ++i) {
        if (limiter.take("shared", 1.0, kStart).allowed) ++admitted_shared;
        if (limiter.take(own, 1.0, kStart).allowed) ++admitted_own;
        // New keys meanwhile, so shards grow and sweep under contention.
        limiter.take("churn-" + std::to_string(t * kTakesPerThread + i), 1.0, kStart);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // At one fixed time a bucket admits exactly its capacity, however the takes interleave.
  EXPECT_EQ(admitted_shared.load(), 100);
  EXPECT_EQ(admitted_own.load(), kThreads * 100);
}

TEST(RateLimiter, ConcurrentKeyRotationStaysBounded) {
  constexpr int kThreads = 4;
  constexpr std::size_t kMax = 64;
  RateLimiter limiter(chatPolicy(), kMax);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const auto now = kStart + milliseconds(i);
        limiter.take("ip:" + std::to_string(t) + "-" + std::to_string(i), 1.0, now);
        if (i % 100 == 0) {
          EXPECT_LE(limiter.trackedKeys(), kMax);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(limiter.trackedKeys(), kMax);
}

TEST(RateLimitHeaders, PolicyFieldUsesTheDraftSyntax) {
  EXPECT_EQ(rateLimitPolicyHeader(chatPolicy(), 1.0), "\"chat\";q=30;w=60");
  EXPECT_EQ(rateLimitPolicyHeader(chatPolicy(), 2.5), "\"chat\";q=75;w=60");
  EXPECT_EQ(rateLimitPolicyHeader({"tickets", 10, seconds(3600)}, 1.0), "\"tickets\";q=10;w=3600");
  // A structured-field String: quotes and backslashes escaped, control bytes left out.
  EXPECT_EQ(rateLimitPolicyHeader({"a\"b\\c\n", 1, seconds(1)}, 1.0), "\"a\\\"b\\\\c\";q=1;w=1");
  EXPECT_EQ(rateLimitPolicyHeader(chatPolicy(0), 1.0), "");
}

TEST(RateLimitHeaders, RateLimitFieldReportsRemainingAndWhen) {
  const RatePolicy policy = chatPolicy();
  RateLimiter limiter(policy);
  const Decision first = limiter.take("k", 1.0, kStart);
  EXPECT_EQ(rateLimitHeader(policy, first), "\"chat\";r=29;t=2");
  takeMany(limiter, "k", 29, kStart);
  // Refused: t names the same moment as Retry-After.
  const Decision refused = limiter.take("k", 1.0, kStart);
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(rateLimitHeader(policy, refused), "\"chat\";r=0;t=2");
  EXPECT_EQ(rateLimitHeader(chatPolicy(0), Decision{}), "");
}

}  // namespace
}  // namespace chatbot::auth
