#pragma once
// Messages that are not questions for the knowledge base: greetings, thanks, asking for a person
// or for a ticket. Searching them would answer "hi" with whichever article mentions "hi"; they
// get fitting replies instead. Topics outside IT (HR, payroll, facilities) are recognised by a
// table (OUT_OF_SCOPE_FILE) when the knowledge base has no answer, so the reply can name who
// handles them instead of offering an IT ticket.
//
// A message counts as small talk only when nothing else in it carries a topic: "hi, my VPN drops"
// is a VPN question. Pure functions and an immutable table: safe to share across threads.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::rag {

enum class Intent { kNone, kGreeting, kThanks, kHuman, kTicket, kOutOfScope };

// "greeting", "thanks", "human", "ticket", "out_of_scope"; "" for kNone.
std::string_view toString(Intent intent);

// kGreeting, kThanks, kHuman or kTicket when that is all `message` says; kNone otherwise.
Intent detectIntent(std::string_view message);

// One topic the IT service desk does not handle, and who does.
struct OutOfScopeTopic {
  std::string name;                               // e.g. "HR"
  std::string contact;                            // e.g. "HR (hr@example.com or the HR portal)"
  std::vector<std::vector<std::string>> phrases;  // stemmed words, e.g. {"annual", "leav"}
};

class OutOfScopeTopics {
 public:
  OutOfScopeTopics() = default;
  // Lines "name | contact | phrase, phrase, ..."; '#' starts a comment. Throws
  // std::runtime_error naming the line on a malformed one.
  static OutOfScopeTopics parse(std::string_view text);
  static OutOfScopeTopics load(const std::filesystem::path& path);

  struct Match {
    const OutOfScopeTopic* topic = nullptr;            // null: no topic matched
    const std::vector<std::string>* phrase = nullptr;  // the phrase found, stemmed
  };
  // The first topic one of whose phrases `message` contains.
  Match match(std::string_view message) const;
  std::size_t size() const noexcept { return topics_.size(); }

 private:
  std::vector<OutOfScopeTopic> topics_;
};

// The reply to a message of `intent` (not kNone). `contact` is how to reach the IT service desk;
// `topic` the matched topic for kOutOfScope.
std::string intentReply(Intent intent, const std::string& contact,
                        const OutOfScopeTopic* topic = nullptr);

}  // namespace chatbot::rag
