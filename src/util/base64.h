#pragma once
// Base64url (RFC 4648 §5, the URL- and filename-safe alphabet) without padding, as JOSE uses it:
// JWS segments and JWK key material. Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace chatbot::util {

// `bytes` in base64url, no '=' padding.
std::string base64UrlEncode(std::string_view bytes);

// The bytes `text` encodes, or nullopt when it is not canonical unpadded base64url: a character
// outside the alphabet (including '=', '+', '/' and whitespace), a length that leaves one
// character over, or non-zero bits after the last byte. Strict on purpose: a JWS is compared and
// signed byte for byte, so two spellings of the same bytes are not the same token.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace chatbot::util
