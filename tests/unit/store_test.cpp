// The engine-neutral part of store/store.h: the names of ticket statuses, priorities and delivery
// states. What every backend must do is the contract in tests/contracts/store_contract.h.
#include "store/store.h"

#include <gtest/gtest.h>

namespace chatbot::store {
namespace {

TEST(StoreNames, RoundTripAndRejectUnknown) {
  for (auto status : {TicketStatus::kOpen, TicketStatus::kInProgress, TicketStatus::kResolved,
                      TicketStatus::kClosed}) {
    EXPECT_EQ(parseTicketStatus(toString(status)), status);
  }
  for (auto priority : {TicketPriority::kLow, TicketPriority::kNormal, TicketPriority::kHigh,
                        TicketPriority::kUrgent}) {
    EXPECT_EQ(parseTicketPriority(toString(priority)), priority);
  }
  EXPECT_EQ(toString(TicketStatus::kInProgress), "in_progress");
  EXPECT_EQ(toString(TicketPriority::kUrgent), "urgent");
  EXPECT_EQ(toString(DeliveryState::kNone), "none");
  EXPECT_EQ(toString(DeliveryState::kFailed), "failed");
  EXPECT_FALSE(parseTicketStatus("Open"));
  EXPECT_FALSE(parseTicketStatus(""));
  EXPECT_FALSE(parseTicketPriority("critical"));
}

}  // namespace
}  // namespace chatbot::store
