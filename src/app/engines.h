#pragma once
// Engine factories: each turns the settings into an engine behind its subsystem's interface, so
// that the composition root (and `chatbot ask/ingest/eval`) never names an implementation.
// Adding an engine means adding a case here (and its setting); see docs/ARCHITECTURE.md.
#include <memory>
#include <string>

#include "api/routes/route_module.h"
#include "auth/token_verifier.h"
#include "config/config.h"
#include "ingest/knowledge_index.h"
#include "rag/chat_service.h"
#include "store/access_store.h"
#include "store/store.h"
#include "support/support_service.h"
#include "tickets/outbox_worker.h"
#include "util/error.h"

namespace chatbot::app {

// The durable state: conversations, feedback and tickets (`support`), API keys and the audit
// trail (`access`). Both are one SQLite database at DATABASE_PATH (default
// DATA_DIR/chatbot.sqlite3) today.
struct Stores {
  std::shared_ptr<store::Store> support;
  std::shared_ptr<store::AccessStore> access;
};
// The error says what to fix.
Result<Stores> makeStores(const config::Config& config);

// Delivers ticket events to TICKET_WEBHOOK_URL; null when none is configured.
std::unique_ptr<tickets::OutboxWorker> makeOutbox(const config::Config& config,
                                                  std::shared_ptr<store::Store> store);

// The lexical search engine that indexes and searches the KB.
const retrieval::LexicalEngine& lexicalEngine(const config::Config& config);

// Where and how the knowledge base is indexed (KB_DIR, DATA_DIR, SYNONYMS_FILE).
ingest::IndexOptions indexOptions(const config::Config& config, bool show_progress);

// The answer-confidence estimate of CONFIDENCE_MODEL over `index`; null when it is ''. Throws
// std::runtime_error saying what to do when the model file cannot be read.
std::shared_ptr<const retrieval::AnswerConfidence> makeAnswerConfidence(
    const ingest::KnowledgeIndex& index, const config::Config& config);

// The RAG pipeline over an open index: retriever (lexical, or hybrid with EMBEDDING_MODEL),
// generator (extractive, or the LLM_MODEL_ID model with the extractive one as fallback).
// A model that cannot be loaded is logged and reported in /health; the defaults serve instead.
std::shared_ptr<const rag::ChatService> makeChatService(
    std::shared_ptr<const ingest::KnowledgeIndex> index, const config::Config& config);

// Single sign-on: the verifier of the OIDC provider's tokens (OIDC_*); null when it is off.
std::shared_ptr<const auth::TokenVerifier> makeTokenVerifier(const config::Config& config);

// The services over the stores: conversations, feedback, statistics, tickets, API keys and who
// is calling (API keys, ADMIN_API_KEY). The error (the store failing) says what to fix.
Result<api::Services> makeServices(const config::Config& config, const Stores& stores,
                                   tickets::OutboxWorker* outbox);

}  // namespace chatbot::app
