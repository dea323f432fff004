#pragma once
#include <string>
#include <string_view>

namespace chatbot::util {

// Random RFC 4122 version-4 UUID. Thread-safe (per-thread generator).
std::string newUuid();

// True when a client-supplied request id is safe to echo and log: 1-128 characters of
// [A-Za-z0-9._:-]. Anything else is replaced by a generated id.
bool isAcceptableRequestId(std::string_view id) noexcept;

}  // namespace chatbot::util
