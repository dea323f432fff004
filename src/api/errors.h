#pragma once
// Errors as clients see them. A failure is a chatbot::Error (util/error.h); this file is the one
// place that maps its kind to an HTTP status, and formats it as {"error", "detail", "timestamp",
// "request_id"} (plus Retry-After when trying again makes sense).
//
// Inside the API layer, request parsing helpers (json_body, chat_request) reject a request by
// throwing ApiError, which carries the Error to the pipeline's error mapping; it never leaves the
// API layer. Services return Result<T> instead.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "http/types.h"
#include "util/error.h"

namespace chatbot::api {

// The HTTP status of each kind of failure.
http::Status httpStatus(ErrorKind kind);

class ApiError : public std::runtime_error {
 public:
  explicit ApiError(Error error) : std::runtime_error(error.detail), error_(std::move(error)) {}
  const Error& error() const noexcept { return error_; }
  http::Status status() const noexcept { return httpStatus(error_.kind); }
  const std::string& code() const noexcept { return error_.code; }
  unsigned retryAfterSeconds() const noexcept { return error_.retry_after_seconds; }

 private:
  Error error_;
};

// The error object {"error", "detail", "timestamp", "request_id"}.
nlohmann::json errorBody(const std::string& code, const std::string& detail,
                         const std::string& request_id);

// The JSON error reply for `error`, with its Retry-After header (without CORS or security headers:
// the pipeline's middlewares add those).
http::Response errorResponse(const Error& error, const std::string& request_id,
                             unsigned version = 11);
// The same for a protocol failure the server detected (400, 408, 413, 431) by its status.
http::Response protocolErrorResponse(http::Status status, const std::string& detail,
                                     const std::string& request_id);

}  // namespace chatbot::api
