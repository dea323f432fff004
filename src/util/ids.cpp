#include "util/ids.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>  // arc4random_buf (glibc 2.36+): a per-thread ChaCha20 stream seeded by getrandom
#include <vector>

namespace chatbot::util {

namespace {

using UuidBytes = std::array<unsigned char, 16>;

std::string format(UuidBytes bytes, unsigned version) {
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | (version << 4));
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // the RFC 9562 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

}  // namespace

std::string randomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  arc4random_buf(raw.data(), raw.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (const unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string newUuid() {
  UuidBytes bytes{};
  arc4random_buf(bytes.data(), bytes.size());
  return format(bytes, 4);
}

std::string newTimeOrderedUuid() {
  UuidBytes bytes{};
  arc4random_buf(bytes.data(), bytes.size());
  const auto ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  for (int i = 0; i < 6; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  }
  return format(bytes, 7);
}

bool isAcceptableRequestId(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace chatbot::util
