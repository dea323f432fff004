// Reliability of the store over HTTP: a server killed with SIGKILL in the middle of a burst of
// writes loses nothing it acknowledged and its database opens cleanly; many parallel writers
// produce no errors, no lost and no duplicated rows; a database locked by another program refuses
// answers (503) and shows in /health until it is free again; a disk short of room refuses new
// data (503 storage_full) while reads and deletions go on.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server_process.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A private folder for a database that outlives the servers using it.
struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() /
           ("chatbot-db-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

std::string integrityCheck(const fs::path& db) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string error = handle ? sqlite3_errmsg(handle) : "out of memory";
    sqlite3_close(handle);
    return "cannot open: " + error;
  }
  std::string result;
  sqlite3_exec(
      handle, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0] ? values[0] : "";
        return 0;
      },
      &result, nullptr);
  sqlite3_close(handle);
  return result;
}

// Every ticket on every page of GET /tickets.
std::vector<std::string> allTicketIds(HttpClient& client) {
  std::vector<std::string> ids;
  std::string next;
  while (true) {
    const auto res =
        client.get("/api/v1/tickets?limit=100" + (next.empty() ? "" : "&before=" + next));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    if (res.result_int() != 200) break;
    const auto body = json::parse(res.body());
    for (const auto& t : body["tickets"]) ids.push_back(t["id"]);
    if (body["next"].is_null()) break;
    next = body["next"];
  }
  return ids;
}

