// Generator contract: identity and status, max_tokens, using the sources, streaming; and for
// fallback generators, the "no answer" reply.
#include "contracts/generator_contract.h"

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "kb/article.h"

namespace chatbot::rag::contract {

void GeneratorContract::SetUp() {
  if (built_ && built_for_ == GetParam().name) return;
  TearDownTestSuite();
  built_ = GetParam().make(kSupportContact);
  built_for_ = GetParam().name;
  ASSERT_TRUE(built_);
}

void GeneratorContract::TearDownTestSuite() {
  built_.reset();
  built_for_.clear();
}

namespace {

std::vector<kb::Article> articles() {
  std::vector<kb::Article> out(2);
  out[0].id = "dev-printer";
  out[0].subject = "Printer offline";
  out[0].body =
      "A printer shows offline when it lost its network connection. Restarting it fixes most "
      "cases.\n\n## Steps\n1. Turn the printer off and on.\n2. Check that its network light is "
      "on.\n3. Remove the printer in Settings > Bluetooth & devices > Printers & scanners and add "
      "it again.\n4. Print a test page from the printer's own menu.\n5. Restart your computer and "
      "try again.\n\n## If it still doesn't work\n- Contact the IT Service Desk with the "
      "printer's asset tag.\n";
  out[1].id = "net-vpn";
  out[1].subject = "VPN does not connect";
  out[1].body =
      "Restart the VPN client. Check that your password has not expired. Try another "
      "network.";
  return out;
}

GenerationRequest request(const std::vector<kb::Article>& a, std::size_t max_tokens,
                          std::size_t sources = 2) {
  GenerationRequest r;
  r.query = "My printer is offline";
  for (std::size_t i = 0; i < sources && i < a.size(); ++i) r.sources.push_back({&a[i], 0.9});
  r.max_tokens = max_tokens;
  r.temperature = 0.0;  // greedy where it applies: deterministic
  r.seed = 7;
  return r;
}

// Collects one generation's deltas and counts its onDone calls.
class Recorder final : public GenerationObserver {
 public:
  void onDelta(std::string_view text) override {
    const std::lock_guard lock(mutex_);
    deltas += text;
    ++delta_calls;
  }
  void onDone(Generation g) override {
    if (++done_calls == 1) done.set_value(std::move(g));
  }

  std::string deltas;
  int delta_calls = 0;
  std::atomic<int> done_calls{0};
  std::promise<Generation> done;

 private:
  std::mutex mutex_;
};

TEST_P(GeneratorContract, ReportsItsKindAndModelInItsStatus) {
  EXPECT_FALSE(generator().kind().empty());
  EXPECT_FALSE(generator().model().empty());
  const GeneratorStatus status = generator().status();
  EXPECT_EQ(status.kind, generator().kind());
  EXPECT_EQ(status.model, generator().model());
}

TEST_P(GeneratorContract, StatusIsSaneWhenIdle) {
  const auto a = articles();
  generator().generate(request(a, 50));
  const GeneratorStatus status = generator().status();
  EXPECT_LE(status.slots_busy, status.slots);
  EXPECT_LE(status.queue_depth, status.queue_capacity);
  EXPECT_EQ(status.slots_busy, 0u);
  EXPECT_EQ(status.queue_depth, 0u);
}

TEST_P(GeneratorContract, GenerationStaysWithinMaxTokens) {
  const auto a = articles();
  for (const std::size_t max_tokens : {50u, 80u}) {
    const Generation g = generator().generate(request(a, max_tokens));
    EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
    EXPECT_FALSE(g.text.empty()) << max_tokens;
    EXPECT_LE(g.tokens, max_tokens);
  }
}

TEST_P(GeneratorContract, AnswersFromTheSourcesItWasGiven) {
  const auto a = articles();
  const Generation g = generator().generate(request(a, 80));
  EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
  EXPECT_TRUE(g.answered);
  EXPECT_GE(g.sources_used, 1u);
  EXPECT_LE(g.sources_used, 2u);
  EXPECT_NE(g.context_used.find("Printer offline"), std::string::npos) << g.context_used;
}

TEST_P(GeneratorContract, StreamedDeltasMakeTheTextAndDoneComesOnce) {
  const auto a = articles();
  auto recorder = std::make_shared<Recorder>();
  auto result = recorder->done.get_future();
  generator().generateAsync(request(a, 50), recorder);
  const Generation g = result.get();
  EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
  EXPECT_GE(recorder->delta_calls, 1);
  EXPECT_EQ(recorder->deltas, g.text);
  EXPECT_EQ(recorder->done_calls.load(), 1);
  // The same request answered synchronously gives the same text (greedy, seeded).
  EXPECT_EQ(generator().generate(request(a, 50)).text, g.text);
}

TEST_P(FallbackGeneratorContract, WithoutSourcesSaysSoAndNamesTheSupportContact) {
  const auto a = articles();
  GenerationRequest r = request(a, 150, /*sources=*/0);
  r.query = "how do I bake a cake";
  r.related = {{&a[1], 0.2}};
  const Generation g = generator().generate(r);
  EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
  EXPECT_FALSE(g.answered);
  EXPECT_EQ(g.sources_used, 0u);
  EXPECT_TRUE(g.context_used.empty());
  EXPECT_NE(g.text.find(kSupportContact), std::string::npos) << g.text;
  EXPECT_LE(g.tokens, 150u);
}

}  // namespace
}  // namespace chatbot::rag::contract
