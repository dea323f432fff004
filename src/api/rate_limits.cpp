#include "api/rate_limits.h"

#include "api/errors.h"
#include "net/client_address.h"

namespace chatbot::api {

namespace {

std::string callerKey(const http::RequestContext& context) {
  if (context.identity.authenticated()) return context.identity.subject;
  return "ip:" + net::clientNetwork(context.remote_address);
}

std::string windowText(std::chrono::seconds window) {
  return window.count() == 60     ? "a minute"
         : window.count() == 3600 ? "an hour"
                                  : std::to_string(window.count()) + " s";
}

}  // namespace

RateLimits::RateLimits(RateLimitOptions options)
    : desk_multiplier_(options.desk_multiplier),
      chat_(auth::RatePolicy{"chat", options.chat_per_minute, std::chrono::seconds(60)}),
      tickets_(auth::RatePolicy{"tickets", options.tickets_per_hour, std::chrono::seconds(3600)}) {}

void RateLimits::admit(Budget budget, http::RequestContext& context) const {
  if (budget == Budget::kNone) return;
  auth::RateLimiter& limiter = budget == Budget::kChat ? chat_ : tickets_;
  const auth::RatePolicy& policy = limiter.policy();
  if (policy.unlimited()) return;
  const double multiplier = context.identity.atLeast(auth::Role::kAgent) ? desk_multiplier_ : 1.0;
  const auth::Decision decision =
      limiter.take(callerKey(context), multiplier, std::chrono::steady_clock::now());
  context.reply_headers.emplace_back("RateLimit-Policy",
                                     auth::rateLimitPolicyHeader(policy, multiplier));
  context.reply_headers.emplace_back("RateLimit", auth::rateLimitHeader(policy, decision));
  if (decision.allowed) return;
  Error refused{ErrorKind::kRateLimited, "rate_limited",
                "Too many " + policy.name + " requests: " + std::to_string(decision.limit) + " " +
                    windowText(policy.window) + " per caller. Try again in " +
                    std::to_string(decision.retry_after.count()) + " s."};
  refused.retry_after_seconds = static_cast<unsigned>(decision.retry_after.count());
  throw ApiError(std::move(refused));
}

}  // namespace chatbot::api
