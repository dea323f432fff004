// The llama.cpp generator and engine, run for real on ../shared/models/stories260K.gguf (a tiny
// model that writes children's stories: the tests check mechanics, never answer quality): the
// Generator contract (tests/contracts/generator_contract.cpp), then prompts, slots, the queue,
// deadlines and cancelling.
#include "rag/llm_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "contracts/generator_contract.h"
#include "llm/llama_model.h"
#include "test_models.h"

namespace chatbot::rag {
namespace {

std::vector<kb::Article> articles() {
  std::vector<kb::Article> out(3);
  out[0].id = "printer";
  out[0].subject = "Printer offline";
  out[0].body =
      "Turn the printer off and on. Check the network light. Add the printer again in Settings.";
  out[1].id = "vpn";
  out[1].subject = "VPN does not connect";
  out[1].body =
      "Restart the VPN client. Check that your password has not expired. Try another network.";
  out[2].id = "mail";
  out[2].subject = "Outlook keeps asking for a password";
  out[2].body =
      "Remove the saved credentials in Credential Manager and sign in again with your company "
      "account.";
  return out;
}

LlmGeneratorOptions options(std::size_t slots = 4,
                            llm::SourceCache cache = llm::SourceCache::kParallel) {
  LlmGeneratorOptions o;
  o.engine.model_path = chatbot::testing::testModel("stories260K.gguf");
  o.engine.chat_template = "chatml";
  o.engine.slots = slots;
  o.engine.context = 512;
  o.engine.threads = 1;  // tests run in parallel on small machines: no spinning thread pools
  o.engine.queue_capacity = 8;
  o.engine.source_cache = cache;
  o.support_contact = "the service desk";
  o.temperature = 0.0;  // greedy: deterministic
  return o;
}

GenerationRequest request(const std::vector<kb::Article>& a, std::string query,
                          std::size_t max_tokens, std::size_t sources = 2) {
  GenerationRequest r;
  r.query = std::move(query);
  for (std::size_t i = 0; i < sources && i < a.size(); ++i)
    r.sources.push_back({&a[i], 0.9 - 0.1 * i});
  r.max_tokens = max_tokens;
  return r;
}

// Collects one generation's deltas and result; lets a test cancel it after some deltas.
class Recorder final : public GenerationObserver {
 public:
  explicit Recorder(std::size_t cancel_after_deltas = 0) : cancel_after_(cancel_after_deltas) {}
  void onDelta(std::string_view text) override {
    const std::lock_guard lock(mutex_);
    deltas.emplace_back(text);
    if (cancel_after_ > 0 && deltas.size() >= cancel_after_) cancel_.store(true);
  }
  void onDone(Generation g) override { done.set_value(std::move(g)); }
  bool cancelled() const override { return cancel_.load(); }

  std::vector<std::string> deltas;
  std::promise<Generation> done;

 private:
  std::mutex mutex_;
  std::size_t cancel_after_;
  std::atomic<bool> cancel_{false};
};

std::shared_ptr<const Generator> makeLlm(const std::string& support_contact) {
  LlmGeneratorOptions o = options();
  o.support_contact = support_contact;
  return std::make_shared<LlmGenerator>(o);
}

}  // namespace

namespace contract {
INSTANTIATE_TEST_SUITE_P(Llm, GeneratorContract,
                         ::testing::Values(GeneratorBackend{"Llm", makeLlm}), generatorBackendName);
}  // namespace contract

namespace {

class LlmGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { generator_ = new LlmGenerator(options()); }
  static void TearDownTestSuite() {
    delete generator_;
    generator_ = nullptr;
  }
  static LlmGenerator* generator_;
  const std::vector<kb::Article> articles_ = articles();
};
LlmGenerator* LlmGeneratorTest::generator_ = nullptr;

TEST_F(LlmGeneratorTest, GeneratesTheModelsTextWithinMaxTokens) {
  const Generation g = generator_->generate(request(articles_, "My printer is offline", 24));
  EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
  EXPECT_FALSE(g.text.empty());
  EXPECT_LE(g.tokens, 24u);
  EXPECT_GT(g.prompt_tokens, generator_->status().context / 100);
  EXPECT_TRUE(g.answered);
  EXPECT_NE(g.context_used.find("Printer offline"), std::string::npos);
  EXPECT_EQ(generator_->kind(), "llama.cpp");
  EXPECT_EQ(generator_->model(), "stories260K.gguf");
}

TEST_F(LlmGeneratorTest, PromptHasOneBosAtTheStartOnly) {
  // The assistant header after the question is template text too; it must not bring a second BOS.
  const auto tokens = generator_->promptTokens(request(articles_, "My printer is offline", 24));
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens.front(), 1);  // stories260K's BOS
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), 1), 1);
  const Generation g = generator_->generate(request(articles_, "My printer is offline", 4));
  EXPECT_EQ(g.prompt_tokens, tokens.size());
}

