// The model downloader with real libcurl and real files, against a local server that behaves like
// Hugging Face (fake_hf_server.h), and `chatbot models list|pull` run as the real binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fake_hf_server.h"
#include "models/downloader.h"
#include "models/registry.h"
#include "models/resolve.h"
#include "server_process.h"
#include "util/file.h"
#include "util/hash.h"

namespace chatbot::testing {
namespace {

namespace fs = std::filesystem;
using models::DownloadError;

constexpr std::size_t kFileSize = 1'500'000;

// Records what the downloader reported; can pull the cancel flag part-way, like Ctrl-C.
class RecordingProgress final : public models::DownloadProgress {
 public:
  void started(std::uint64_t offset, std::uint64_t total) override {
    starts.emplace_back(offset, total);
  }
  void advanced(std::uint64_t done) override {
    last = done;
    if (cancel_after != 0 && done >= cancel_after && cancel != nullptr) cancel->store(true);
  }
  void retrying(int, const std::string& reason, std::chrono::milliseconds) override {
    retries.push_back(reason);
  }
  void verifying() override { verified = true; }

  std::vector<std::pair<std::uint64_t, std::uint64_t>> starts;
  std::vector<std::string> retries;
  std::uint64_t last = 0;
  bool verified = false;
  std::uint64_t cancel_after = 0;
  std::atomic<bool>* cancel = nullptr;
};

class ModelDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("chatbot-models-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    body_ = pseudoRandomBytes(kFileSize);
  }
  void TearDown() override { fs::remove_all(dir_); }

  models::DownloadRequest request(const FakeHfServer& server) const {
    models::DownloadRequest r;
    r.url = server.fileUrl();
    r.destination = dir_ / "model.gguf";
    r.first_backoff = std::chrono::milliseconds(10);
    r.max_attempts = 4;
    return r;
  }
  FakeHfOptions options() const {
    FakeHfOptions o;
    o.body = body_;
    return o;
  }
  fs::path part() const { return dir_ / "model.gguf.part"; }
  // The error a download that must fail throws.
  DownloadError failure(const models::DownloadRequest& r) {
    try {
      models::makeCurlDownloader()->download(r, progress_);
    } catch (const DownloadError& e) {
      return e;
    }
    ADD_FAILURE() << "the download succeeded";
    return DownloadError(DownloadError::Kind::kIo, "(none)");
  }

  fs::path dir_;
  std::string body_;
  RecordingProgress progress_;
};

TEST_F(ModelDownload, DownloadsThroughTheRedirectAndVerifiesTheLinkedEtag) {
  FakeHfServer server(options());
  const auto result = models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
  EXPECT_FALSE(fs::exists(part()));
  EXPECT_EQ(result.sha256, util::sha256Hex(body_));
  EXPECT_EQ(result.sha256_source, "server");
  EXPECT_EQ(result.bytes, kFileSize);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_TRUE(progress_.verified);
  ASSERT_EQ(progress_.starts.size(), 1u);
  EXPECT_EQ(progress_.starts[0], std::make_pair(std::uint64_t{0}, std::uint64_t{kFileSize}));
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);  // resolve -> 302 -> cdn
  EXPECT_EQ(seen[1].target, "/cdn/test-model-q4_k_m.gguf");
}

TEST_F(ModelDownload, WithoutRedirectTheEtagIsTheHash) {
  auto o = options();
  o.redirect = false;
  FakeHfServer server(o);
  const auto result = models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(result.sha256_source, "server");
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

TEST_F(ModelDownload, ResumesWithARangeRequestAfterTheConnectionDrops) {
  auto o = options();
  o.drop_after = 600'000;
  FakeHfServer server(o);
  const auto result = models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);  // exact: nothing lost or doubled
  EXPECT_EQ(result.attempts, 2);
  ASSERT_EQ(progress_.retries.size(), 1u);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].range, "");
  EXPECT_TRUE(seen[2].range.starts_with("bytes=")) << seen[2].range;
  const auto resumed_at = std::stoull(seen[2].range.substr(6));
  EXPECT_GT(resumed_at, 0u);
  EXPECT_LE(resumed_at, 600'000u);
  EXPECT_EQ(seen[3].range, seen[2].range);  // the Range survives the redirect
  EXPECT_EQ(progress_.starts.back().first, resumed_at);
}

