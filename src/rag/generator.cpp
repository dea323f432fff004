#include "rag/generator.h"

namespace chatbot::rag {

// By value for the asynchronous overrides, which keep both; this inline default needs neither copy.
// NOLINTBEGIN(performance-unnecessary-value-param)
void Generator::generateAsync(GenerationRequest request,
                              std::shared_ptr<GenerationObserver> observer) const {
  // NOLINTEND(performance-unnecessary-value-param)
  Generation generation = generate(request);
  if (!generation.text.empty()) observer->onDelta(generation.text);
  observer->onDone(std::move(generation));
}

}  // namespace chatbot::rag
