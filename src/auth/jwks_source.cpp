#include "auth/jwks_source.h"

#include <exception>
#include <utility>

#include "util/file.h"

namespace chatbot::auth {

namespace {

Error unavailable(std::string detail) {
  return {ErrorKind::kNotReady, "jwks_unavailable", std::move(detail)};
}

}  // namespace

FileJwksSource::FileJwksSource(std::filesystem::path path) : path_(std::move(path)) {}

Result<std::string> FileJwksSource::fetch() {
  try {
    return util::readFile(path_);
  } catch (const std::exception& e) {
    return unavailable(e.what());
  }
}

std::string FileJwksSource::describe() const {
  return "file " + path_.string();
}

UrlJwksSource::UrlJwksSource(std::string url) : url_(std::move(url)) {}

Result<std::string> UrlJwksSource::fetch() {
  net::HttpRequest request;
  request.url = url_;
  request.headers = {"Accept: application/json"};
  request.connect_timeout = kTimeout;
  request.timeout = kTimeout;
  request.max_body_bytes = kMaxBytes;
  net::HttpResponse response = client_.perform(request);
  if (!response.transportOk()) return unavailable("GET " + url_ + " failed: " + response.error);
  if (response.status != 200) {
    return unavailable("GET " + url_ + " answered HTTP " + std::to_string(response.status));
  }
  if (response.body_truncated) {
    return unavailable("GET " + url_ + " answered more than " + std::to_string(kMaxBytes) +
                       " bytes");
  }
  return std::move(response.body);
}

}  // namespace chatbot::auth