TEST_F(ModelDownload, ContinuesAPartFileLeftByAnEarlierRun) {
  std::ofstream(part(), std::ios::binary) << body_.substr(0, 1000);
  FakeHfServer server(options());
  const auto result = models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(result.resumed_from, 1000u);
  EXPECT_EQ(server.requests()[0].range, "bytes=1000-");
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

TEST_F(ModelDownload, AServerIgnoringRangeRestartsThePartCleanly) {
  std::ofstream(part(), std::ios::binary) << std::string(1000, 'x');  // not even the right bytes
  auto o = options();
  o.honour_range = false;
  FakeHfServer server(o);
  models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

TEST_F(ModelDownload, ACompletePartFileIsVerifiedWithoutDownloadingAgain) {
  std::ofstream(part(), std::ios::binary) << body_;
  FakeHfServer server(options());
  models::makeCurlDownloader()->download(request(server), progress_);  // 416 -> already complete
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

TEST_F(ModelDownload, WrongBytesAreRefusedAndDeleted) {
  auto o = options();
  o.wrong_body = true;
  FakeHfServer server(o);
  const auto e = failure(request(server));
  EXPECT_EQ(e.kind(), DownloadError::Kind::kChecksum);
  EXPECT_NE(std::string(e.what()).find("sha256 mismatch"), std::string::npos) << e.what();
  EXPECT_FALSE(fs::exists(dir_ / "model.gguf"));
  EXPECT_FALSE(fs::exists(part()));
}

TEST_F(ModelDownload, APinnedHashThatDiffersFromTheServersStopsBeforeDownloading) {
  FakeHfServer server(options());
  auto r = request(server);
  r.expected_sha256 = std::string(64, 'a');
  r.expected_sha256_source = "pinned";
  const auto e = failure(r);
  EXPECT_EQ(e.kind(), DownloadError::Kind::kChecksum);
  EXPECT_NE(std::string(e.what()).find("--sha256 " + util::sha256Hex(body_)), std::string::npos)
      << e.what();
  EXPECT_EQ(progress_.last, 0u);
  EXPECT_FALSE(fs::exists(dir_ / "model.gguf"));
}

TEST_F(ModelDownload, NoHashAnywhereMeansNothingIsDownloaded) {
  auto o = options();
  o.announced_sha256 = "none";
  FakeHfServer server(o);
  const auto e = failure(request(server));
  EXPECT_EQ(e.kind(), DownloadError::Kind::kNoChecksum);
  EXPECT_FALSE(fs::exists(dir_ / "model.gguf"));
  // With the hash given by the caller, the same file is accepted.
  auto r = request(server);
  r.expected_sha256 = util::sha256Hex(body_);
  EXPECT_EQ(models::makeCurlDownloader()->download(r, progress_).sha256, r.expected_sha256);
}

TEST_F(ModelDownload, NotFoundSaysSo) {
  auto o = options();
  o.status = 404;
  FakeHfServer server(o);
  const auto e = failure(request(server));
  EXPECT_EQ(e.kind(), DownloadError::Kind::kNotFound);
  EXPECT_NE(std::string(e.what()).find("HTTP 404"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("test says no"), std::string::npos) << e.what();
  EXPECT_EQ(server.requests().size(), 1u);  // not retried
}

TEST_F(ModelDownload, AccessDeniedExplainsHfTokenAndTheTokenIsSent) {
  auto o = options();
  o.status = 401;
  FakeHfServer server(o);
  auto r = request(server);
  const auto e = failure(r);
  EXPECT_EQ(e.kind(), DownloadError::Kind::kAccessDenied);
  EXPECT_NE(std::string(e.what()).find("set HF_TOKEN"), std::string::npos) << e.what();
  r.bearer_token = "hf_test_token";
  EXPECT_THROW(models::makeCurlDownloader()->download(r, progress_), DownloadError);
  EXPECT_EQ(server.requests().back().authorization, "Bearer hf_test_token");
}

TEST_F(ModelDownload, TheTokenGoesToTheEndpointButNotToTheCdnItRedirectsTo) {
  auto o = options();
  o.cdn_host = "localhost";  // another host name for the same loopback server
  FakeHfServer server(o);
  auto r = request(server);
  r.bearer_token = "hf_test_token";
  models::makeCurlDownloader()->download(r, progress_);
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Bearer hf_test_token");
  EXPECT_EQ(seen[1].target, "/cdn/test-model-q4_k_m.gguf");
  EXPECT_EQ(seen[1].authorization, "");
}

TEST_F(ModelDownload, ServerErrorsAreRetriedWithBackoff) {
  auto o = options();
  o.fail_first = 2;
  FakeHfServer server(o);
  const auto result = models::makeCurlDownloader()->download(request(server), progress_);
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(progress_.retries, (std::vector<std::string>{"HTTP 503", "HTTP 503"}));
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

TEST_F(ModelDownload, InterruptingKeepsThePartForTheNextRun) {
  FakeHfServer server(options());
  std::atomic<bool> cancel{false};
  auto r = request(server);
  r.cancel = &cancel;
  progress_.cancel = &cancel;
  progress_.cancel_after = 200'000;
  const auto e = failure(r);
  EXPECT_EQ(e.kind(), DownloadError::Kind::kCancelled);
  EXPECT_NE(std::string(e.what()).find("run the same command again to resume"), std::string::npos)
      << e.what();
  EXPECT_FALSE(fs::exists(dir_ / "model.gguf"));
  ASSERT_TRUE(fs::exists(part()));
  const auto kept = fs::file_size(part());
  EXPECT_GE(kept, 200'000u);
  cancel = false;
  progress_.cancel_after = 0;
  EXPECT_EQ(models::makeCurlDownloader()->download(r, progress_).resumed_from, kept);
  EXPECT_EQ(util::readFile(dir_ / "model.gguf"), body_);
}

// --- the real binary ---------------------------------------------------------------------------

class ModelsCli : public ModelDownload {
 protected:
  Env env(const FakeHfServer* server = nullptr) const {
    Env e{{"MODELS_DIR", dir_.string()}, {"LLM_MODEL_ID", "none"}, {"EMBEDDING_MODEL", "none"}};
    if (server != nullptr) e["HF_ENDPOINT"] = server->endpoint();
    return e;
  }
};

TEST_F(ModelsCli, ListShowsEveryKnownModelAndWhatIsConfigured) {
  auto e = env();
  e["LLM_MODEL_ID"] = "TinyLlama/TinyLlama-1.1B-Chat-v1.0";
  std::ofstream(dir_ / "all-MiniLM-L6-v2-Q8_0.gguf") << "gguf";
  e["EMBEDDING_MODEL"] = "all-minilm-l6-v2";
  const auto [status, out] = runChatbot({"models", "list"}, e);
  ASSERT_EQ(status, 0) << out;
  for (const auto& m : models::knownModels())
    EXPECT_NE(out.find(std::string(m.alias)), std::string::npos) << m.alias;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("tinyllama-1.1b-chat ")) {
      EXPECT_NE(line.find(" no "), std::string::npos) << line;
      EXPECT_NE(line.find("LLM_MODEL_ID"), std::string::npos) << line;
    }
    if (line.starts_with("all-minilm-l6-v2 ")) {
      EXPECT_NE(line.find(" yes "), std::string::npos) << line;
      EXPECT_NE(line.find("EMBEDDING_MODEL"), std::string::npos) << line;
    }
  }
  EXPECT_NE(out.find("chatbot models pull tinyllama-1.1b-chat"), std::string::npos) << out;

  const auto [json_status, json_out] = runChatbot({"models", "list", "--json"}, e);
  ASSERT_EQ(json_status, 0) << json_out;
  const auto parsed = nlohmann::json::parse(json_out);
  EXPECT_EQ(parsed["models"].size(), models::knownModels().size());
  EXPECT_EQ(parsed["configured"]["EMBEDDING_MODEL"]["path"],
            (dir_ / "all-MiniLM-L6-v2-Q8_0.gguf").string());
  EXPECT_TRUE(parsed["configured"]["LLM_MODEL_ID"]["path"].is_null());
}

TEST_F(ModelsCli, PullAnAliasFromHfEndpointThenItResolves) {
  auto o = options();
  o.repo = "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF";
  o.file = "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf";
  FakeHfServer server(o);
  const auto [status, out] = runChatbot({"models", "pull", "tinyllama-1.1b-chat"}, env(&server));
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("LLM_MODEL_ID=tinyllama-1.1b-chat"), std::string::npos) << out;
  EXPECT_EQ(util::readFile(dir_ / o.file), body_);
  EXPECT_EQ(models::resolveModel("tinyllama-1.1b-chat", dir_, models::ModelRole::kChat),
            dir_ / o.file);
  const auto [again, again_out] =
      runChatbot({"models", "pull", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}, env(&server));
  EXPECT_EQ(again, 0);
  EXPECT_NE(again_out.find("already downloaded"), std::string::npos) << again_out;
}

TEST_F(ModelsCli, APinnedAliasRefusesAnotherFileUnlessSha256Overrides) {
  const auto* qwen = models::findKnownModel("qwen2.5-0.5b-instruct");
  ASSERT_NE(qwen, nullptr);
  ASSERT_FALSE(qwen->sha256.empty());
  auto o = options();
  o.repo = std::string(qwen->repo);
  o.file = std::string(qwen->file);
  FakeHfServer server(o);
  const auto [status, out] = runChatbot({"models", "pull", "qwen2.5-0.5b-instruct"}, env(&server));
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("--sha256 " + util::sha256Hex(body_)), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / o.file));
  const auto [ok, ok_out] =
      runChatbot({"models", "pull", "qwen2.5-0.5b-instruct", "--sha256", util::sha256Hex(body_)},
                 env(&server));
  EXPECT_EQ(ok, 0) << ok_out;
  EXPECT_EQ(util::readFile(dir_ / o.file), body_);
}

TEST_F(ModelsCli, PullRepoFileAndUsageErrors) {
  auto o = options();
  o.status = 404;
  FakeHfServer server(o);
  const auto [missing, missing_out] =
      runChatbot({"models", "pull", "someone/Some-GGUF/some.gguf"}, env(&server));
  EXPECT_EQ(missing, 1) << missing_out;
  EXPECT_NE(missing_out.find("HTTP 404"), std::string::npos) << missing_out;
  EXPECT_EQ(server.requests().at(0).target, "/someone/Some-GGUF/resolve/main/some.gguf");

  EXPECT_EQ(runChatbot({"models", "pull", "no-such-model"}, env(&server)).first, 2);
  EXPECT_EQ(runChatbot({"models", "pull", "tinyllama", "--sha256", "xyz"}, env(&server)).first, 2);
  EXPECT_EQ(runChatbot({"models"}, env()).first, 2);
  const auto [help, help_out] = runChatbot({"models", "pull", "--help"}, env());
  EXPECT_EQ(help, 0);
  EXPECT_NE(help_out.find("Examples:"), std::string::npos) << help_out;
}

}  // namespace
}  // namespace chatbot::testing
