#pragma once
// Parsing and validation of the ticket endpoints' input. Each function throws ApiError 400 with a
// message that names the field and what is allowed; a request is accepted whole or not at all.
#include "http/types.h"
#include "security/credential_filter.h"
#include "store/store.h"
#include "support/ticket_builder.h"

namespace chatbot::api {

// POST /tickets: {"session_id"?, "description"?, "subject"?, "contact"?, "priority"?} and the
// Idempotency-Key header. Free text is redacted; the kinds removed go to context.redacted.
support::TicketDraft parseTicketDraft(const http::Request& request,
                                      const security::CredentialFilter& filter,
                                      http::RequestContext& context);
// The {ticket_id} path parameter: IT-42 or 42.
std::int64_t ticketNumberParam(const http::RequestContext& context);
// GET /tickets?status=&limit=&before=
store::TicketListQuery parseTicketListQuery(std::string_view target);
// PATCH /tickets/{id}: {"status": ...} and nothing else.
store::TicketStatus parseTicketUpdate(const http::Request& request);
// POST /tickets/{id}/notes: {"text": ...} and nothing else; the text trimmed, not empty, at most
// 4000 characters, and redacted (the kinds removed go to context.redacted).
std::string parseTicketNote(const http::Request& request, const security::CredentialFilter& filter,
                            http::RequestContext& context);

}  // namespace chatbot::api
