// rag::ChatService in isolation: a real KnowledgeIndex of three articles and the real credential
// filter, with a fake retriever and fake generators that record what they are given. Checks the
// pipeline's own decisions: redaction before anything else, top_k, the confidence threshold,
// fallback and overload, the observer's calls, and rewriting follow-up questions.
#include "rag/chat_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace chatbot::rag {
namespace {

namespace fs = std::filesystem;

// Returns the hits it is given and records every search.
class FakeRetriever final : public retrieval::Retriever {
 public:
  explicit FakeRetriever(std::vector<retrieval::Hit> hits) : hits_(std::move(hits)) {}
  std::vector<retrieval::Hit> search(std::string_view query, std::size_t k) const override {
    const std::lock_guard lock(mutex_);
    queries.emplace_back(query);
    ks.push_back(k);
    return hits_;
  }
  std::string name() const override { return "fake"; }

  mutable std::vector<std::string> queries;
  mutable std::vector<std::size_t> ks;

 private:
  std::vector<retrieval::Hit> hits_;
  mutable std::mutex mutex_;
};

// Answers with a fixed status and records every request; optionally rewrites follow-ups.
class FakeGenerator final : public Generator {
 public:
  FakeGenerator(std::string kind, GenerationStatus status = GenerationStatus::kOk)
      : kind_(std::move(kind)), status_(status) {}
  Generation generate(const GenerationRequest& request) const override {
    const std::lock_guard lock(mutex_);
    requests.push_back(request);
    Generation g;
    g.status = status_;
    g.text = kind_ + " answer";
    g.answered = status_ == GenerationStatus::kOk && !request.sources.empty();
    g.sources_used = request.sources.size();
    g.tokens = 2;
    return g;
  }
  std::string kind() const override { return kind_; }
  std::string model() const override { return "none"; }
  bool asynchronous() const override { return asynchronous_; }
  std::optional<std::string> rewriteFollowUp(const std::vector<PriorTurn>& history,
                                             std::string_view question,
                                             std::chrono::milliseconds timeout) const override {
    (void)history, (void)timeout;
    const std::lock_guard lock(mutex_);
    rewrite_questions.emplace_back(question);
    return rewrite_;
  }

  bool asynchronous_ = false;
  std::optional<std::string> rewrite_;
  mutable std::vector<GenerationRequest> requests;
  mutable std::vector<std::string> rewrite_questions;

 private:
  std::string kind_;
  GenerationStatus status_;
  mutable std::mutex mutex_;
};

// Records the observer's calls in order.
class RecordingObserver final : public AnswerObserver {
 public:
  void onSources(const ChatAnswer& partial) override {
    calls.push_back("sources");
    sources_query = partial.query;
    sources_results = partial.results.size();
    sources_response = partial.response;
  }
  void onDelta(std::string_view text) override { calls.push_back("delta:" + std::string(text)); }
  void onComplete(ChatAnswer answer) override {
    calls.push_back("complete");
    completed = std::move(answer);
    done.set_value();
  }
  bool cancelled() const override { return cancel; }

  std::vector<std::string> calls;
  std::string sources_query;
  std::size_t sources_results = 0;
  std::string sources_response;
  ChatAnswer completed;
  std::promise<void> done;  // set by the first onComplete (a second one would throw)
  bool cancel = false;
};

class ChatServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("chatbot-chat-service-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "kb");
    std::ofstream(root_ / "kb" / "a.md") << "---\nid: a\nsubject: Printer offline\n---\n"
                                            "1. Restart the printer.";
    std::ofstream(root_ / "kb" / "b.md") << "---\nid: b\nsubject: VPN fails\n---\n1. Reconnect.";
    std::ofstream(root_ / "kb" / "c.md") << "---\nid: c\nsubject: Mail full\n---\n1. Archive.";
    ingest::IndexOptions o;
    o.kb_path = root_ / "kb";
    o.data_dir = root_ / "data";
    index_ = ingest::KnowledgeIndex::open(o);
    filter_ = std::make_shared<security::CredentialFilter>();
  }
  static void TearDownTestSuite() {
    index_.reset();
    filter_.reset();
    fs::remove_all(root_);
  }

