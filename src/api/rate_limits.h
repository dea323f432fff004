#pragma once
// Abuse limits on the routes that cost the most or write the most: a token bucket per caller for
// chat (RATE_LIMIT_CHAT_PER_MINUTE) and one for opening tickets (RATE_LIMIT_TICKETS_PER_HOUR).
// The caller is the identity's subject, or for anonymous callers the client's address (its /64
// for IPv6), as resolved behind TRUSTED_PROXIES. Agents and admins get RATE_LIMIT_DESK_MULTIPLIER
// times the quota. Replies on a limited route carry RateLimit-Policy and RateLimit; a refusal is
// 429 rate_limited with Retry-After.
//
// Thread-safety: admit() is called concurrently from the HTTP threads; the limiters are
// thread-safe (auth/rate_limiter.h).
#include <string_view>

#include "auth/rate_limiter.h"
#include "http/types.h"

namespace chatbot::api {

// Which budget a route spends.
enum class Budget { kNone, kChat, kTickets };

struct RateLimitOptions {
  double chat_per_minute = 0;   // 0: unlimited
  double tickets_per_hour = 0;  // 0: unlimited
  double desk_multiplier = 10;  // agents and admins
};

class RateLimits {
 public:
  explicit RateLimits(RateLimitOptions options);

  // Spends one request of `budget` for the caller of `context`: adds the RateLimit fields to
  // context.reply_headers, or throws ApiError 429 (with them and Retry-After).
  void admit(Budget budget, http::RequestContext& context) const;

 private:
  const double desk_multiplier_;
  // Mutable behind a const interface: take() is the limiters' one operation and is thread-safe.
  mutable auth::RateLimiter chat_;
  mutable auth::RateLimiter tickets_;
};

}  // namespace chatbot::api
