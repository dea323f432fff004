// LlamaEngine's scheduler thread: admits queued requests into slots and runs every active
// sequence in one decode loop (continuous batching). Everything here runs on that thread.
#include <ggml-cpu.h>
#include <llama.h>

#include <algorithm>

#include "llm/llama_engine.h"
#include "llm/llama_engine_state.h"
#include "observability/log.h"
#include "util/time.h"
#include "util/utf8.h"

namespace chatbot::llm {

namespace {

using engine_detail::Clock;
using engine_detail::kPrefixSeq;
using engine_detail::SamplerHandle;

SamplerHandle makeSampler(const Sampling& s) {
  SamplerHandle chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
  if (s.temperature <= 0.0) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
  } else {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(static_cast<float>(s.top_p), 1));
    llama_sampler_chain_add(chain.get(),
                            llama_sampler_init_temp(static_cast<float>(s.temperature)));
    llama_sampler_chain_add(chain.get(),
                            llama_sampler_init_dist(s.seed == 0 ? LLAMA_DEFAULT_SEED : s.seed));
  }
  return chain;
}

// Appends one token to the batch and returns its row.
int addToken(llama_batch& batch, int token, llama_pos pos, llama_seq_id seq, bool logits) {
  const int i = batch.n_tokens++;
  batch.token[i] = token;
  batch.pos[i] = pos;
  batch.n_seq_id[i] = 1;
  batch.seq_id[i][0] = seq;
  batch.logits[i] = logits ? 1 : 0;
  return i;
}

}  // namespace

void LlamaEngine::run() {
  broken_ = !evaluatePrefix();
  for (;;) {
    {
      util::UniqueMutexLock lock(mutex_);
      const auto active = [this] {
        return std::any_of(slots_.begin(), slots_.end(),
                           [](const auto& s) { return s->state != Slot::State::kFree; });
      };
      if (!(stopping_ || !queue_.empty() || active())) {
        if (threadpool_ != nullptr) ggml_threadpool_pause(threadpool_);
        wake_.wait(lock.native(),
                   [&]() REQUIRES(mutex_) { return stopping_ || !queue_.empty() || active(); });
        if (threadpool_ != nullptr) ggml_threadpool_resume(threadpool_);
      }
      if (stopping_) {
        lock.unlock();
        for (auto& slot : slots_) {
          if (slot->state != Slot::State::kFree) {
            finish(*slot, FinishReason::kCancelled, "the server is stopping");
          }
        }
        lock.lock();
        while (!queue_.empty()) {
          EngineRequest r = std::move(queue_.front());
          queue_.pop_front();
          EngineResult result;
          result.reason = FinishReason::kCancelled;
          result.error = "the server is stopping";
          r.observer->onFinish(std::move(result));
        }
        return;
      }
    }
    admit();
    step();
  }
}

void LlamaEngine::admit() {
  const auto now = Clock::now();
  std::vector<EngineRequest> admitted;
  std::vector<EngineRequest> expired;
  {
    const util::MutexLock lock(mutex_);
    // Requests whose client left or whose deadline passed while they waited never take a slot.
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->observer->cancelled() || it->deadline <= now) {
        expired.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    std::size_t free_slots = 0;
    for (const auto& slot : slots_) free_slots += slot->state == Slot::State::kFree ? 1 : 0;
    while (free_slots > 0 && !queue_.empty()) {
      admitted.push_back(std::move(queue_.front()));
      queue_.pop_front();
      --free_slots;
      busy_.fetch_add(1);  // counted before the lock is released, so submit() sees the slot taken
    }
  }
  for (auto& request : expired) {
    EngineResult result;
    result.reason =
        request.observer->cancelled() ? FinishReason::kCancelled : FinishReason::kTimedOut;
    result.queue_ms = util::millisSince(request.submitted);
    request.observer->onFinish(std::move(result));
  }
  for (auto& request : admitted) {
    for (auto& slot : slots_) {
      if (slot->state == Slot::State::kFree) {
        start(*slot, std::move(request));
        break;
      }
    }
  }
}

