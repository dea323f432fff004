#pragma once
// The embedding seam: sentence vectors for dense retrieval. The llama.cpp implementation runs a
// GGUF embedding model in-process; a remote service could implement the same interface.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace chatbot::llm {

struct EmbedderStatus {
  std::string model;  // identity, see Embedder::identity()
  std::size_t dimension = 0;
  std::string pooling;              // mean, cls, last
  std::size_t context = 0;          // tokens per text; longer texts are truncated
  std::size_t truncated_texts = 0;  // texts cut to `context` tokens so far
  std::size_t queue_depth = 0;      // texts waiting for the model
};

// Thread-safe. embed() blocks the caller until its vectors are ready; texts from concurrent
// callers are batched into one model call, so callers must not be HTTP threads.
class Embedder {
 public:
  virtual ~Embedder() = default;
  // One L2-normalised vector of dimension() floats per text, in order. Throws std::runtime_error
  // when the model fails.
  virtual std::vector<std::vector<float>> embed(std::span<const std::string> texts) const = 0;
  virtual std::size_t dimension() const = 0;
  // Names the model and everything that changes its vectors (file name, size, pooling): a dense
  // index built with another identity must not be used with this embedder.
  virtual std::string identity() const = 0;
  virtual EmbedderStatus status() const = 0;
};

}  // namespace chatbot::llm
