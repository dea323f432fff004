#include "api/static_assets.h"

#include "util/file.h"

namespace chatbot::api {

namespace {

std::string htmlEscape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void StaticAssets::loadSwaggerUi(const std::filesystem::path& dir, const std::string& title) {
  static const std::map<std::string, std::string> kFiles = {
      {"swagger-ui.css", "text/css; charset=utf-8"},
      {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
      {"swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
      {"favicon-32x32.png", "image/png"},
      {"favicon-16x16.png", "image/png"}};
  installed_ = true;
  for (const auto& [name, type] : kFiles) {
    try {
      files_[name] = {type, util::readFile(dir / name)};
    } catch (const std::runtime_error&) {
      installed_ = false;
    }
  }
  // The page's script lives in its own file so the Content-Security-Policy can forbid inline
  // scripts.
  files_["init.js"] = {"application/javascript; charset=utf-8",
                       "window.addEventListener('load', function () {\n"
                       "  window.ui = SwaggerUIBundle({\n"
                       "    url: '/openapi.json',\n"
                       "    dom_id: '#swagger-ui',\n"
                       "    deepLinking: true,\n"
                       "    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
                       "    layout: 'StandaloneLayout'\n"
                       "  });\n"
                       "});\n"};
  const std::string t = htmlEscape(title);
  if (installed_) {
    index_html_ =
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>" +
        t +
        " - API docs</title>\n"
        "<link rel=\"stylesheet\" href=\"/docs/swagger-ui.css\">\n"
        "<link rel=\"icon\" type=\"image/png\" href=\"/docs/favicon-32x32.png\" sizes=\"32x32\">\n"
        "</head>\n<body>\n<div id=\"swagger-ui\"></div>\n"
        "<script src=\"/docs/swagger-ui-bundle.js\"></script>\n"
        "<script src=\"/docs/swagger-ui-standalone-preset.js\"></script>\n"
        "<script src=\"/docs/init.js\"></script>\n</body>\n</html>\n";
  } else {
    index_html_ =
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>" + t +
        " - API docs</title></head>\n<body>\n<h1>" + t +
        " API</h1>\n<p>The interactive docs (Swagger UI) are not installed on this server. Run "
        "<code>scripts/setup.sh</code> (or <code>make run</code>), or set <code>WEB_DIR</code> to "
        "a "
        "swagger-ui-dist folder.</p>\n<p>The OpenAPI document is at <a "
        "href=\"/openapi.json\">/openapi.json</a>.</p>\n"
        "</body>\n</html>\n";
  }
}

const Asset* StaticAssets::find(const std::string& name) const {
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace chatbot::api
