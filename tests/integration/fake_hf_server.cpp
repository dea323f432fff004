#include "fake_hf_server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <random>

#include "util/hash.h"

namespace chatbot::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string pseudoRandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

FakeHfServer::FakeHfServer(FakeHfOptions options)
    : options_(std::move(options)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  if (options_.announced_sha256.empty()) options_.announced_sha256 = util::sha256Hex(options_.body);
  if (options_.announced_sha256 == "none") options_.announced_sha256.clear();
  failures_left_ = options_.fail_first;
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { run(); });
}

FakeHfServer::~FakeHfServer() {
  stopping_ = true;
  // Wake the blocking accept with a connection of our own.
  boost::system::error_code ec;
  tcp::socket wake(io_);
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
}

std::vector<SeenRequest> FakeHfServer::requests() const {
  const std::lock_guard lock(mutex_);
  return seen_;
}

void FakeHfServer::run() {
  while (!stopping_) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stopping_) continue;
    handle(socket);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
}

namespace {

std::string reasonFor(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string head(int status, std::size_t length, const std::vector<std::string>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonFor(status) + "\r\n";
  out += "Content-Length: " + std::to_string(length) + "\r\nConnection: close\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  return out + "\r\n";
}

}  // namespace

void FakeHfServer::handle(tcp::socket& socket) {
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  boost::system::error_code ec;
  http::read(socket, buffer, request, ec);
  if (ec) return;
  const SeenRequest seen{std::string(request.target()), std::string(request[http::field::range]),
                         std::string(request[http::field::authorization])};
  {
    const std::lock_guard lock(mutex_);
    seen_.push_back(seen);
  }
  const auto send = [&](const std::string& bytes) { asio::write(socket, asio::buffer(bytes), ec); };
  const std::string resolve = "/" + options_.repo + "/resolve/main/" + options_.file;
  const std::string cdn = "/cdn/" + options_.file;
  const std::string hash_header = options_.announced_sha256.empty()
                                      ? "X-Note: no hash"
                                      : "X-Linked-Etag: \"" + options_.announced_sha256 + "\"";

  if (options_.status != 0) {
    const std::string body = "{\"error\":\"nope\"}";
    send(head(options_.status, body.size(), {"X-Error-Message: test says no"}) + body);
    return;
  }
  if (seen.target != resolve && seen.target != cdn) {
    send(head(404, 0, {}));
    return;
  }
  if (failures_left_ > 0) {
    --failures_left_;
    send(head(503, 0, {}));
    return;
  }
  if (seen.target == resolve && options_.redirect) {
    const std::string location = options_.cdn_host.empty() ? cdn
                                                           : "http://" + options_.cdn_host + ":" +
                                                                 std::to_string(port_) + cdn;
    send(head(302, 0,
              {"Location: " + location, hash_header,
               "X-Linked-Size: " + std::to_string(options_.body.size())}));
    return;
  }
  // The file itself. Behind the redirect the ETag is the CDN's own; without it, it is the hash.
  std::string data = options_.body;
  if (options_.wrong_body) {
    for (std::size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>(data[i] ^ 0x5A);
  }
  const std::string etag = options_.redirect || options_.announced_sha256.empty()
                               ? "ETag: \"cdn-0001\""
                               : "ETag: \"" + options_.announced_sha256 + "\"";
  std::size_t from = 0;
  if (options_.honour_range && seen.range.starts_with("bytes=")) {
    from = std::stoull(seen.range.substr(6));
    if (from >= data.size()) {
      send(head(416, 0, {etag, "Content-Range: bytes */" + std::to_string(data.size())}));
      return;
    }
  }
  const std::string payload = data.substr(from);
  const std::string headers =
      from > 0
          ? head(206, payload.size(),
                 {etag, "Content-Range: bytes " + std::to_string(from) + "-" +
                            std::to_string(data.size() - 1) + "/" + std::to_string(data.size())})
          : head(200, payload.size(), {etag});
  if (options_.drop_after != 0 && !dropped_ && payload.size() > options_.drop_after) {
    dropped_ = true;
    send(headers + payload.substr(0, options_.drop_after));
    return;  // the caller closes the socket mid-body
  }
  send(headers + payload);
}

}  // namespace chatbot::testing
