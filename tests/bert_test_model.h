#pragma once
// Writes a BERT-architecture GGUF with seeded random weights and the real all-MiniLM-L6-v2
// WordPiece vocabulary (../shared/models/all-MiniLM-L6-v2-tokenizer/vocab.txt). No BERT weights
// are available here; this exercises llama.cpp's encoder path (non-causal attention, WordPiece,
// [CLS]/[SEP], pooling declared in the GGUF) and gives MiniLM-shaped speed figures. Its vectors
// mean nothing: never judge retrieval quality with it.
#include <ggml.h>
#include <gguf.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatbot::testing {

struct BertShape {
  std::uint32_t layers = 2;
  std::uint32_t hidden = 32;
  std::uint32_t heads = 2;
  std::uint32_t feed_forward = 64;
  std::uint32_t context = 128;
  std::uint32_t pooling = 1;  // llama_pooling_type: 1 mean, 2 cls
};

// The all-MiniLM-L6-v2 shape: 6 layers, 384 hidden, 12 heads, 1536 feed-forward, 512 positions.
inline BertShape miniLmShape() {
  return {6, 384, 12, 1536, 512, 1};
}

inline void writeBertTestModel(const std::filesystem::path& vocab_txt,
                               const std::filesystem::path& out, const BertShape& shape,
                               std::uint32_t seed = 42) {
  std::vector<std::string> tokens;
  {
    std::ifstream in(vocab_txt);
    if (!in) throw std::runtime_error("cannot read " + vocab_txt.string());
    for (std::string line; std::getline(in, line);) tokens.push_back(line);
  }
  const auto n_vocab = static_cast<std::int64_t>(tokens.size());
  const std::int64_t h = shape.hidden;
  const std::int64_t ff = shape.feed_forward;

  gguf_context* gguf = gguf_init_empty();
  gguf_set_val_str(gguf, "general.architecture", "bert");
  gguf_set_val_str(gguf, "general.name", "bert-test-random");
  gguf_set_val_u32(gguf, "bert.context_length", shape.context);
  gguf_set_val_u32(gguf, "bert.embedding_length", shape.hidden);
  gguf_set_val_u32(gguf, "bert.feed_forward_length", shape.feed_forward);
  gguf_set_val_u32(gguf, "bert.block_count", shape.layers);
  gguf_set_val_u32(gguf, "bert.attention.head_count", shape.heads);
  gguf_set_val_f32(gguf, "bert.attention.layer_norm_epsilon", 1e-12f);
  gguf_set_val_bool(gguf, "bert.attention.causal", false);
  gguf_set_val_u32(gguf, "bert.pooling_type", shape.pooling);
  gguf_set_val_str(gguf, "tokenizer.ggml.model", "bert");
  std::vector<const char*> token_ptrs;
  std::vector<std::int32_t> token_types;
  for (const auto& t : tokens) {
    token_ptrs.push_back(t.c_str());
    const bool control = t.size() > 2 && t.front() == '[' && t.back() == ']' &&
                         t.find("unused") == std::string::npos;
    token_types.push_back(control ? 3 : 1);
  }
  gguf_set_arr_str(gguf, "tokenizer.ggml.tokens", token_ptrs.data(), token_ptrs.size());
  gguf_set_arr_data(gguf, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, token_types.data(),
                    token_types.size());
  gguf_set_val_u32(gguf, "tokenizer.ggml.token_type_count", 2);
  gguf_set_val_u32(gguf, "tokenizer.ggml.unknown_token_id", 100);
  gguf_set_val_u32(gguf, "tokenizer.ggml.seperator_token_id", 102);
  gguf_set_val_u32(gguf, "tokenizer.ggml.padding_token_id", 0);
  gguf_set_val_u32(gguf, "tokenizer.ggml.cls_token_id", 101);
  gguf_set_val_u32(gguf, "tokenizer.ggml.mask_token_id", 103);

  const std::size_t weights =
      static_cast<std::size_t>(n_vocab * h + h * shape.context + 4 * h +
                               shape.layers * (4 * h * h + 2 * h * ff + 10 * h + ff));
  ggml_init_params params{weights * sizeof(float) + 1024 * ggml_tensor_overhead(), nullptr, false};
  ggml_context* ctx = ggml_init(params);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  auto add = [&](const std::string& name, std::int64_t ne0, std::int64_t ne1, float constant,
                 bool random) {
    ggml_tensor* t = ne1 == 0 ? ggml_new_tensor_1d(ctx, GGML_TYPE_F32, ne0)
                              : ggml_new_tensor_2d(ctx, GGML_TYPE_F32, ne0, ne1);
    ggml_set_name(t, name.c_str());
    auto* data = static_cast<float*>(t->data);
    for (std::int64_t i = 0; i < ggml_nelements(t); ++i) data[i] = random ? normal(rng) : constant;
    gguf_add_tensor(gguf, t);
  };
  add("token_embd.weight", h, n_vocab, 0, true);
  add("token_types.weight", h, 2, 0, true);
  add("position_embd.weight", h, shape.context, 0, true);
  add("token_embd_norm.weight", h, 0, 1, false);
  add("token_embd_norm.bias", h, 0, 0, false);
  for (std::uint32_t l = 0; l < shape.layers; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      add(b + m + ".weight", h, h, 0, true);
      add(b + m + ".bias", h, 0, 0, true);
    }
    add(b + "attn_output_norm.weight", h, 0, 1, false);
    add(b + "attn_output_norm.bias", h, 0, 0, false);
    add(b + "ffn_up.weight", h, ff, 0, true);
    add(b + "ffn_up.bias", ff, 0, 0, true);
    add(b + "ffn_down.weight", ff, h, 0, true);
    add(b + "ffn_down.bias", h, 0, 0, true);
    add(b + "layer_output_norm.weight", h, 0, 1, false);
    add(b + "layer_output_norm.bias", h, 0, 0, false);
  }
  const bool ok = gguf_write_to_file(gguf, out.c_str(), false);
  ggml_free(ctx);
  gguf_free(gguf);
  if (!ok) throw std::runtime_error("cannot write " + out.string());
}

}  // namespace chatbot::testing
