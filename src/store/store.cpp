#include "store/store.h"

#include <array>
#include <utility>

namespace chatbot::store {

namespace {

// The spellings are stored in the database and shown in the API: changing one is a migration.
constexpr std::array<std::pair<TicketStatus, std::string_view>, 4> kStatusNames = {{
    {TicketStatus::kOpen, "open"},
    {TicketStatus::kInProgress, "in_progress"},
    {TicketStatus::kResolved, "resolved"},
    {TicketStatus::kClosed, "closed"},
}};

constexpr std::array<std::pair<TicketPriority, std::string_view>, 4> kPriorityNames = {{
    {TicketPriority::kLow, "low"},
    {TicketPriority::kNormal, "normal"},
    {TicketPriority::kHigh, "high"},
    {TicketPriority::kUrgent, "urgent"},
}};

constexpr std::array<std::pair<DeliveryState, std::string_view>, 4> kDeliveryNames = {{
    {DeliveryState::kNone, "none"},
    {DeliveryState::kPending, "pending"},
    {DeliveryState::kDelivered, "delivered"},
    {DeliveryState::kFailed, "failed"},
}};

template <typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";  // only for a value cast from an out-of-range integer
}

template <typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, std::string_view>, N>& names,
                            std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view toString(TicketStatus status) {
  return nameOf(kStatusNames, status);
}
std::string_view toString(TicketPriority priority) {
  return nameOf(kPriorityNames, priority);
}
std::string_view toString(DeliveryState state) {
  return nameOf(kDeliveryNames, state);
}

std::optional<TicketStatus> parseTicketStatus(std::string_view text) {
  return valueOf(kStatusNames, text);
}

std::optional<TicketPriority> parseTicketPriority(std::string_view text) {
  return valueOf(kPriorityNames, text);
}

}  // namespace chatbot::store
