// LlamaEngine's KV cells that outlive a request: the shared prefix (sequence 0) and the source
// cache (one sequence per cached source block, LRU). Everything here runs on the scheduler thread.
#include <llama.h>

#include <algorithm>

#include "llm/llama_engine.h"
#include "llm/llama_engine_state.h"
#include "observability/log.h"
#include "util/time.h"

namespace chatbot::llm {

using engine_detail::Clock;
using engine_detail::kPrefixSeq;

// Evaluates the shared prefix into sequence 0; every request starts from a copy of these cells.
// Runs on the scheduler thread before anything else, so start-up does not wait for it (requests
// queue meanwhile).
bool LlamaEngine::evaluatePrefix() {
  const auto started = Clock::now();
  llama_batch& batch = *static_cast<llama_batch*>(batch_.get());
  for (std::size_t done = 0; done < prefix_tokens_.size();) {
    batch.n_tokens = 0;
    for (;
         done < prefix_tokens_.size() && static_cast<std::size_t>(batch.n_tokens) < options_.batch;
         ++done) {
      const int i = batch.n_tokens++;
      batch.token[i] = prefix_tokens_[done];
      batch.pos[i] = static_cast<llama_pos>(done);
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = kPrefixSeq;
      batch.logits[i] = 0;
    }
    const int rc = llama_decode(context_.get(), batch);
    if (rc != 0) {
      log::error("llm.prefix_failed", {{"model", model_name_}, {"code", rc}});
      return false;
    }
  }
  log::info("llm.prefix_ready",
            {{"tokens", prefix_tokens_.size()}, {"ms", util::millisSince(started)}});
  return true;
}

LlamaEngine::CacheEntry* LlamaEngine::acquireEntry(const PromptBlock& block) {
  for (auto& entry : cache_) {
    if (!entry->key.empty() && entry->key == block.key) {
      ++entry->refs;
      entry->last_used = ++clock_;
      return entry.get();
    }
  }
  if (block.tokens.size() > options_.source_cache_tokens) return nullptr;
  // Evict least recently used, unreferenced entries until the new block fits the token budget and
  // a sequence id is free.
  llama_memory_t memory = llama_get_memory(context_.get());
  const auto used_tokens = [this] {
    std::size_t n = 0;
    for (const auto& e : cache_) n += e->key.empty() ? 0 : e->tokens.size();
    return n;
  };
  CacheEntry* free_entry = nullptr;
  for (;;) {
    free_entry = nullptr;
    for (auto& e : cache_) {
      if (e->key.empty()) {
        free_entry = e.get();
        break;
      }
    }
    if (free_entry != nullptr &&
        used_tokens() + block.tokens.size() <= options_.source_cache_tokens) {
      break;
    }
    CacheEntry* victim = nullptr;
    for (auto& e : cache_) {
      if (!e->key.empty() && e->refs == 0 &&
          (victim == nullptr || e->last_used < victim->last_used)) {
        victim = e.get();
      }
    }
    if (victim == nullptr) return nullptr;  // everything cached is in use: read this block inline
    forgetEntry(*victim);
  }
  free_entry->key = block.key;
  free_entry->tokens = block.tokens;
  free_entry->fed = 0;
  free_entry->refs = 1;
  free_entry->last_used = ++clock_;
  llama_memory_seq_rm(memory, free_entry->seq, -1, -1);
  llama_memory_seq_cp(memory, kPrefixSeq, free_entry->seq, 0,
                      static_cast<llama_pos>(prefix_tokens_.size()));
  cached_.fetch_add(1);
  return free_entry;
}

void LlamaEngine::attachSources(Slot& slot) {
  if (slot.state != Slot::State::kWaitingSources) return;
  for (const CacheEntry* e : slot.entries) {
    if (!e->ready()) return;
  }
  llama_memory_t memory = llama_get_memory(context_.get());
  const auto start = static_cast<llama_pos>(prefix_tokens_.size());
  std::size_t longest = 0;
  for (const CacheEntry* e : slot.entries) {
    llama_memory_seq_cp(memory, e->seq, slot.seq, start,
                        start + static_cast<llama_pos>(e->tokens.size()));
    longest = std::max(longest, e->tokens.size());
    slot.result.reused_tokens += e->tokens.size();
  }
  slot.n_past = start + static_cast<llama_pos>(longest);
  slot.state = Slot::State::kPrompt;
}

// Empties a cache entry: its cells, its key and its tokens.
void LlamaEngine::forgetEntry(CacheEntry& entry) {
  llama_memory_seq_rm(llama_get_memory(context_.get()), entry.seq, -1, -1);
  entry.key.clear();
  entry.tokens.clear();
  entry.fed = 0;
  cached_.fetch_sub(1);
}

// After a failed decode: entries still being read may have lost cells, so none of them is kept.
void LlamaEngine::forgetUnfinishedEntries() {
  for (auto& entry : cache_) {
    if (!entry->key.empty() && !entry->ready()) forgetEntry(*entry);
  }
}

}  // namespace chatbot::llm
