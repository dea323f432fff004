#pragma once
// Who may see what: the ownership rules of conversations and tickets in one place, and the
// access tokens that let an anonymous caller come back to a ticket they opened.
//
// Rules (docs/SECURITY.md): a conversation started by an identity is that identity's (and an
// admin's); an anonymous conversation is anyone's who holds its id (a 122-bit random capability,
// as before identities existed). A ticket is its opener's and the service desk's (agents and
// admins); a ticket opened anonymously is reachable with the access token given when it was
// opened. Whatever a caller may not see answers 404, as if it did not exist.
//
// Thread-safety: immutable after construction.
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/identity.h"

namespace chatbot::auth {

// Whether `caller` may read or continue a conversation owned by `owner` ("" anonymous).
bool maySeeConversation(const Identity& caller, std::string_view owner);

// Access tokens of anonymous tickets: HMAC-SHA256 of the ticket id under the installation's
// secret (store::AccessStore::serverSecret), so nothing per ticket is stored and an idempotent
// replay of the ticket's creation can show the same token again.
class TicketTokens {
 public:
  explicit TicketTokens(std::string secret);
  std::string tokenFor(std::int64_t ticket_id) const;
  // Constant time in where the strings differ.
  bool matches(std::int64_t ticket_id, std::string_view token) const;

 private:
  std::string secret_;
};

// Whether `caller` may see a ticket owned by `owner`, presenting `token` (may be empty).
bool maySeeTicket(const Identity& caller, std::string_view owner, std::int64_t ticket_id,
                  std::string_view token, const TicketTokens& tokens);

}  // namespace chatbot::auth
