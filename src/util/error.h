#pragma once
// The one vocabulary for a request that fails: a kind (what happened, for the code that decides
// what to do: api/errors.cpp maps each kind to an HTTP status, and nothing else does), a stable
// machine-readable code for clients ("ticket_not_found"), and a detail for people that says what
// to do next. Services return failures as values (Result<T>); exceptions are for start-up and
// programming errors. See docs/ARCHITECTURE.md, "Errors".
#include <string>
#include <utility>
#include <variant>

namespace chatbot {

enum class ErrorKind {
  kInvalidInput,          // the request is malformed or a field is out of range
  kUnsupportedMediaType,  // the body is not in a format the endpoint reads
  kUnauthenticated,       // no valid credentials where they are required, or invalid ones sent
  kForbidden,             // the caller may not do this (its role, a CORS origin not allowed)
  kNotFound,              // what the request names does not exist (any more)
  kMethodNotAllowed,      // the path exists, the method does not
  kNotReady,              // the service is starting or failed to start: retry later
  kOverloaded,            // no room to take the request now: retry shortly
  kRateLimited,           // this caller used its budget (rate limit): retry after retry_after
  kStorageUnavailable,    // the database refused the work; nothing was changed
  kInternal,              // a bug or an unexpected failure; the request id tells which
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;                  // stable name clients may branch on, e.g. "session_not_found"
  std::string detail;                // one or two sentences: what went wrong and what to do
  unsigned retry_after_seconds = 0;  // > 0: trying again after this long makes sense

  static Error invalidInput(std::string detail) {
    return {ErrorKind::kInvalidInput, "validation_error", std::move(detail)};
  }
  static Error notFound(std::string code, std::string detail) {
    return {ErrorKind::kNotFound, std::move(code), std::move(detail)};
  }
  // The database could not do the work (nothing was saved).
  static Error storageUnavailable();
  // An answer that was generated but could not be stored, so it must not be acknowledged.
  static Error answerNotStored();
  // The generator's queue was full: nothing was generated.
  static Error overloaded();
  // Generic: the client learns only that something failed and which request id to quote.
  static Error internal();
};

// A value or the Error that prevented it. Cheap to move; check with ok() (or operator bool)
// before value().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Done {};

}  // namespace chatbot
