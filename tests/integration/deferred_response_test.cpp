// http::Server's deferred responses, in-process: a real server on a free loopback port with a
// handler that answers later from its own threads, as the chat service does.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "http/server.h"
#include "server_process.h"

namespace chatbot::testing {
namespace {

using namespace std::chrono_literals;

// Answers by path: /now at once; /later, /stream, /burst, /drop, /hang and /slow deferred,
// completed from threads of its own (joined in the destructor).
class LaterHandler final : public chatbot::http::RequestHandler {
 public:
  ~LaterHandler() override {
    const std::lock_guard lock(mutex_);
    for (auto& t : threads_) t.join();
  }

  chatbot::http::Response handle(chatbot::http::Request&& request,
                                 const chatbot::http::ConnectionInfo&,
                                 chatbot::http::Deferral& deferral) override {
    const std::string target(request.target());
    const unsigned version = request.version();
    if (target == "/now") return text(version, "now");
    auto pending = deferral.defer();
    if (target == "/later" || target == "/slow") {
      const auto delay = target == "/slow" ? 300ms : 30ms;
      spawn([pending, version, delay] {
        std::this_thread::sleep_for(delay);
        pending->complete(text(version, "later"));
      });
    } else if (target == "/stream") {
      pending->heartbeat(": hb\n\n", 20ms);
      chatbot::http::Response head{chatbot::http::Status::ok, version};
      head.set(boost::beast::http::field::content_type, "text/event-stream");
      pending->beginStream(std::move(head));
      spawn([pending] {
        pending->write("first\n");
        std::this_thread::sleep_for(120ms);
        pending->write("second\n");
        pending->end();
      });
    } else if (target == "/burst") {
      chatbot::http::Response head{chatbot::http::Status::ok, version};
      pending->beginStream(std::move(head));
      spawn([pending] {
        for (int i = 0; i < 50; ++i) pending->write(std::to_string(i) + ";");
        pending->end();
      });
    } else if (target == "/hang") {
      pending->onClientGone([this] { gone.set_value(); });
      hung = pending;  // kept until the client leaves
    }                  // "/drop": let go of it unfinished
    return text(version, "ignored");
  }

  chatbot::http::Response protocolError(chatbot::http::Status status, std::string_view detail,
                                        const chatbot::http::ConnectionInfo&) override {
    chatbot::http::Response res{status, 11};
    res.body() = std::string(detail);
    return res;
  }

  std::promise<void> gone;
  std::shared_ptr<chatbot::http::PendingResponse> hung;

 private:
  static chatbot::http::Response text(unsigned version, std::string body) {
    chatbot::http::Response res{chatbot::http::Status::ok, version};
    res.body() = std::move(body);
    return res;
  }
  void spawn(std::function<void()> job) {
    const std::lock_guard lock(mutex_);
    threads_.emplace_back(std::move(job));
  }
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

class DeferredResponses : public ::testing::Test {
 protected:
  void SetUp() override {
    chatbot::http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.shutdown_grace = 5s;
    server_ = std::make_unique<chatbot::http::Server>(options, handler_);
    runner_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    runner_.join();
  }
  std::uint16_t port() const { return server_->port(); }

  LaterHandler handler_;
  std::unique_ptr<chatbot::http::Server> server_;
  std::thread runner_;
};

std::uint16_t localPort(HttpClient& client) {
  return client.stream->socket().local_endpoint().port();
}

TEST_F(DeferredResponses, CompletedLaterFromAnotherThreadThenKeepAlive) {
  HttpClient client(port());
  const auto later = client.get("/later");
  EXPECT_EQ(later.result_int(), 200);
  EXPECT_EQ(later.body(), "later");
  ASSERT_TRUE(client.stream);
  const auto connection = localPort(client);
  EXPECT_EQ(client.get("/now").body(), "now");
  EXPECT_EQ(client.get("/later").body(), "later");
  EXPECT_EQ(localPort(client), connection) << "the same connection served all three";
}

TEST_F(DeferredResponses, StreamIsChunkedWithHeartbeatsAndKeepsTheConnection) {
  HttpClient client(port());
  const auto res = client.get("/stream");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[boost::beast::http::field::transfer_encoding], "chunked");
  EXPECT_EQ(res[boost::beast::http::field::connection], "keep-alive");
  const auto& body = res.body();
  const auto first = body.find("first\n");
  const auto beat = body.find(": hb\n\n");
  const auto second = body.find("second\n");
  ASSERT_NE(first, std::string::npos) << body;
  ASSERT_NE(second, std::string::npos) << body;
  EXPECT_TRUE(beat != std::string::npos && first < beat && beat < second)
      << "a heartbeat fills the pause: " << body;
  const auto connection = localPort(client);
  EXPECT_EQ(client.get("/now").body(), "now");
  EXPECT_EQ(localPort(client), connection);
}

TEST_F(DeferredResponses, ChunksQueuedWhileTheConnectionWritesAreNotLeftWaiting) {
  // No heartbeat here: a missed wake-up would leave the rest of the stream waiting for ever.
  HttpClient client(port());
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += std::to_string(i) + ";";
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(client.get("/burst").body(), expected);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(DeferredResponses, DroppedUnfinishedIs500) {
  HttpClient client(port());
  const auto res = client.get("/drop");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_FALSE(res.body().empty());
  EXPECT_EQ(client.get("/now").body(), "now");
}

TEST_F(DeferredResponses, ClientLeavingIsReportedAndTheServerGoesOn) {
  auto gone = handler_.gone.get_future();
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port()});
    boost::asio::write(socket,
                       boost::asio::buffer(std::string("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::this_thread::sleep_for(50ms);
  }  // closed while the response is pending
  ASSERT_EQ(gone.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(handler_.hung->clientGone());
  EXPECT_FALSE(handler_.hung->write("too late"));
  handler_.hung->complete({});  // ignored: nobody is waiting
  handler_.hung.reset();
  HttpClient client(port());
  EXPECT_EQ(client.get("/later").body(), "later");
}

TEST_F(DeferredResponses, GracefulStopLetsADeferredResponseFinish) {
  auto answer = std::async(std::launch::async, [this] {
    HttpClient client(port());
    return client.get("/slow");
  });
  std::this_thread::sleep_for(100ms);
  server_->stop();
  const auto res = answer.get();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "later");
}

TEST_F(DeferredResponses, Http10StreamEndsWhenTheConnectionCloses) {
  const std::string reply = HttpClient::raw(port(), "GET /stream HTTP/1.0\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.0 200", 0), 0u) << reply;
  EXPECT_EQ(reply.find("chunked"), std::string::npos) << reply;
  EXPECT_NE(reply.find("first\n"), std::string::npos);
  EXPECT_NE(reply.find("second\n"), std::string::npos);
}

}  // namespace
}  // namespace chatbot::testing
