#pragma once
// Chat-template handling for the RAG prompt. The prompt is rendered once with a marker in place
// of the user's content and split there, so that
//   prompt = prefix + <sources and question> + suffix
// where `prefix` (template preamble, system instructions, user-turn header) is the same for every
// request: the engine evaluates it once and every request starts from a copy of its KV cache.
#include <string>
#include <string_view>

struct llama_model;

namespace chatbot::llm {

struct ChatFormat {
  std::string template_name;  // what was used: the GGUF's template ("gguf") or a llama.cpp name
  std::string prefix;         // up to the user's content
  std::string suffix;         // after it: end of the user turn and the assistant header
};

// True for a GGUF Jinja template of the Zephyr family that ends every turn with the EOS token
// (TinyLlama-1.1B-Chat, Zephyr-7B): "auto" renders those itself (template_name "zephyr+eos").
bool usesZephyrTurnsWithEos(std::string_view jinja);

// `requested`: "auto" (the GGUF's own template, else chatml) or a llama.cpp template name such as
// chatml, llama2, llama3, zephyr, gemma, phi3. Throws ModelLoadError when the template is unknown
// to llama.cpp.
ChatFormat makeChatFormat(const llama_model* model, const std::string& requested,
                          const std::string& system_prompt);

}  // namespace chatbot::llm
