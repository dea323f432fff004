// Writes a GGUF model of a real shape with random weights and a real tokenizer, for speed and
// memory measurements. No model hub is reachable from our machines, and the speed of a forward pass
// does not depend on the weight values, only on the shapes and the tensor types.
//
//   make_synthetic_model --shape tinyllama-1.1b --vocab
//   <llama.cpp>/models/ggml-vocab-llama-spm.gguf --out F16.gguf make_synthetic_model --shape
//   minilm-l6      --vocab <llama.cpp>/models/ggml-vocab-bert-bge.gguf  --out F16.gguf
//
// Every tokenizer.* key is copied from the vocab-only GGUF, so tokenization (and therefore prompt
// lengths) matches the real model. Matrices are F16 and norms/biases F32, as llama.cpp's
// convert_hf_to_gguf.py writes them; quantize the result with llama-quantize. Weights are drawn
// from a normal distribution with a small standard deviation (0.02, the usual initialisation) and
// norm weights are 1, so activations stay finite through all layers. Each tensor's values depend
// only on the seed and the tensor's name, so the file is reproducible byte for byte.
#include <ggml.h>
#include <gguf.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;  // ggml order: ne[0] is the row length
  ggml_type type;
  enum class Fill { kNormal, kOnes, kZeros } fill;
};

struct Shape {
  std::string arch;
  std::string name;
  std::vector<TensorSpec> tensors;
  std::function<void(gguf_context*)> set_hparams;
};

using Fill = TensorSpec::Fill;