  // Hits for articles a, b, c with these scores, in this order.
  static std::vector<retrieval::Hit> hits(const std::vector<double>& scores) {
    std::vector<retrieval::Hit> out;
    for (std::size_t i = 0; i < scores.size(); ++i) out.push_back({i, scores[i], scores[i]});
    return out;
  }
  ChatService service(std::vector<double> scores = {0.9}) {
    retriever_ = std::make_shared<FakeRetriever>(hits(scores));
    ChatServiceParts parts;
    parts.index = index_;
    parts.retriever = retriever_;
    parts.generator = generator_;
    parts.fallback = fallback_;
    parts.filter = filter_;
    parts.min_answer_score = 0.4;
    parts.llm_rewrites_follow_ups = llm_rewrites_;
    parts.pipeline_threads = pipeline_threads_;
    return ChatService(parts);
  }
  static std::string articleId(const Source& source) { return source.article->id; }

  static inline fs::path root_;
  static inline std::shared_ptr<const ingest::KnowledgeIndex> index_;
  static inline std::shared_ptr<const security::CredentialFilter> filter_;
  std::shared_ptr<FakeRetriever> retriever_;
  std::shared_ptr<FakeGenerator> generator_ = std::make_shared<FakeGenerator>("main");
  std::shared_ptr<FakeGenerator> fallback_ = std::make_shared<FakeGenerator>("fallback");
  bool llm_rewrites_ = true;
  std::size_t pipeline_threads_ = 0;
};

TEST_F(ChatServiceTest, TheIndexHasTheThreeArticlesInOrder) {
  ASSERT_EQ(index_->articles().size(), 3u);
  EXPECT_EQ(index_->articles()[0].id, "a");
  EXPECT_EQ(index_->articles()[2].id, "c");
}

TEST_F(ChatServiceTest, SecretsAreRedactedBeforeRetrievalAndGeneration) {
  const auto answer = service().answer({"My password is Hunter22! Can you check why it fails?"});
  ASSERT_EQ(retriever_->queries.size(), 1u);
  EXPECT_EQ(retriever_->queries[0], "My password is [REDACTED] Can you check why it fails?");
  ASSERT_EQ(generator_->requests.size(), 1u);
  EXPECT_EQ(generator_->requests[0].query, retriever_->queries[0]);
  EXPECT_EQ(answer.query, retriever_->queries[0]);
  EXPECT_EQ(answer.standalone_query, retriever_->queries[0]);
  EXPECT_EQ(answer.redacted_kinds, std::vector<std::string>{"password"});
  ASSERT_FALSE(answer.warnings.empty());
  EXPECT_NE(answer.warnings[0].find("password"), std::string::npos);
}

TEST_F(ChatServiceTest, TopKAndGenerationSettingsArePassedThrough) {
  ChatQuery query{"printer offline"};
  query.top_k = 7;
  query.max_tokens = 99;
  query.temperature = 0.3;
  query.seed = 5;
  service().answer(query);
  EXPECT_EQ(retriever_->ks, std::vector<std::size_t>{7});
  ASSERT_EQ(generator_->requests.size(), 1u);
  EXPECT_EQ(generator_->requests[0].max_tokens, 99u);
  EXPECT_EQ(generator_->requests[0].temperature, 0.3);
  EXPECT_EQ(generator_->requests[0].seed, 5u);
}

