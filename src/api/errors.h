#pragma once
// Errors that reach clients. Handlers throw ApiError; the Application turns it (and anything
// unexpected, as a generic 500) into {"error", "detail", "timestamp", "request_id"}.
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "http/types.h"

namespace chatbot::api {

class ApiError : public std::runtime_error {
 public:
  // `retry_after_seconds` > 0 adds a Retry-After header (503: when trying again makes sense).
  ApiError(http::Status status, std::string code, std::string detail, unsigned retry_after_seconds = 0)
      : std::runtime_error(detail), status_(status), code_(std::move(code)), retry_after_(retry_after_seconds) {}
  http::Status status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  unsigned retryAfterSeconds() const noexcept { return retry_after_; }

 private:
  http::Status status_;
  std::string code_;  // short machine-readable name, e.g. "validation_error"
  unsigned retry_after_;
};

// The 503 for an answer the generator had no room for (its queue was full).
ApiError overloadedError();

// The error object {"error", "detail", "timestamp", "request_id"}.
nlohmann::json errorBody(const std::string& code, const std::string& detail, const std::string& request_id);

// Builds the JSON error reply (without CORS/security headers; the Application adds those).
http::Response errorResponse(http::Status status, const std::string& code, const std::string& detail,
                             const std::string& request_id, unsigned version = 11);
// The same for an ApiError, with its Retry-After header.
http::Response errorResponse(const ApiError& error, const std::string& request_id, unsigned version = 11);

// The default error code for a status ("not_found" for 404, ...).
std::string defaultErrorCode(http::Status status);

}  // namespace chatbot::api