TEST(Durability, SigkillInABurstOfWritesLosesNothingAcknowledged) {
  TempDir dir;
  const Env env = {{"DATABASE_PATH", (dir.path / "chatbot.sqlite3").string()}};
  std::mutex mutex;
  std::vector<std::string> tickets;  // acknowledged (201)
  std::vector<std::pair<std::string, std::string>>
      feedback;  // (session, message) whose feedback got 201
  {
    ServerProcess server(env);
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient client(server.port());
        for (int i = 0; !stop; ++i) {
          try {
            if (i % 2 == 0) {
              const auto res = client.postJson(
                  "/api/v1/tickets",
                  json{{"description", "burst " + std::to_string(w) + "-" + std::to_string(i)}}
                      .dump());
              if (res.result_int() == 201) {
                const std::lock_guard lock(mutex);
                tickets.push_back(json::parse(res.body())["id"]);
              }
            } else {
              const auto reply =
                  client.postJson("/api/v1/chat/", R"({"query":"How do I reset my password?"})");
              if (reply.result_int() != 200) continue;
              const auto body = json::parse(reply.body());
              const auto res = client.postJson(
                  "/api/v1/feedback",
                  json{{"message_id", body["message_id"]}, {"helpful", i % 4 == 1}}.dump());
              if (res.result_int() == 201) {
                const std::lock_guard lock(mutex);
                feedback.emplace_back(body["session_id"], body["message_id"]);
              }
            }
          } catch (const std::exception&) {
            // The server is gone: what was acknowledged is already recorded.
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
      });
    }
    // Kill once a fair number of writes went through, in the middle of the burst.
    for (int waited = 0; waited < 600; ++waited) {
      {
        const std::lock_guard lock(mutex);
        if (tickets.size() >= 20 && feedback.size() >= 10) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    server.kill();
    stop = true;
    for (auto& t : writers) t.join();
  }
  ASSERT_GE(tickets.size(), 5u);
  ASSERT_GE(feedback.size(), 3u);
  EXPECT_EQ(integrityCheck(dir.path / "chatbot.sqlite3"), "ok");

  ServerProcess restarted(env);
  HttpClient client = restarted.adminClient();  // the desk lists tickets
  const auto stored = allTicketIds(client);
  const std::set<std::string> stored_set(stored.begin(), stored.end());
  for (const auto& id : tickets)
    EXPECT_TRUE(stored_set.count(id)) << id << " was acknowledged but is gone";
  for (const auto& [session, message] : feedback) {
    const auto res = client.get("/api/v1/sessions/" + session);
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(json::parse(res.body())["messages"][0]["message_id"], message);
    // The rating is there: rating again replaces it.
    const auto again = client.postJson("/api/v1/feedback",
                                       json{{"message_id", message}, {"helpful", true}}.dump());
    EXPECT_EQ(again.result_int(), 200) << again.body();
  }
}

TEST(Durability, ParallelWritersLoseAndDuplicateNothing) {
  ServerProcess server(Env{{"THREADS", "4"}});
  constexpr int kWriters = 8;
  constexpr int kEach = 15;
  std::mutex mutex;
  std::vector<std::string> created;
  std::atomic<int> errors{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(server.port());
      for (int i = 0; i < kEach; ++i) {
        const auto res = client.postJson(
            "/api/v1/tickets",
            json{{"description", "parallel " + std::to_string(w) + "-" + std::to_string(i)}}
                .dump());
        if (res.result_int() != 201) {
          ++errors;
          continue;
        }
        const auto reply = client.postJson("/api/v1/chat/", R"({"query":"printer offline"})");
        const auto fb =
            reply.result_int() == 200
                ? client.postJson("/api/v1/feedback",
                                  json{{"message_id", json::parse(reply.body())["message_id"]},
                                       {"helpful", true}}
                                      .dump())
                : reply;
        if (fb.result_int() != 201) ++errors;
        const std::lock_guard lock(mutex);
        created.push_back(json::parse(res.body())["id"]);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(created.size(), static_cast<std::size_t>(kWriters * kEach));
  EXPECT_EQ(std::set<std::string>(created.begin(), created.end()).size(), created.size());
  HttpClient client = server.adminClient();  // the desk lists tickets and stats
  const auto stored = allTicketIds(client);
  EXPECT_EQ(stored.size(), created.size());
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()),
            std::set<std::string>(created.begin(), created.end()));
  const auto stats = json::parse(client.get("/api/v1/stats").body());
  EXPECT_EQ(stats["feedback"]["total"], kWriters * kEach);
  EXPECT_EQ(stats["feedback"]["helpful"], kWriters * kEach);
  EXPECT_EQ(stats["questions"], kWriters * kEach);
  EXPECT_EQ(stats["tickets"]["total"], kWriters * kEach);
}

// Another program holding the database's write lock past the busy timeout (a backup tool, say):
// chat answers cannot be stored, so they are refused with 503 rather than sent unstored; /health
// says why; both recover once the lock is gone.
TEST(Durability, ALockedDatabaseRefusesAnswersSaysWhyAndRecovers) {
  TempDir dir;
  const fs::path db = dir.path / "chatbot.sqlite3";
  ServerProcess server({{"DATABASE_PATH", db.string()}});
  HttpClient client = server.adminClient();  // the desk reads stats
  const auto health = [&] { return json::parse(client.get("/health").body()); };
  const std::string question = R"({"query":"How do I reset my password?"})";

  ASSERT_EQ(client.postJson("/api/v1/chat/", question).result_int(), 200);
  auto before = health();
  EXPECT_EQ(before["components"]["database"]["status"], "ok") << before.dump();
  EXPECT_EQ(before["components"]["database"]["stored"], 1);

  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto refused = client.postJson("/api/v1/chat/", question);  // waits out the busy timeout
  EXPECT_EQ(refused.result_int(), 503) << refused.body();
  EXPECT_EQ(json::parse(refused.body())["error"], "storage_unavailable");
  EXPECT_FALSE(refused[boost::beast::http::field::retry_after].empty());
  const auto locked = health();
  EXPECT_EQ(locked["status"], "degraded") << locked.dump();
  const auto& database = locked["components"]["database"];
  EXPECT_EQ(database["status"], "degraded");
  EXPECT_EQ(database["failed"], 1);
  EXPECT_TRUE(database["last_failure_at"].is_string());
  EXPECT_NE(database["reason"].get<std::string>().find("locked"), std::string::npos);
  // Reading is not blocked by another program's write lock (WAL).
  EXPECT_EQ(client.get("/api/v1/stats").result_int(), 200);

  sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(locker);
  EXPECT_EQ(client.postJson("/api/v1/chat/", question).result_int(), 200);
  const auto after = health();
  EXPECT_EQ(after["components"]["database"]["status"], "ok") << after.dump();
  EXPECT_EQ(after["components"]["database"]["stored"], 2);
  EXPECT_FALSE(after["components"]["database"].contains("reason"));
  EXPECT_EQ(after["status"], "ok");
}

// MIN_FREE_DISK_MB far above any disk's free space: the guard refuses every write that adds data.
TEST(Durability, StorageGuardRefusesNewDataButKeepsReadsAndDeletions) {
  TempDir dir;
  const fs::path db = dir.path / "chatbot.sqlite3";
  std::string session;
  std::string message;
  {
    ServerProcess before({{"DATABASE_PATH", db.string()}});
    HttpClient client = before.client();
    const auto reply =
        client.postJson("/api/v1/chat/", R"({"query":"How do I reset my password?"})");
    ASSERT_EQ(reply.result_int(), 200) << reply.body();
    session = json::parse(reply.body())["session_id"];
    message = json::parse(reply.body())["message_id"];
    const auto ok = json::parse(client.get("/health").body())["components"]["database"];
    EXPECT_EQ(ok["storage"]["state"], "ok") << ok.dump();
    EXPECT_GT(ok["storage"]["disk_free_mb"], 0);
  }
  ServerProcess full({{"DATABASE_PATH", db.string()}, {"MIN_FREE_DISK_MB", "100000000"}});
  HttpClient client = full.client();  // the anonymous employee of the conversation
  HttpClient desk = full.adminClient();
  const auto expectFull = [](const Response& res) {
    EXPECT_EQ(res.result_int(), 503) << res.body();
    EXPECT_EQ(json::parse(res.body())["error"], "storage_full") << res.body();
    EXPECT_NE(res.body().find("MIN_FREE_DISK_MB"), std::string::npos) << res.body();
    EXPECT_FALSE(res[boost::beast::http::field::retry_after].empty());
  };
  expectFull(client.postJson("/api/v1/chat/",
                             json{{"query", "And on my phone?"}, {"session_id", session}}.dump()));
  expectFull(
      client.postJson("/api/v1/feedback", json{{"message_id", message}, {"helpful", true}}.dump()));
  expectFull(client.postJson("/api/v1/tickets", json{{"session_id", session}}.dump()));
  // Bad input is still a 400: validation comes first.
  EXPECT_EQ(client.postJson("/api/v1/chat/", R"({"query":""})").result_int(), 400);

  const auto health = json::parse(desk.get("/health").body());
  EXPECT_EQ(health["status"], "degraded") << health.dump();
  const auto& database = health["components"]["database"];
  EXPECT_EQ(database["status"], "degraded");
  EXPECT_EQ(database["storage"]["state"], "full");
  EXPECT_EQ(database["storage"]["min_free_disk_mb"], 100000000);
  EXPECT_NE(database["reason"].get<std::string>().find("MIN_FREE_DISK_MB"), std::string::npos);

  // Nothing was stored, and people can still read and make room.
  const auto transcript = client.get("/api/v1/sessions/" + session);
  ASSERT_EQ(transcript.result_int(), 200) << transcript.body();
  EXPECT_EQ(json::parse(transcript.body())["messages"].size(), 1U) << transcript.body();
  EXPECT_TRUE(json::parse(desk.get("/api/v1/tickets").body())["tickets"].empty());
  EXPECT_EQ(client.send(http::verb::delete_, "/api/v1/sessions/" + session, "", {}).result_int(),
            204);
}

}  // namespace
}  // namespace chatbot::testing
