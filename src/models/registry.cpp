#include "models/registry.h"

#include <cstdio>

#include "util/text.h"

namespace chatbot::models {

std::string_view toString(ModelRole role) {
  return role == ModelRole::kChat ? "chat" : "embedding";
}

namespace {

// Where a hash is pinned it was read from the file's page on huggingface.co ("Git LFS details",
// SHA256), at the commit named beside it. Files whose page we could not read have no pin: their
// pull verifies against the hash Hugging Face announces in X-Linked-Etag instead.
const std::vector<KnownModel>& table() {
  static const std::vector<KnownModel> models = {
      {"tinyllama-1.1b-chat",
       ModelRole::kChat,
       {"TinyLlama/TinyLlama-1.1B-Chat-v1.0", "TinyLlama-1.1B-Chat-v1.0", "tinyllama"},
       "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
       "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf",
       "",
       668'000'000,
       "zephyr",
       "TinyLlama 1.1B Chat v1.0, Q4_K_M (the reference design's default LLM_MODEL_ID)"},
      // Pin: the file's page in Qwen/Qwen2.5-0.5B-Instruct-GGUF
      // at commit 12145bd1d629190a4d44254073650877954d02c9.
      {"qwen2.5-0.5b-instruct",
       ModelRole::kChat,
       {"Qwen/Qwen2.5-0.5B-Instruct", "Qwen2.5-0.5B-Instruct"},
       "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
       "qwen2.5-0.5b-instruct-q4_k_m.gguf",
       "74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db",
       491'000'000,
       "",
       "Qwen2.5 0.5B Instruct, Q4_K_M (Qwen's own GGUF)"},
      // Pin: the file's page in bartowski/Qwen2.5-1.5B-Instruct-GGUF
      // at commit 85553858e3522ce5b531285b2202bdb40fab1624.
      {"qwen2.5-1.5b-instruct",
       ModelRole::kChat,
       {"Qwen/Qwen2.5-1.5B-Instruct", "Qwen2.5-1.5B-Instruct"},
       "bartowski/Qwen2.5-1.5B-Instruct-GGUF",
       "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
       "50961d9b7d3b89e46be230528fc66d38bbdda8ac3748323dd34f129a714124fc",
       986'000'000,
       "",
       "Qwen2.5 1.5B Instruct, Q4_K_M"},
      // Pin: the file's page in bartowski/gemma-2-2b-it-GGUF
      // at commit 1eb353a416e4df73fe7ab562f3944e41d5cf489f (the copy in
      // lmstudio-community/gemma-2-2b-it-GGUF shows the same hash).
      {"gemma-2-2b-it",
       ModelRole::kChat,
       {"google/gemma-2-2b-it", "gemma-2-2b"},
       "bartowski/gemma-2-2b-it-GGUF",
       "gemma-2-2b-it-Q4_K_M.gguf",
       "e0aee85060f168f0f2d8473d7ea41ce2f3230c1bc1374847505ea599288a7787",
       1'710'000'000,
       "",
       "Gemma 2 2B instruction-tuned, Q4_K_M (Gemma licence)"},
      // Pin: the file's page in HuggingFaceTB/SmolLM2-360M-Instruct-GGUF
      // at commit 2633adad3eb0aec759aec7f41db367d974571ecf.
      {"smollm2-360m-instruct",
       ModelRole::kChat,
       {"HuggingFaceTB/SmolLM2-360M-Instruct", "SmolLM2-360M-Instruct"},
       "HuggingFaceTB/SmolLM2-360M-Instruct-GGUF",
       "smollm2-360m-instruct-q8_0.gguf",
       "48ab3034d0dd401fbc721eb1df3217902fee7dab9078992d66431f09b7750201",
       386'000'000,
       "",
       "SmolLM2 360M Instruct, Q8_0 (Hugging Face's own GGUF)"},
      {"smollm2-1.7b-instruct",
       ModelRole::kChat,
       {"HuggingFaceTB/SmolLM2-1.7B-Instruct", "SmolLM2-1.7B-Instruct"},
       "HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
       "smollm2-1.7b-instruct-q4_k_m.gguf",
       "",
       1'060'000'000,
       "",
       "SmolLM2 1.7B Instruct, Q4_K_M (Hugging Face's own GGUF)"},
      // Pin: the file's page in bartowski/Llama-3.2-1B-Instruct-GGUF
      // at commit d52af3776f99ddf220e5ffd3f93b2a4e4df105be.
      {"llama-3.2-1b-instruct",
       ModelRole::kChat,
       {"meta-llama/Llama-3.2-1B-Instruct", "Llama-3.2-1B-Instruct"},
       "bartowski/Llama-3.2-1B-Instruct-GGUF",
       "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
       "6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83",
       808'000'000,
       "",
       "Llama 3.2 1B Instruct, Q4_K_M (Llama 3.2 community licence)"},
      // Pin: the file's page in second-state/All-MiniLM-L6-v2-Embedding-GGUF
      // at commit aa38cf2db8c4ed51280bd0acc6509e8d3b1e284e.
      {"all-minilm-l6-v2",
       ModelRole::kEmbedding,
       {"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", "minilm"},
       "second-state/All-MiniLM-L6-v2-Embedding-GGUF",
       "all-MiniLM-L6-v2-Q8_0.gguf",
       "263215c3cadd6e16740741a7624ab4cbb6c8e777688bd5331ecfbf5681c2f8ed",
       25'000'000,
       "",
       "all-MiniLM-L6-v2 sentence embeddings (384 dimensions, English), Q8_0"},
      // mykor's conversion: the original needs a tokenizer tweak before llama.cpp can convert it.
      {"paraphrase-multilingual-minilm-l12-v2",
       ModelRole::kEmbedding,
       {"sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
        "paraphrase-multilingual-MiniLM-L12-v2", "multilingual-minilm"},
       "mykor/paraphrase-multilingual-MiniLM-L12-v2.gguf",
       "paraphrase-multilingual-MiniLM-L12-118M-v2-Q8_0.gguf",
       "",
       132'000'000,
       "",
       "paraphrase-multilingual-MiniLM-L12-v2 (384 dimensions, 50+ languages), Q8_0"},
      {"bge-small-en-v1.5",
       ModelRole::kEmbedding,
       {"BAAI/bge-small-en-v1.5", "bge-small", "bge-small-en"},
       "CompendiumLabs/bge-small-en-v1.5-gguf",
       "bge-small-en-v1.5-q8_0.gguf",
       "",
       36'800'000,
       "",
       "BGE small English v1.5 (384 dimensions), Q8_0"},
      {"e5-small-v2",
       ModelRole::kEmbedding,
       {"intfloat/e5-small-v2", "e5", "e5-small"},
       "ChristianAzinn/e5-small-v2-gguf",
       "e5-small-v2.Q8_0.gguf",
       "",
       36'000'000,
       "",
       "E5 small v2 (384 dimensions, English; prefix texts with 'query: ' / 'passage: '), Q8_0"},
  };
  return models;
}

}  // namespace

std::span<const KnownModel> knownModels() {
  return table();
}

const KnownModel* findKnownModel(std::string_view name) {
  const std::string wanted = util::asciiLower(util::trim(name));
  if (wanted.empty()) return nullptr;
  for (const auto& model : table()) {
    if (wanted == model.alias) return &model;
    for (const auto other : model.other_names) {
      if (wanted == util::asciiLower(other)) return &model;
    }
  }
  return nullptr;
}

std::string formatSize(std::uint64_t bytes) {
  char text[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1e9) {
    std::snprintf(text, sizeof text, "%.2f GB", b / 1e9);
  } else if (b >= 1e6) {
    std::snprintf(text, sizeof text, "%.0f MB", b / 1e6);
  } else if (b >= 1e3) {
    std::snprintf(text, sizeof text, "%.0f kB", b / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  }
  return text;
}

}  // namespace chatbot::models
