#include "auth/api_keys.h"

#include <openssl/crypto.h>

#include <cstdlib>  // arc4random_uniform (glibc 2.36+): ChaCha20 seeded by getrandom

#include "support/store_call.h"
#include "util/hash.h"
#include "util/text.h"

namespace chatbot::auth {

namespace {

constexpr std::size_t kIdLength = 12;
constexpr std::size_t kSecretLength = 32;
constexpr std::size_t kMaxNameLength = 64;
constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `length` characters drawn uniformly from `alphabet` (arc4random_uniform has no modulo bias).
std::string randomString(std::string_view alphabet, std::size_t length) {
  std::string out(length, '\0');
  for (char& c : out) {
    c = alphabet[arc4random_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  }
  return out;
}

bool allIn(std::string_view text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string_view::npos;
}

bool validName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return allIn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-@ ");
}

}  // namespace

std::optional<KeyParts> parseApiKey(std::string_view key) {
  if (!key.starts_with(kApiKeyPrefix)) return std::nullopt;
  key.remove_prefix(kApiKeyPrefix.size());
  if (key.size() != kIdLength + 1 + kSecretLength || key[kIdLength] != '_') return std::nullopt;
  KeyParts parts{std::string(key.substr(0, kIdLength)), std::string(key.substr(kIdLength + 1))};
  if (!allIn(parts.id, kLowerAlnum) || !allIn(parts.secret, kAlnum)) return std::nullopt;
  return parts;
}

std::string hashKeySecret(std::string_view secret) {
  return util::sha256Hex(secret);
}

bool secretMatches(std::string_view secret, std::string_view stored_hash) {
  const std::string hash = hashKeySecret(secret);
  return hash.size() == stored_hash.size() &&
         CRYPTO_memcmp(hash.data(), stored_hash.data(), hash.size()) == 0;
}

Identity identityOfKey(const store::ApiKeyRecord& key) {
  Identity identity;
  identity.kind = IdentityKind::kApiKey;
  identity.role = parseRole(key.role).value_or(Role::kEmployee);
  identity.subject = "key:" + key.id;
  identity.display_name = key.name;
  return identity;
}

std::string_view KeyView::state(store::EpochMs now) const {
  if (revoked_ms) return "revoked";
  if (expires_ms && *expires_ms <= now) return "expired";
  return "active";
}

KeyView viewOf(const store::ApiKeyRecord& record) {
  return {record.id,          record.name,       parseRole(record.role).value_or(Role::kEmployee),
          record.created_ms,  record.expires_ms, record.revoked_ms,
          record.last_used_ms};
}

Result<std::chrono::seconds> parseLifetime(std::string_view text) {
  const std::string_view trimmed = util::trim(text);
  const auto invalid = [&] {
    // Appended piece by piece: "'" + std::string(...) trips a false -Wrestrict in GCC 12.
    std::string detail = "'";
    detail += text;
    detail +=
        "' is not a lifetime: write a whole number and a unit, such as 90d (days), 2w "
        "(weeks), 12h (hours), 30m (minutes) or 3600s.";
    return Error::invalidInput(std::move(detail));
  };
  if (trimmed.size() < 2) return invalid();
  const std::string_view digits = trimmed.substr(0, trimmed.size() - 1);
  if (!allIn(digits, "0123456789") || digits.size() > 6) return invalid();
  const long long count = std::stoll(std::string(digits));
  if (count <= 0) return invalid();
  switch (trimmed.back()) {
    case 's':
      return std::chrono::seconds(count);
    case 'm':
      return std::chrono::seconds(std::chrono::minutes(count));
    case 'h':
      return std::chrono::seconds(std::chrono::hours(count));
    case 'd':
      return std::chrono::seconds(std::chrono::days(count));
    case 'w':
      return std::chrono::seconds(std::chrono::weeks(count));
    default:
      return invalid();
  }
}

KeyService::KeyService(std::shared_ptr<store::AccessStore> store) : store_(std::move(store)) {}

Result<CreatedKey> KeyService::create(const NewKeyRequest& request, store::EpochMs now) const {
  if (!validName(request.name)) {
    return Error::invalidInput(
        "A key's name is 1-64 characters: letters, digits, '.', '_', '-', '@' and inner spaces "
        "(e.g. \"helpdesk-portal\" or \"jane@example.com\").");
  }
  store::NewApiKey key;
  key.id = randomString(kLowerAlnum, kIdLength);
  const std::string secret = randomString(kAlnum, kSecretLength);
  key.name = request.name;
  key.role = std::string(toString(request.role));
  key.secret_hash = hashKeySecret(secret);
  key.created_ms = now;
  if (request.expires_in) {
    key.expires_ms =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(*request.expires_in).count();
  }
  return support::storeCall("create_api_key", [&]() -> Result<CreatedKey> {
    if (store_->createApiKey(key) == store::KeyCreation::kNameTaken) {
      return Error{ErrorKind::kInvalidInput, "key_name_taken",
                   "An active key is already named '" + request.name +
                       "': pick another name, or revoke that key first."};
    }
    store::ApiKeyRecord record;
    static_cast<store::NewApiKey&>(record) = key;
    return CreatedKey{viewOf(record), std::string(kApiKeyPrefix) + key.id + "_" + secret};
  });
}

Result<std::vector<KeyView>> KeyService::list() const {
  return support::storeCall("list_api_keys", [&]() -> Result<std::vector<KeyView>> {
    std::vector<KeyView> views;
    for (const auto& record : store_->apiKeys()) views.push_back(viewOf(record));
    return views;
  });
}

Result<KeyView> KeyService::revoke(const std::string& id_or_name, store::EpochMs now) const {
  return support::storeCall("revoke_api_key", [&]() -> Result<KeyView> {
    const auto revoked = store_->revokeApiKey(id_or_name, now);
    if (!revoked) {
      return Error::notFound("key_not_found", "There is no API key with the id or name '" +
                                                  id_or_name +
                                                  "'. `chatbot keys list` shows them.");
    }
    return viewOf(*revoked);
  });
}

}  // namespace chatbot::auth
