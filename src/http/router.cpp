#include "http/router.h"

#include <algorithm>

namespace chatbot::http {

std::vector<std::string> pathSegments(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) segments.emplace_back(path.substr(start, i - start));
  }
  return segments;
}

void Router::add(Verb verb, std::string pattern, Handler handler) {
  segments_.push_back(pathSegments(pattern));
  routes_.push_back({verb, std::move(pattern), std::move(handler)});
}

Router::Match Router::match(Verb verb, std::string_view path, RequestContext& context) const {
  Match result;
  const auto request_segments = pathSegments(path);
  const Verb effective = verb == Verb::head ? Verb::get : verb;
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    const auto& pattern = segments_[r];
    if (pattern.size() != request_segments.size()) continue;
    std::map<std::string, std::string> params;
    bool same = true;
    for (std::size_t i = 0; i < pattern.size() && same; ++i) {
      const auto& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params[p.substr(1, p.size() - 2)] = request_segments[i];
      } else {
        same = p == request_segments[i];
      }
    }
    if (!same) continue;
    result.path_exists = true;
    if (std::find(result.allowed.begin(), result.allowed.end(), routes_[r].verb) ==
        result.allowed.end()) {
      result.allowed.push_back(routes_[r].verb);
    }
    if (routes_[r].verb == effective && result.route == nullptr) {
      result.route = &routes_[r];
      context.path_params = std::move(params);
    }
  }
  return result;
}

}  // namespace chatbot::http