void LlamaEngine::start(Slot& slot, EngineRequest request) {
  llama_memory_t memory = llama_get_memory(context_.get());
  slot.request = std::move(request);
  slot.result = EngineResult{};
  slot.result.queue_ms = util::millisSince(slot.request.submitted);
  slot.entries.clear();
  slot.pending.clear();
  slot.pending_pos = 0;
  slot.undecoded.clear();
  slot.batch_index = -1;
  slot.sampler = makeSampler(slot.request.sampling);

  llama_memory_seq_rm(memory, slot.seq, -1, -1);
  const auto prefix_len = static_cast<llama_pos>(prefix_tokens_.size());
  llama_memory_seq_cp(memory, kPrefixSeq, slot.seq, 0, prefix_len);
  slot.n_past = prefix_len;
  slot.result.prompt_tokens = prefix_tokens_.size() + slot.request.tail.size();
  slot.result.reused_tokens = prefix_tokens_.size();

  // Cached blocks go into their own sequences; a block that cannot be cached (no key, no room) is
  // read inline with the question.
  for (const auto& block : slot.request.blocks) {
    slot.result.prompt_tokens += block.tokens.size();
    CacheEntry* entry = options_.source_cache == SourceCache::kParallel && !block.key.empty()
                            ? acquireEntry(block)
                            : nullptr;
    if (entry != nullptr) {
      slot.entries.push_back(entry);
    } else {
      slot.pending.insert(slot.pending.end(), block.tokens.begin(), block.tokens.end());
    }
  }
  slot.pending.insert(slot.pending.end(), slot.request.tail.begin(), slot.request.tail.end());

  std::size_t longest_entry = 0;
  for (const CacheEntry* e : slot.entries) {
    longest_entry = std::max(longest_entry, e->tokens.size());
  }
  const std::size_t positions =
      prefix_tokens_.size() + longest_entry + slot.pending.size() + slot.request.max_tokens;
  if (broken_) {
    finish(slot, FinishReason::kError, "the model could not evaluate the system prompt");
    return;
  }
  if (slot.pending.empty() || positions > options_.context) {
    finish(slot, FinishReason::kError,
           slot.pending.empty()
               ? "empty prompt"
               : "prompt and max_tokens need " + std::to_string(positions) +
                     " positions; the context has " + std::to_string(options_.context));
    return;
  }
  slot.state = Slot::State::kWaitingSources;
  attachSources(slot);
}

void LlamaEngine::finish(Slot& slot, FinishReason reason, std::string error) {
  llama_memory_seq_rm(llama_get_memory(context_.get()), slot.seq, -1, -1);
  for (CacheEntry* e : slot.entries) --e->refs;
  slot.entries.clear();
  slot.sampler.reset();
  slot.state = Slot::State::kFree;
  slot.result.reason = reason;
  slot.result.error = std::move(error);
  static constexpr const char* kReasons[] = {"stop",      "length",     "cancelled",
                                             "timed_out", "queue_full", "error"};
  log::debug("llm.sequence_finished", {{"reason", kReasons[static_cast<int>(reason)]},
                                       {"tokens", slot.result.tokens},
                                       {"prompt_tokens", slot.result.prompt_tokens},
                                       {"reused_tokens", slot.result.reused_tokens},
                                       {"queue_ms", slot.result.queue_ms},
                                       {"first_token_ms", slot.result.first_token_ms}});
  auto observer = std::move(slot.request.observer);
  slot.request = EngineRequest{};
  busy_.fetch_sub(1);
  completed_.fetch_add(1);
  observer->onFinish(std::move(slot.result));
}

void LlamaEngine::step() {
  retireCancelledAndExpired();
  if (!fillBatch()) return;
  const int rc = llama_decode(context_.get(), *static_cast<llama_batch*>(batch_.get()));
  if (rc != 0) {
    failBatch(rc);
    return;
  }
  for (auto& slot : slots_) {
    if (slot->state == Slot::State::kWaitingSources) attachSources(*slot);
  }
  sampleAndEmit();
}

// Requests whose client left or whose deadline passed give up their slot before the next batch.
void LlamaEngine::retireCancelledAndExpired() {
  const auto now = Clock::now();
  for (auto& slot : slots_) {
    if (slot->state == Slot::State::kFree) continue;
    if (slot->request.observer->cancelled()) {
      finish(*slot, FinishReason::kCancelled);
    } else if (slot->request.deadline <= now) {
      finish(*slot, FinishReason::kTimedOut);
    }
  }
}