TEST_F(ChatServiceTest, OnlyResultsAtTheThresholdAreSourcesWeakerOnesAreRelated) {
  // Threshold 0.4: a and b are sources; c (>= half of it) is related; nothing below that.
  const auto answer = service({0.9, 0.4, 0.2}).answer({"printer offline"});
  ASSERT_EQ(generator_->requests.size(), 1u);
  const auto& request = generator_->requests[0];
  ASSERT_EQ(request.sources.size(), 2u);
  EXPECT_EQ(articleId(request.sources[0]), "a");
  EXPECT_EQ(articleId(request.sources[1]), "b");
  ASSERT_EQ(request.related.size(), 1u);
  EXPECT_EQ(articleId(request.related[0]), "c");
  EXPECT_EQ(answer.results.size(), 3u);  // the client sees every result
  EXPECT_EQ(answer.sources_used, 2u);
  EXPECT_TRUE(fallback_->requests.empty());

  generator_->requests.clear();
  service({0.9, 0.1}).answer({"printer offline"});
  ASSERT_EQ(generator_->requests.size(), 1u);
  EXPECT_EQ(generator_->requests[0].sources.size(), 1u);
  EXPECT_TRUE(generator_->requests[0].related.empty());
}

TEST_F(ChatServiceTest, WithoutAConfidentSourceTheFallbackSaysSo) {
  const auto answer = service({0.3, 0.1}).answer({"bake a cake"});
  EXPECT_TRUE(generator_->requests.empty());
  ASSERT_EQ(fallback_->requests.size(), 1u);
  EXPECT_TRUE(fallback_->requests[0].sources.empty());
  EXPECT_EQ(answer.generator, "fallback");
  EXPECT_FALSE(answer.answered);
  EXPECT_FALSE(answer.fell_back);
  EXPECT_EQ(answer.warnings.back(), "No knowledge-base article matched the question confidently.");
}

TEST_F(ChatServiceTest, TheFallbackAnswersWhenTheGeneratorFailsOrTimesOut) {
  for (const auto status : {GenerationStatus::kFailed, GenerationStatus::kTimedOut}) {
    generator_ = std::make_shared<FakeGenerator>("main", status);
    fallback_ = std::make_shared<FakeGenerator>("fallback");
    const auto answer = service().answer({"printer offline"});
    EXPECT_EQ(generator_->requests.size(), 1u);
    ASSERT_EQ(fallback_->requests.size(), 1u);
    EXPECT_EQ(articleId(fallback_->requests[0].sources.at(0)), "a");
    EXPECT_TRUE(answer.fell_back);
    EXPECT_TRUE(answer.answered);
    EXPECT_EQ(answer.response, "fallback answer");
    EXPECT_EQ(answer.generator, "fallback");
    ASSERT_FALSE(answer.warnings.empty());
    EXPECT_NE(answer.warnings[0].find(status == GenerationStatus::kTimedOut ? "took too long"
                                                                            : "could not be"),
              std::string::npos)
        << answer.warnings[0];
  }
}

TEST_F(ChatServiceTest, AFullQueueIsReportedAsOverloadedWithoutFallback) {
  generator_ = std::make_shared<FakeGenerator>("main", GenerationStatus::kQueueFull);
  const auto answer = service().answer({"printer offline"});
  ASSERT_TRUE(answer.failure.has_value());
  EXPECT_EQ(answer.failure->kind, ErrorKind::kOverloaded);
  EXPECT_EQ(answer.failure->code, "overloaded");
  EXPECT_FALSE(answer.fell_back);
  EXPECT_FALSE(answer.answered);
  EXPECT_TRUE(fallback_->requests.empty());
  EXPECT_TRUE(answer.warnings.empty());
}

TEST_F(ChatServiceTest, AnswerAsyncCallsOnSourcesThenDeltasThenOnCompleteOnce) {
  auto observer = std::make_shared<RecordingObserver>();
  service({0.9, 0.5}).answerAsync({"printer offline"}, observer);
  EXPECT_EQ(observer->calls,
            (std::vector<std::string>{"sources", "delta:main answer", "complete"}));
  EXPECT_EQ(observer->sources_query, "printer offline");
  EXPECT_EQ(observer->sources_results, 2u);
  EXPECT_EQ(observer->sources_response, "");
  EXPECT_EQ(observer->completed.response, "main answer");
  EXPECT_EQ(observer->completed.results.size(), 2u);
  EXPECT_TRUE(observer->completed.answered);
}

