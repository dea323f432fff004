#include "rag/generator.h"

namespace chatbot::rag {

void Generator::generateAsync(GenerationRequest request,
                              std::shared_ptr<GenerationObserver> observer) const {
  Generation generation = generate(request);
  if (!generation.text.empty()) observer->onDelta(generation.text);
  observer->onDone(std::move(generation));
}

}  // namespace chatbot::rag