// One batch: first the next token of every generating sequence (so answers keep flowing while
// prompts are read), then prompt tokens of cache entries and of slots, up to the batch size.
// Returns false when there is nothing to decode.
bool LlamaEngine::fillBatch() {
  llama_batch& batch = *static_cast<llama_batch*>(batch_.get());
  batch.n_tokens = 0;
  const auto room = [&] { return static_cast<std::size_t>(batch.n_tokens) < options_.batch; };

  for (auto& slot : slots_) {
    slot->batch_index = -1;
    if (slot->state == Slot::State::kGenerating) {
      slot->batch_index = addToken(batch, slot->last_token, slot->n_past++, slot->seq, true);
    }
  }
  const auto prefix_len = prefix_tokens_.size();
  for (auto& entry : cache_) {
    if (entry->key.empty() || entry->refs == 0) continue;
    while (!entry->ready() && room()) {
      addToken(batch, entry->tokens[entry->fed], static_cast<llama_pos>(prefix_len + entry->fed),
               entry->seq, false);
      ++entry->fed;
    }
  }
  for (auto& slot : slots_) {
    if (slot->state != Slot::State::kPrompt) continue;
    while (slot->pending_pos < slot->pending.size() && room()) {
      const bool last = slot->pending_pos + 1 == slot->pending.size();
      const int i =
          addToken(batch, slot->pending[slot->pending_pos++], slot->n_past++, slot->seq, last);
      if (last) slot->batch_index = i;
    }
  }
  return batch.n_tokens != 0;
}

// No room in the KV cache (code 1) or a failed computation: the requests in this batch cannot go
// on. Their answers fall back to the extractive generator upstream.
void LlamaEngine::failBatch(int code) {
  log::error("llm.decode_failed",
             {{"code", code}, {"tokens", static_cast<llama_batch*>(batch_.get())->n_tokens}});
  for (auto& slot : slots_) {
    if (slot->state == Slot::State::kGenerating || slot->state == Slot::State::kPrompt) {
      finish(*slot, FinishReason::kError, "llama_decode failed with code " + std::to_string(code));
    }
  }
  forgetUnfinishedEntries();
  for (auto& slot : slots_) {
    if (slot->state == Slot::State::kWaitingSources) {
      finish(*slot, FinishReason::kError, "source cache lost");
    }
  }
}

// Samples the next token of every slot that has logits in the batch just decoded.
void LlamaEngine::sampleAndEmit() {
  const llama_vocab* vocab = llama_model_get_vocab(model_.get());
  for (auto& slot : slots_) {
    if (slot->batch_index < 0) continue;
    const llama_token token =
        llama_sampler_sample(slot->sampler.get(), context_.get(), slot->batch_index);
    if (slot->state == Slot::State::kPrompt) {
      slot->state = Slot::State::kGenerating;
      slot->result.first_token_ms = util::millisSince(slot->request.submitted);
    }
    if (llama_vocab_is_eog(vocab, token)) {
      finish(*slot, FinishReason::kStop);
      continue;
    }
    emitToken(*slot, vocab, token);
  }
}

// A generated token: its text goes to the observer once it forms whole characters; the sequence
// ends at max_tokens or at the end of its context.
void LlamaEngine::emitToken(Slot& slot, const llama_vocab* vocab, int token) {
  ++slot.result.tokens;
  // Byte-level tokens can split a character or, from a poor model, form ill-formed UTF-8:
  // only decodable text is emitted, so every string behind the engine stays valid UTF-8.
  slot.undecoded += tokenText(vocab, token);
  const std::size_t before = slot.result.text.size();
  const std::size_t consumed = util::appendDecodableUtf8(slot.undecoded, slot.result.text);
  if (slot.result.text.size() > before) {
    slot.request.observer->onText(std::string_view(slot.result.text).substr(before));
  }
  slot.undecoded.erase(0, consumed);
  if (slot.result.tokens >= slot.request.max_tokens ||
      static_cast<std::size_t>(slot.n_past) + 1 >= options_.context) {
    finish(slot, FinishReason::kLength);
    return;
  }
  slot.last_token = token;
}

}  // namespace chatbot::llm