Shape tinyllama() {
  // TinyLlama-1.1B (TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json).
  constexpr int64_t n_embd = 2048, n_ff = 5632, n_layer = 22, n_head = 32, n_head_kv = 4,
                    n_vocab = 32000;
  constexpr int64_t head_dim = n_embd / n_head, n_embd_kv = head_dim * n_head_kv;
  Shape s{"llama", "TinyLlama-1.1B synthetic (random weights)", {}, {}};
  s.tensors.push_back({"token_embd.weight", {n_embd, n_vocab}, GGML_TYPE_F16, Fill::kNormal});
  for (int64_t i = 0; i < n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    s.tensors.push_back({b + "attn_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
    s.tensors.push_back({b + "attn_q.weight", {n_embd, n_embd}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "attn_k.weight", {n_embd, n_embd_kv}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "attn_v.weight", {n_embd, n_embd_kv}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "attn_output.weight", {n_embd, n_embd}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "ffn_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
    s.tensors.push_back({b + "ffn_gate.weight", {n_embd, n_ff}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "ffn_up.weight", {n_embd, n_ff}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "ffn_down.weight", {n_ff, n_embd}, GGML_TYPE_F16, Fill::kNormal});
  }
  s.tensors.push_back({"output_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
  // TinyLlama does not tie the output matrix to the embeddings: a separate 65.5M-parameter tensor.
  s.tensors.push_back({"output.weight", {n_embd, n_vocab}, GGML_TYPE_F16, Fill::kNormal});
  s.set_hparams = [](gguf_context* ctx) {
    gguf_set_val_u32(ctx, "llama.context_length", 2048);
    gguf_set_val_u32(ctx, "llama.embedding_length", n_embd);
    gguf_set_val_u32(ctx, "llama.block_count", n_layer);
    gguf_set_val_u32(ctx, "llama.feed_forward_length", n_ff);
    gguf_set_val_u32(ctx, "llama.attention.head_count", n_head);
    gguf_set_val_u32(ctx, "llama.attention.head_count_kv", n_head_kv);
    gguf_set_val_u32(ctx, "llama.rope.dimension_count", head_dim);
    gguf_set_val_f32(ctx, "llama.rope.freq_base", 10000.0F);
    gguf_set_val_f32(ctx, "llama.attention.layer_norm_rms_epsilon", 1e-5F);
    gguf_set_val_u32(ctx, "llama.vocab_size", n_vocab);
    // TinyLlama-1.1B-Chat-v1.0's own template, verbatim. Note: llama.cpp's built-in (non-Jinja)
    // detector maps it to "glmedge" (it has <|user|> and <|assistant|> but no literal </s>), which
    // is what llama_chat_apply_template, and so our engine with LLM_CHAT_TEMPLATE=auto, renders.
    gguf_set_val_str(
        ctx, "tokenizer.chat_template",
        "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + "
        "message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ "
        "'<|system|>\n' + "
        "message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ "
        "'<|assistant|>\n'  "
        "+ message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and "
        "add_generation_prompt %}\n{{ "
        "'<|assistant|>' }}\n{% endif %}\n{% endfor %}");
  };
  return s;
}

Shape minilm() {
  // sentence-transformers/all-MiniLM-L6-v2 (config.json), as convert_hf_to_gguf.py lays it out.
  constexpr int64_t n_embd = 384, n_ff = 1536, n_layer = 6, n_head = 12, n_vocab = 30522,
                    n_ctx = 512;
  Shape s{"bert", "all-MiniLM-L6-v2 synthetic (random weights)", {}, {}};
  s.tensors.push_back({"token_embd.weight", {n_embd, n_vocab}, GGML_TYPE_F16, Fill::kNormal});
  s.tensors.push_back({"token_types.weight", {n_embd, 2}, GGML_TYPE_F32, Fill::kNormal});
  s.tensors.push_back({"position_embd.weight", {n_embd, n_ctx}, GGML_TYPE_F16, Fill::kNormal});
  s.tensors.push_back({"token_embd_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
  s.tensors.push_back({"token_embd_norm.bias", {n_embd}, GGML_TYPE_F32, Fill::kZeros});
  for (int64_t i = 0; i < n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      s.tensors.push_back({b + m + ".weight", {n_embd, n_embd}, GGML_TYPE_F16, Fill::kNormal});
      s.tensors.push_back({b + m + ".bias", {n_embd}, GGML_TYPE_F32, Fill::kNormal});
    }
    s.tensors.push_back({b + "attn_output_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
    s.tensors.push_back({b + "attn_output_norm.bias", {n_embd}, GGML_TYPE_F32, Fill::kZeros});
    s.tensors.push_back({b + "ffn_up.weight", {n_embd, n_ff}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "ffn_up.bias", {n_ff}, GGML_TYPE_F32, Fill::kNormal});
    s.tensors.push_back({b + "ffn_down.weight", {n_ff, n_embd}, GGML_TYPE_F16, Fill::kNormal});
    s.tensors.push_back({b + "ffn_down.bias", {n_embd}, GGML_TYPE_F32, Fill::kNormal});
    s.tensors.push_back({b + "layer_output_norm.weight", {n_embd}, GGML_TYPE_F32, Fill::kOnes});
    s.tensors.push_back({b + "layer_output_norm.bias", {n_embd}, GGML_TYPE_F32, Fill::kZeros});
  }
  s.set_hparams = [](gguf_context* ctx) {
    gguf_set_val_u32(ctx, "bert.context_length", n_ctx);
    gguf_set_val_u32(ctx, "bert.embedding_length", n_embd);
    gguf_set_val_u32(ctx, "bert.block_count", n_layer);
    gguf_set_val_u32(ctx, "bert.feed_forward_length", n_ff);
    gguf_set_val_u32(ctx, "bert.attention.head_count", n_head);
    gguf_set_val_f32(ctx, "bert.attention.layer_norm_epsilon", 1e-12F);
    gguf_set_val_bool(ctx, "bert.attention.causal", false);
    gguf_set_val_u32(ctx, "bert.pooling_type",
                     1);  // LLAMA_POOLING_TYPE_MEAN, as sentence-transformers pools
  };
  return s;
}

// Copies every tokenizer.* key (values and arrays) from the vocab-only GGUF.
std::size_t copyTokenizer(gguf_context* dst, const gguf_context* src) {
  std::size_t copied = 0;
  for (int64_t i = 0; i < gguf_get_n_kv(src); ++i) {
    const char* key = gguf_get_key(src, i);
    if (std::strncmp(key, "tokenizer.", 10) != 0) continue;
    ++copied;
    switch (gguf_get_kv_type(src, i)) {
      case GGUF_TYPE_UINT8:
        gguf_set_val_u8(dst, key, gguf_get_val_u8(src, i));
        break;
      case GGUF_TYPE_INT8:
        gguf_set_val_i8(dst, key, gguf_get_val_i8(src, i));
        break;
      case GGUF_TYPE_UINT16:
        gguf_set_val_u16(dst, key, gguf_get_val_u16(src, i));
        break;
      case GGUF_TYPE_INT16:
        gguf_set_val_i16(dst, key, gguf_get_val_i16(src, i));
        break;
      case GGUF_TYPE_UINT32:
        gguf_set_val_u32(dst, key, gguf_get_val_u32(src, i));
        break;
      case GGUF_TYPE_INT32:
        gguf_set_val_i32(dst, key, gguf_get_val_i32(src, i));
        break;
      case GGUF_TYPE_FLOAT32:
        gguf_set_val_f32(dst, key, gguf_get_val_f32(src, i));
        break;
      case GGUF_TYPE_UINT64:
        gguf_set_val_u64(dst, key, gguf_get_val_u64(src, i));
        break;
      case GGUF_TYPE_INT64:
        gguf_set_val_i64(dst, key, gguf_get_val_i64(src, i));
        break;
      case GGUF_TYPE_FLOAT64:
        gguf_set_val_f64(dst, key, gguf_get_val_f64(src, i));
        break;
      case GGUF_TYPE_BOOL:
        gguf_set_val_bool(dst, key, gguf_get_val_bool(src, i));
        break;
      case GGUF_TYPE_STRING:
        gguf_set_val_str(dst, key, gguf_get_val_str(src, i));
        break;
      case GGUF_TYPE_ARRAY: {
        const gguf_type type = gguf_get_arr_type(src, i);
        const std::size_t n = gguf_get_arr_n(src, i);
        if (type == GGUF_TYPE_STRING) {
          std::vector<const char*> strings(n);
          for (std::size_t k = 0; k < n; ++k) strings[k] = gguf_get_arr_str(src, i, k);
          gguf_set_arr_str(dst, key, strings.data(), n);
        } else if (type == GGUF_TYPE_ARRAY) {
          throw std::runtime_error(std::string("nested array in ") + key + " is not supported");
        } else {
          gguf_set_arr_data(dst, key, type, gguf_get_arr_data(src, i), n);
        }
        break;
      }
      default:
        throw std::runtime_error(std::string("unsupported GGUF type for ") + key);
    }
  }
  return copied;
}

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Approximately normal values (Irwin-Hall: the sum of four 16-bit uniforms, scaled to unit
// variance): one 64-bit draw per value, so 1.1B values take seconds, not minutes.
void fillNormal(float* out, std::size_t n, std::uint64_t seed, float stddev) {
  std::uint64_t state = seed;
  constexpr float kScale = 1.7320508F / 65536.0F;  // sqrt(3) / 2^16: var(sum of 4 U[0,1)) = 1/3
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = splitmix(state);
    const float sum =
        static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
    out[i] = (sum - 2.0F * 65535.0F) * kScale * stddev;
  }
}

std::uint64_t nameSeed(std::uint64_t seed, const std::string& name) {
  std::uint64_t h = 1469598103934665603ULL ^ seed;  // FNV-1a over the tensor name
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

int usage(const char* argv0) {
  std::fprintf(
      stderr,
      "usage: %s --shape tinyllama-1.1b|minilm-l6 --vocab VOCAB.gguf --out OUT.gguf [--seed N]\n"
      "  VOCAB.gguf: a vocab-only GGUF from llama.cpp's models/ folder (ggml-vocab-llama-spm.gguf "
      "for\n"
      "  tinyllama-1.1b, ggml-vocab-bert-bge.gguf for minilm-l6). OUT is written atomically.\n",
      argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shape_name, vocab_path, out_path;
  std::uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage(argv[0]);
    if (arg == "--shape")
      shape_name = argv[++i];
    else if (arg == "--vocab")
      vocab_path = argv[++i];
    else if (arg == "--out")
      out_path = argv[++i];
    else if (arg == "--seed")
      seed = std::stoull(argv[++i]);
    else
      return usage(argv[0]);
  }
  if (shape_name.empty() || vocab_path.empty() || out_path.empty()) return usage(argv[0]);
  Shape shape;
  if (shape_name == "tinyllama-1.1b")
    shape = tinyllama();
  else if (shape_name == "minilm-l6")
    shape = minilm();
  else
    return usage(argv[0]);

  try {
    gguf_init_params vparams{/*no_alloc=*/true, /*ctx=*/nullptr};
    gguf_context* vocab = gguf_init_from_file(vocab_path.c_str(), vparams);
    if (vocab == nullptr) throw std::runtime_error("cannot read " + vocab_path + " as GGUF");

    gguf_context* ctx = gguf_init_empty();
    gguf_set_val_str(ctx, "general.architecture", shape.arch.c_str());
    gguf_set_val_str(ctx, "general.name", shape.name.c_str());
    gguf_set_val_u32(ctx, "general.file_type", 1);  // LLAMA_FTYPE_MOSTLY_F16
    shape.set_hparams(ctx);
    const std::size_t copied = copyTokenizer(ctx, vocab);
    if (gguf_find_key(ctx, "tokenizer.ggml.tokens") < 0)
      throw std::runtime_error(vocab_path + " has no tokenizer");
    // The vocab size must match the embedding matrix, or llama.cpp refuses the file.
    const auto n_vocab =
        static_cast<int64_t>(gguf_get_arr_n(ctx, gguf_find_key(ctx, "tokenizer.ggml.tokens")));
    if (n_vocab != shape.tensors.front().ne[1]) {
      throw std::runtime_error("the vocab has " + std::to_string(n_vocab) + " tokens; shape " +
                               shape_name + " needs " +
                               std::to_string(shape.tensors.front().ne[1]));
    }

    // Tensor descriptions only (no_alloc): the data is generated and written one tensor at a time,
    // so a 2.2 GB model needs one tensor's worth of memory.
    ggml_init_params gparams{ggml_tensor_overhead() * (shape.tensors.size() + 1), nullptr,
                             /*no_alloc=*/true};
    ggml_context* meta = ggml_init(gparams);
    std::vector<ggml_tensor*> tensors;
    int64_t params = 0;
    for (const auto& spec : shape.tensors) {
      ggml_tensor* t = spec.ne.size() == 1
                           ? ggml_new_tensor_1d(meta, spec.type, spec.ne[0])
                           : ggml_new_tensor_2d(meta, spec.type, spec.ne[0], spec.ne[1]);
      ggml_set_name(t, spec.name.c_str());
      gguf_add_tensor(ctx, t);
      tensors.push_back(t);
      params += ggml_nelements(t);
    }

    const std::string tmp = out_path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + tmp);
    if (!gguf_write_to_file_ptr(ctx, f, /*only_meta=*/true))
      throw std::runtime_error("writing metadata failed");
    const std::size_t alignment = gguf_get_alignment(ctx);
    std::vector<float> values;
    std::vector<ggml_fp16_t> halves;
    const std::vector<char> zeros(alignment, 0);
    for (std::size_t k = 0; k < tensors.size(); ++k) {
      const auto& spec = shape.tensors[k];
      const auto n = static_cast<std::size_t>(ggml_nelements(tensors[k]));
      values.assign(n, spec.fill == Fill::kOnes ? 1.0F : 0.0F);
      if (spec.fill == Fill::kNormal)
        fillNormal(values.data(), n, nameSeed(seed, spec.name), 0.02F);
      std::size_t bytes = 0;
      if (spec.type == GGML_TYPE_F16) {
        halves.resize(n);
        ggml_fp32_to_fp16_row(values.data(), halves.data(), static_cast<int64_t>(n));
        bytes = n * sizeof(ggml_fp16_t);
        if (std::fwrite(halves.data(), 1, bytes, f) != bytes)
          throw std::runtime_error("write failed");
      } else {
        bytes = n * sizeof(float);
        if (std::fwrite(values.data(), 1, bytes, f) != bytes)
          throw std::runtime_error("write failed");
      }
      const std::size_t pad =
          (alignment - bytes % alignment) % alignment;  // gguf_add_tensor's offsets
      if (pad != 0 && std::fwrite(zeros.data(), 1, pad, f) != pad)
        throw std::runtime_error("write failed");
    }
    if (std::fclose(f) != 0) throw std::runtime_error("closing " + tmp + " failed");
    std::filesystem::rename(tmp, out_path);
    std::printf("%s: %s, %lld parameters, %zu tensors, %zu tokenizer keys from %s, %.1f MiB\n",
                out_path.c_str(), shape_name.c_str(), static_cast<long long>(params),
                tensors.size(), copied, vocab_path.c_str(),
                static_cast<double>(std::filesystem::file_size(out_path)) / (1024.0 * 1024.0));
    ggml_free(meta);
    gguf_free(ctx);
    gguf_free(vocab);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_synthetic_model: %s\n", e.what());
    return 1;
  }
  return 0;
}
