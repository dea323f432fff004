#include "api/middleware/middlewares.h"

namespace chatbot::api {

using field = http::beast_http::field;

void SecurityHeaders::onReply(const RequestSummary&, http::Response& res,
                              const http::RequestContext&) const {
  res.set(field::server, "chatbot/" CHATBOT_VERSION);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // Routes that serve pages (/docs) set their own policy; JSON needs none of the browser's powers.
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
  if (res.find(field::cache_control) == res.end()) res.set(field::cache_control, "no-store");
}

}  // namespace chatbot::api
