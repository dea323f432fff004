#include "util/error.h"

namespace chatbot {

Error Error::storageUnavailable() {
  return {ErrorKind::kStorageUnavailable, "storage_unavailable",
          "The database is not available right now; nothing was saved. Retry shortly.", 5};
}

Error Error::answerNotStored() {
  return {ErrorKind::kStorageUnavailable, "storage_unavailable",
          "The answer could not be saved to the conversation, so it is not returned; retry "
          "shortly.",
          5};
}

Error Error::overloaded() {
  // Generation slots free up within seconds; a short Retry-After spreads the retries.
  return {ErrorKind::kOverloaded, "overloaded",
          "Too many questions are being answered right now; retry in a few seconds.", 2};
}

Error Error::internal() {
  return {ErrorKind::kInternal, "internal_error",
          "The server could not process the request. Quote the request id when reporting this."};
}

}  // namespace chatbot
