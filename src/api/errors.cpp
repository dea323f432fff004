#include "api/errors.h"

#include <nlohmann/json.hpp>

#include "util/time.h"

namespace chatbot::api {

std::string defaultErrorCode(http::Status status) {
  switch (status) {
    case http::Status::bad_request: return "bad_request";
    case http::Status::unauthorized: return "unauthorized";
    case http::Status::forbidden: return "forbidden";
    case http::Status::not_found: return "not_found";
    case http::Status::method_not_allowed: return "method_not_allowed";
    case http::Status::request_timeout: return "request_timeout";
    case http::Status::payload_too_large: return "payload_too_large";
    case http::Status::unsupported_media_type: return "unsupported_media_type";
    case http::Status::request_header_fields_too_large: return "headers_too_large";
    case http::Status::too_many_requests: return "too_many_requests";
    case http::Status::service_unavailable: return "service_unavailable";
    default: return "internal_error";
  }
}

ApiError overloadedError() {
  // Generation slots free up within seconds; a short Retry-After spreads the retries.
  return ApiError(http::Status::service_unavailable, "overloaded",
                  "Too many questions are being answered right now; retry in a few seconds.", 2);
}

nlohmann::json errorBody(const std::string& code, const std::string& detail, const std::string& request_id) {
  nlohmann::json body = {{"error", code}, {"detail", detail}, {"timestamp", util::isoTimestampNow()}};
  if (!request_id.empty()) body["request_id"] = request_id;
  return body;
}

http::Response errorResponse(http::Status status, const std::string& code, const std::string& detail,
                             const std::string& request_id, unsigned version) {
  http::Response res{status, version};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = errorBody(code, detail, request_id).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

http::Response errorResponse(const ApiError& error, const std::string& request_id, unsigned version) {
  auto res = errorResponse(error.status(), error.code(), error.what(), request_id, version);
  if (error.retryAfterSeconds() > 0) {
    res.set(http::beast_http::field::retry_after, std::to_string(error.retryAfterSeconds()));
  }
  return res;
}

}  // namespace chatbot::api