TEST_F(LlmGeneratorTest, StopsAtMaxTokensExactly) {
  // stories260K has no end-of-turn token for chatml, so it only stops at the limit (or its EOS).
  for (const std::size_t limit : {1u, 7u, 16u}) {
    const Generation g = generator_->generate(request(articles_, "VPN fails", limit));
    EXPECT_LE(g.tokens, limit);
    if (g.tokens == limit) {
      EXPECT_TRUE(g.truncated);
    }
  }
}

TEST_F(LlmGeneratorTest, StreamsDeltasInOrder) {
  auto recorder = std::make_shared<Recorder>();
  auto result = recorder->done.get_future();
  generator_->generateAsync(request(articles_, "Outlook asks for my password", 32), recorder);
  const Generation g = result.get();
  std::string joined;
  for (const auto& d : recorder->deltas) joined += d;
  EXPECT_GT(recorder->deltas.size(), 1u);
  EXPECT_EQ(joined, g.text);
}

TEST_F(LlmGeneratorTest, ThePromptCarriesTheRecentTurns) {
  GenerationRequest r = request(articles_, "and on Windows?", 50, /*sources=*/0);
  const std::size_t alone = generator_->promptTokens(r).size();
  r.history = {{"How do I reset my password on my Mac?", "How do I reset my password on my Mac?",
                "Open System Settings, then Users & Groups."}};
  const std::size_t with_history = generator_->promptTokens(r).size();
  EXPECT_GT(with_history, alone + 20);  // both turns are in the prompt
}

TEST_F(LlmGeneratorTest, RewritesAFollowUpWithTheModel) {
  const std::vector<PriorTurn> history = {
      {"How do I reset my password?", "How do I reset my password?", "Open Settings."}};
  const auto rewritten =
      generator_->rewriteFollowUp(history, "and on Windows?", std::chrono::seconds(60));
  // stories260K writes a story, not a question: only the mechanics are checked (one line, bounded).
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_EQ(rewritten->find('\n'), std::string::npos);
  EXPECT_LE(rewritten->size(), 2 * std::string("and on Windows?").size() + 300);
  // No time at all: the rules take over.
  EXPECT_FALSE(generator_->rewriteFollowUp(history, "and on Windows?", std::chrono::milliseconds(0))
                   .has_value());
}

TEST_F(LlmGeneratorTest, ConcurrentGreedyRequestsMatchSequentialOnes) {
  const std::vector<std::string> queries = {"printer offline", "vpn broken", "outlook password",
                                            "new laptop"};
  std::vector<std::string> sequential;
  for (const auto& q : queries)
    sequential.push_back(generator_->generate(request(articles_, q, 24)).text);

  std::vector<std::future<Generation>> futures;
  std::vector<std::shared_ptr<Recorder>> recorders;
  for (const auto& q : queries) {
    recorders.push_back(std::make_shared<Recorder>());
    futures.push_back(recorders.back()->done.get_future());
    generator_->generateAsync(request(articles_, q, 24), recorders.back());
  }
  for (std::size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(futures[i].get().text, sequential[i]) << "query " << queries[i];
  }
}

