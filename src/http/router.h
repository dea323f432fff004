#pragma once
// Method + path routing. Patterns are literal segments and "{param}" segments; a trailing slash on
// either side is ignored ("/api/v1/chat/" == "/api/v1/chat"). HEAD is served by GET routes.
// Build all routes before serving; match() is then safe from many threads.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace chatbot::http {

using Handler = std::function<Response(const Request&, RequestContext&)>;

struct Route {
  Verb verb;
  std::string pattern;  // as given, e.g. "/api/v1/chat/"
  Handler handler;
};

class Router {
 public:
  void add(Verb verb, std::string pattern, Handler handler);

  struct Match {
    const Route* route = nullptr;  // set when method and path match
    bool path_exists = false;      // some route has this path (405 rather than 404)
    std::vector<Verb> allowed;     // methods accepted for this path (for the Allow header)
  };
  // `path` is the request target without the query string.
  Match match(Verb verb, std::string_view path, RequestContext& context) const;

  const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // parallel to routes_
};

std::vector<std::string> pathSegments(std::string_view path);

}  // namespace chatbot::http
