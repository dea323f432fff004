#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace chatbot::util {

// Random RFC 9562 version-4 UUID: 122 bits from the system's CSPRNG (arc4random). Thread-safe.
std::string newUuid();

// RFC 9562 version-7 UUID: 48 bits of Unix time in milliseconds, then 74 bits from the CSPRNG.
// For ids that are stored as keys (sessions, messages): ids made close in time sort close
// together, so B-tree inserts land on the same few pages instead of a random page each, which
// keeps every commit small. 74 random bits leave the id as unguessable as a bearer token needs
// (OWASP asks for 64); what it reveals is when it was made. Thread-safe.
std::string newTimeOrderedUuid();

// `bytes` bytes from the system's CSPRNG, as lower-case hex (2 * bytes characters): secrets such
// as the installation's HMAC keys. Thread-safe.
std::string randomHex(std::size_t bytes);

// True when a client-supplied request id is safe to echo and log: 1-128 characters of
// [A-Za-z0-9._:-]. Anything else is replaced by a generated id.
bool isAcceptableRequestId(std::string_view id) noexcept;

}  // namespace chatbot::util
