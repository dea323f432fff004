#pragma once
// Errors that reach clients. Handlers throw ApiError; the Application turns it (and anything
// unexpected, as a generic 500) into {"error", "detail", "timestamp", "request_id"}.
#include <stdexcept>
#include <string>

#include "http/types.h"

namespace chatbot::api {

class ApiError : public std::runtime_error {
 public:
  ApiError(http::Status status, std::string code, std::string detail)
      : std::runtime_error(detail), status_(status), code_(std::move(code)) {}
  http::Status status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }

 private:
  http::Status status_;
  std::string code_;  // short machine-readable name, e.g. "validation_error"
};

// Builds the JSON error reply (without CORS/security headers; the Application adds those).
http::Response errorResponse(http::Status status, const std::string& code, const std::string& detail,
                             const std::string& request_id, unsigned version = 11);

// The default error code for a status ("not_found" for 404, ...).
std::string defaultErrorCode(http::Status status);

}  // namespace chatbot::api
