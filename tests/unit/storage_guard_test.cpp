// support::StorageGuard on a real directory: the database's size (file and WAL) against
// MAX_DATABASE_MB, the disk's free space against MIN_FREE_DISK_MB, and the cached measurement.
#include "support/storage_guard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace chatbot::support {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kMb = 1024 * 1024;
constexpr std::chrono::milliseconds kAlwaysMeasure{0};

class StorageGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("chatbot-storage-guard-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    database_ = dir_ / "chatbot.sqlite3";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void writeBytes(const fs::path& path, std::uint64_t bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const std::string block(64 * 1024, 'x');
    for (std::uint64_t written = 0; written < bytes; written += block.size()) {
      out.write(block.data(), static_cast<std::streamsize>(
                                  std::min<std::uint64_t>(block.size(), bytes - written)));
    }
  }

  fs::path dir_;
  fs::path database_;
};

TEST_F(StorageGuardTest, WithoutLimitsAdmitsEveryWriteAndStillReportsTheSize) {
  writeBytes(database_, 3 * kMb);
  const StorageGuard guard(database_, {.sample_interval = kAlwaysMeasure});
  EXPECT_TRUE(guard.admitWrite());
  const StorageReport report = guard.report();
  EXPECT_EQ(report.state, StorageState::kOk);
  EXPECT_EQ(report.database_bytes, 3 * kMb);
  EXPECT_GT(report.free_bytes, 0U);
  EXPECT_TRUE(report.reason.empty());
}

TEST_F(StorageGuardTest, AMissingDatabaseCountsAsEmpty) {
  const StorageGuard guard(database_,
                           {.max_database_bytes = kMb, .sample_interval = kAlwaysMeasure});
  EXPECT_EQ(guard.report().database_bytes, 0U);
  EXPECT_TRUE(guard.admitWrite());
}

TEST_F(StorageGuardTest, DatabaseAndWalAtTheCeilingRefuseWritesWithStorageFull) {
  writeBytes(database_, 2 * kMb);
  writeBytes(dir_ / "chatbot.sqlite3-wal", 1 * kMb);
  const StorageGuard guard(database_,
                           {.max_database_bytes = 3 * kMb, .sample_interval = kAlwaysMeasure});
  const StorageReport report = guard.report();
  EXPECT_EQ(report.state, StorageState::kFull);
  EXPECT_EQ(report.database_bytes, 3 * kMb);
  const auto admitted = guard.admitWrite();
  ASSERT_FALSE(admitted);
  EXPECT_EQ(admitted.error().kind, ErrorKind::kStorageUnavailable);
  EXPECT_EQ(admitted.error().code, "storage_full");
  EXPECT_NE(admitted.error().detail.find("MAX_DATABASE_MB"), std::string::npos);
  EXPECT_GT(admitted.error().retry_after_seconds, 0U);
}

TEST_F(StorageGuardTest, NinetyPercentOfTheCeilingWarnsButAdmits) {
  writeBytes(database_, 19 * kMb / 2);
  const StorageGuard guard(database_,
                           {.max_database_bytes = 10 * kMb, .sample_interval = kAlwaysMeasure});
  const StorageReport report = guard.report();
  EXPECT_EQ(report.state, StorageState::kWarning);
  EXPECT_NE(report.reason.find("running short"), std::string::npos);
  EXPECT_TRUE(guard.admitWrite());
}

TEST_F(StorageGuardTest, LessFreeDiskThanTheFloorRefusesWrites) {
  // No disk has an exabyte free, so this floor is never met.
  const StorageGuard guard(
      database_, {.min_free_bytes = std::uint64_t{1} << 60, .sample_interval = kAlwaysMeasure});
  EXPECT_EQ(guard.report().state, StorageState::kFull);
  const auto admitted = guard.admitWrite();
  ASSERT_FALSE(admitted);
  EXPECT_NE(admitted.error().detail.find("MIN_FREE_DISK_MB"), std::string::npos);
}

TEST_F(StorageGuardTest, FreeDiskBelowTwiceTheFloorWarns) {
  const StorageGuard probe(database_, {.sample_interval = kAlwaysMeasure});
  const std::uint64_t free_bytes = probe.report().free_bytes;
  ASSERT_GT(free_bytes, 4 * kMb);
  // A floor just above half of the free space: still above it, but within twice it.
  const StorageGuard guard(
      database_, {.min_free_bytes = free_bytes / 2 + 2 * kMb, .sample_interval = kAlwaysMeasure});
  EXPECT_EQ(guard.report().state, StorageState::kWarning);
  EXPECT_TRUE(guard.admitWrite());
}

TEST_F(StorageGuardTest, AMeasurementIsReusedUntilTheSampleIntervalHasPassed) {
  writeBytes(database_, kMb);
  const StorageGuard cached(
      database_, {.max_database_bytes = 2 * kMb, .sample_interval = std::chrono::hours(1)});
  EXPECT_TRUE(cached.admitWrite());
  writeBytes(database_, 3 * kMb);
  EXPECT_TRUE(cached.admitWrite()) << "measured again within the sample interval";
  EXPECT_EQ(cached.report().database_bytes, kMb);

  const StorageGuard fresh(database_,
                           {.max_database_bytes = 2 * kMb, .sample_interval = kAlwaysMeasure});
  EXPECT_FALSE(fresh.admitWrite());
}

}  // namespace
}  // namespace chatbot::support