TEST_F(LlmGeneratorTest, CancellingStopsTheSequence) {
  auto recorder = std::make_shared<Recorder>(3);
  auto result = recorder->done.get_future();
  generator_->generateAsync(request(articles_, "printer offline", 100), recorder);
  const Generation g = result.get();
  EXPECT_EQ(g.status, GenerationStatus::kCancelled);
  EXPECT_LT(g.tokens, 100u);
  // The slot is free again: the next request is served.
  EXPECT_EQ(generator_->generate(request(articles_, "vpn", 4)).status, GenerationStatus::kOk);
  EXPECT_EQ(generator_->status().slots_busy, 0u);
}

TEST_F(LlmGeneratorTest, PromptThatCannotFitFailsCleanly) {
  const Generation g = generator_->generate(request(articles_, "printer", 600));
  EXPECT_EQ(g.status, GenerationStatus::kFailed);
  EXPECT_FALSE(g.error.empty());
}

TEST(LlmGenerator, SingleSourceCacheMatchesExactAttention) {
  // With one source the cached block sits exactly where it would in the full prompt, so the
  // parallel-window cache changes nothing.
  const auto a = articles();
  LlmGenerator cached(options(2, llm::SourceCache::kParallel));
  LlmGenerator exact(options(2, llm::SourceCache::kOff));
  const auto r = request(a, "printer offline", 24, 1);
  const std::string first = cached.generate(r).text;
  const std::string again = cached.generate(r).text;  // from the cache this time
  EXPECT_EQ(first, exact.generate(r).text);
  EXPECT_EQ(again, first);
}

TEST(LlmGenerator, FullQueueIsReportedAtOnce) {
  auto o = options(1);
  o.engine.queue_capacity = 0;
  LlmGenerator generator(o);
  const auto a = articles();
  auto busy = std::make_shared<Recorder>();
  auto busy_done = busy->done.get_future();
  generator.generateAsync(request(a, "printer", 100), busy);
  const Generation rejected = generator.generate(request(a, "vpn", 4));
  EXPECT_EQ(rejected.status, GenerationStatus::kQueueFull);
  busy_done.get();
}

TEST(LlmGenerator, DeadlineEndsTheAnswer) {
  auto o = options(1);
  o.timeout = std::chrono::milliseconds(1);
  LlmGenerator generator(o);
  const auto a = articles();
  const Generation g = generator.generate(request(a, "printer", 100));
  EXPECT_EQ(g.status, GenerationStatus::kTimedOut);
}

TEST(LlmGenerator, UnknownChatTemplateIsRefused) {
  auto o = options(1);
  o.engine.chat_template = "no-such-template";
  EXPECT_THROW(LlmGenerator{o}, llm::ModelLoadError);
}

TEST(LlmGenerator, MissingModelIsRefused) {
  auto o = options(1);
  o.engine.model_path = "/nonexistent/model.gguf";
  EXPECT_THROW(LlmGenerator{o}, llm::ModelLoadError);
}

TEST(LlmGenerator, Llama2VocabularyModelGenerates) {
  // 32k-token SentencePiece vocabulary with random weights: the text is gibberish, the path is
  // real.
  auto o = options(1);
  o.engine.model_path = chatbot::testing::testModel("llama-2-tiny-random.gguf");
  o.engine.chat_template = "llama2";
  LlmGenerator generator(o);
  const auto a = articles();
  const Generation g =
      generator.generate(request(a, "Mon imprimante est hors ligne — que faire ?", 12));
  EXPECT_EQ(g.status, GenerationStatus::kOk) << g.error;
  EXPECT_GT(g.prompt_tokens, 0u);
}

}  // namespace
}  // namespace chatbot::rag
