#include "auth/ticket_access.h"

#include <openssl/crypto.h>

#include "util/hash.h"

namespace chatbot::auth {

bool maySeeConversation(const Identity& caller, std::string_view owner) {
  if (owner.empty()) return true;
  if (caller.atLeast(Role::kAdmin)) return true;
  return caller.authenticated() && caller.subject == owner;
}

TicketTokens::TicketTokens(std::string secret) : secret_(std::move(secret)) {}

std::string TicketTokens::tokenFor(std::int64_t ticket_id) const {
  return "tkt_" + util::hmacSha256Hex(secret_, "ticket:" + std::to_string(ticket_id));
}

bool TicketTokens::matches(std::int64_t ticket_id, std::string_view token) const {
  const std::string expected = tokenFor(ticket_id);
  return token.size() == expected.size() &&
         CRYPTO_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

bool maySeeTicket(const Identity& caller, std::string_view owner, std::int64_t ticket_id,
                  std::string_view token, const TicketTokens& tokens) {
  if (caller.atLeast(Role::kAgent)) return true;
  if (!owner.empty()) return caller.authenticated() && caller.subject == owner;
  return !token.empty() && tokens.matches(ticket_id, token);
}

}  // namespace chatbot::auth