TEST_F(ChatServiceTest, OnAPipelineTheAnswerCompletesOnceOnAnotherThread) {
  pipeline_threads_ = 2;
  const ChatService chat = service({0.9});
  EXPECT_TRUE(chat.asynchronous());
  auto observer = std::make_shared<RecordingObserver>();
  auto done = observer->done.get_future();
  chat.answerAsync({"printer offline"}, observer);
  ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(observer->calls,
            (std::vector<std::string>{"sources", "delta:main answer", "complete"}));
  EXPECT_EQ(chat.answer({"printer offline"}).response, "main answer");  // answer() waits
}

TEST_F(ChatServiceTest, ACancelledAnswerCompletesWithoutGenerating) {
  auto observer = std::make_shared<RecordingObserver>();
  observer->cancel = true;
  service({0.9}).answerAsync({"printer offline"}, observer);
  EXPECT_EQ(observer->calls, std::vector<std::string>{"complete"});
  EXPECT_TRUE(generator_->requests.empty());
  EXPECT_TRUE(fallback_->requests.empty());
  EXPECT_EQ(observer->completed.results.size(), 1u);
  EXPECT_EQ(observer->completed.response, "");
}

const std::vector<PriorTurn> kMacHistory = {{"How do I reset my password on my MacBook Air?",
                                             "How do I reset my password on my MacBook Air?",
                                             "Open System Settings."}};

TEST_F(ChatServiceTest, WithoutAModelFollowUpsAreRewrittenByTheRules) {
  ChatQuery query{"and on Windows?"};
  query.history = kMacHistory;
  const auto answer = service().answer(query);  // the main generator is not asynchronous
  EXPECT_TRUE(generator_->rewrite_questions.empty());
  EXPECT_EQ(answer.rewritten_by, "rules");
  EXPECT_EQ(answer.query, "and on Windows?");
  EXPECT_EQ(answer.standalone_query, "How do I reset my password on Windows?");
  EXPECT_EQ(retriever_->queries, std::vector<std::string>{answer.standalone_query});
  ASSERT_EQ(generator_->requests.size(), 1u);
  EXPECT_EQ(generator_->requests[0].query, "and on Windows?");  // the model sees the history
  EXPECT_EQ(generator_->requests[0].history.size(), 1u);

  // A model that may not rewrite is not asked either.
  generator_->asynchronous_ = true;
  llm_rewrites_ = false;
  EXPECT_EQ(service().answer(query).rewritten_by, "rules");
  EXPECT_TRUE(generator_->rewrite_questions.empty());
}

TEST_F(ChatServiceTest, AModelRewritesFollowUpsAndItsRewriteIsRedactedToo) {
  generator_->asynchronous_ = true;
  generator_->rewrite_ = "reset password on Windows, password: Tr0ub4dor&3";
  ChatQuery query{"and on Windows?"};
  query.history = kMacHistory;
  const auto answer = service().answer(query);
  EXPECT_EQ(generator_->rewrite_questions, std::vector<std::string>{"and on Windows?"});
  EXPECT_EQ(answer.rewritten_by, "llm");
  EXPECT_EQ(answer.standalone_query, "reset password on Windows, password: [REDACTED]");
  EXPECT_EQ(retriever_->queries, std::vector<std::string>{answer.standalone_query});

  // A question that is no follow-up is not sent to the model.
  generator_->rewrite_questions.clear();
  query.text = "How do I connect the office printer to my laptop over wifi?";
  EXPECT_EQ(service().answer(query).rewritten_by, "");
  EXPECT_TRUE(generator_->rewrite_questions.empty());
}

}  // namespace
}  // namespace chatbot::rag
