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

http::Response errorResponse(http::Status status, const std::string& code, const std::string& detail,
                             const std::string& request_id, unsigned version) {
  http::Response res{status, version};
  res.set(http::beast_http::field::content_type, "application/json");
  nlohmann::json body = {{"error", code}, {"detail", detail}, {"timestamp", util::isoTimestampNow()}};
  if (!request_id.empty()) body["request_id"] = request_id;
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

}  // namespace chatbot::api
