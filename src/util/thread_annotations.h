#pragma once
// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
//
// They state which mutex guards which member and which functions expect or take which lock, so
// that `make lint` (clang++ -Wthread-safety) proves every guarded access happens under its lock.
// They expand to nothing for other compilers: the release build (g++) is unchanged, and the
// annotations cost nothing at run time under any compiler.
//
// Use them with the annotated types of util/mutex.h: libstdc++'s std::mutex carries no
// annotations, so locking one teaches the analysis nothing.

#if defined(__clang__)
#define CHATBOT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CHATBOT_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are capabilities (mutexes); `name` appears in the warnings.
#define CAPABILITY(name) CHATBOT_THREAD_ANNOTATION(capability(name))
// On an RAII class: it holds the capability from its constructor to its destructor.
#define SCOPED_CAPABILITY CHATBOT_THREAD_ANNOTATION(scoped_lockable)

// On a data member: reading needs the capability held (shared suffices), writing needs it
// exclusively.
#define GUARDED_BY(x) CHATBOT_THREAD_ANNOTATION(guarded_by(x))
// On a pointer (or smart pointer) member: the same for what it points to; the pointer itself is
// free.
#define PT_GUARDED_BY(x) CHATBOT_THREAD_ANNOTATION(pt_guarded_by(x))

// On a mutex member: the lock order. Taking them in the other order is flagged
// (-Wthread-safety-beta).
#define ACQUIRED_BEFORE(...) CHATBOT_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) CHATBOT_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: the caller must hold the capabilities (exclusively / at least shared).
#define REQUIRES(...) CHATBOT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CHATBOT_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// On a function: it takes (releases) the capabilities and returns holding (not holding) them.
// Without arguments on a member of a CAPABILITY or SCOPED_CAPABILITY class: `this`.
#define ACQUIRE(...) CHATBOT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CHATBOT_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CHATBOT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CHATBOT_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// The first argument is the return value that means "acquired".
#define TRY_ACQUIRE(...) CHATBOT_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) \
  CHATBOT_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// On a function: the caller must NOT hold the capabilities (the function takes them itself, and
// the mutexes are not recursive).
#define EXCLUDES(...) CHATBOT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: checks at run time (or simply asserts) that the capability is held; the
// analysis assumes it is from there on.
#define ASSERT_CAPABILITY(x) CHATBOT_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) CHATBOT_THREAD_ANNOTATION(assert_shared_capability(x))

// On a function: it returns a reference to the capability `x` (an accessor).
#define RETURN_CAPABILITY(x) CHATBOT_THREAD_ANNOTATION(lock_returned(x))

// On a function: its body is not analysed. Only for locking the analysis cannot follow (a mutex
// chosen at run time, say); say why next to each use.
#define NO_THREAD_SAFETY_ANALYSIS CHATBOT_THREAD_ANNOTATION(no_thread_safety_analysis)
