#include "api/errors.h"

#include <nlohmann/json.hpp>

#include "util/time.h"

namespace chatbot::api {

namespace {

// The code of a failure the HTTP server found before any endpoint ran.
std::string protocolErrorCode(http::Status status) {
  switch (status) {
    case http::Status::bad_request:
      return "bad_request";
    case http::Status::request_timeout:
      return "request_timeout";
    case http::Status::payload_too_large:
      return "payload_too_large";
    case http::Status::request_header_fields_too_large:
      return "headers_too_large";
    case http::Status::service_unavailable:
      return "service_unavailable";
    default:
      return "internal_error";
  }
}

http::Response jsonError(http::Status status, const std::string& code, const std::string& detail,
                         const std::string& request_id, unsigned version) {
  http::Response res{status, version};
  res.set(http::beast_http::field::content_type, "application/json");
  res.body() = errorBody(code, detail, request_id)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

}  // namespace

http::Status httpStatus(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return http::Status::bad_request;
    case ErrorKind::kUnsupportedMediaType:
      return http::Status::unsupported_media_type;
    case ErrorKind::kUnauthenticated:
      return http::Status::unauthorized;
    case ErrorKind::kForbidden:
      return http::Status::forbidden;
    case ErrorKind::kNotFound:
      return http::Status::not_found;
    case ErrorKind::kMethodNotAllowed:
      return http::Status::method_not_allowed;
    case ErrorKind::kNotReady:
    case ErrorKind::kOverloaded:
    case ErrorKind::kStorageUnavailable:
      return http::Status::service_unavailable;
    case ErrorKind::kRateLimited:
      return http::Status::too_many_requests;
    case ErrorKind::kInternal:
      return http::Status::internal_server_error;
  }
  return http::Status::internal_server_error;
}

nlohmann::json errorBody(const std::string& code, const std::string& detail,
                         const std::string& request_id) {
  nlohmann::json body = {
      {"error", code}, {"detail", detail}, {"timestamp", util::isoTimestampNow()}};
  if (!request_id.empty()) body["request_id"] = request_id;
  return body;
}

http::Response errorResponse(const Error& error, const std::string& request_id, unsigned version) {
  auto res = jsonError(httpStatus(error.kind), error.code, error.detail, request_id, version);
  if (error.retry_after_seconds > 0) {
    res.set(http::beast_http::field::retry_after, std::to_string(error.retry_after_seconds));
  }
  if (error.kind == ErrorKind::kUnauthenticated) {
    // RFC 6750 section 3: the challenge; error="invalid_token" when a credential was sent but
    // is not good, none when there was none.
    std::string challenge = "Bearer realm=\"chatbot\"";
    if (error.code != "authentication_required") challenge += ", error=\"invalid_token\"";
    res.set(http::beast_http::field::www_authenticate, challenge);
  }
  return res;
}

http::Response protocolErrorResponse(http::Status status, const std::string& detail,
                                     const std::string& request_id) {
  return jsonError(status, protocolErrorCode(status), detail, request_id, 11);
}

}  // namespace chatbot::api
