#include "kb/article.h"

namespace chatbot::kb {

nlohmann::json toJson(const Article& a) {
  return {{"id", a.id},
          {"subject", a.subject},
          {"category", a.category},
          {"difficulty", a.difficulty},
          {"tags", a.tags},
          {"questions", a.questions},
          {"body", a.body},
          {"url", a.url},
          {"source", a.source},
          {"metadata", a.metadata}};
}

Article articleFromJson(const nlohmann::json& j) {
  Article a;
  a.id = j.at("id").get<std::string>();
  a.subject = j.at("subject").get<std::string>();
  a.category = j.value("category", "");
  a.difficulty = j.value("difficulty", "");
  a.tags = j.value("tags", std::vector<std::string>{});
  a.questions = j.value("questions", std::vector<std::string>{});
  a.body = j.at("body").get<std::string>();
  a.url = j.value("url", "");
  a.source = j.value("source", "");
  a.metadata = j.value("metadata", nlohmann::json::object());
  return a;
}

}  // namespace chatbot::kb
