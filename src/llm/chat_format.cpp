#include "llm/chat_format.h"

#include <llama.h>

#include <vector>

#include "llm/llama_model.h"
#include "observability/log.h"

namespace chatbot::llm {

namespace {

// Chosen so that no template escapes or trims it and no user text contains it.
constexpr std::string_view kMarker =
    "\x1f\x1e"
    "USER_CONTENT"
    "\x1e\x1f";

// Renders [system, user(marker)] with the assistant header; empty when llama.cpp does not know
// the template.
std::string render(const char* tmpl, const std::string& system_prompt, bool with_system) {
  const std::string marker(kMarker);
  std::vector<llama_chat_message> messages;
  if (with_system) messages.push_back({"system", system_prompt.c_str()});
  messages.push_back({"user", marker.c_str()});
  std::string buf(4096 + 2 * system_prompt.size(), '\0');
  int n = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, buf.data(),
                                    static_cast<int32_t>(buf.size()));
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) > buf.size()) {
    buf.resize(static_cast<std::size_t>(n));
    n = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, buf.data(),
                                  static_cast<int32_t>(buf.size()));
  }
  buf.resize(static_cast<std::size_t>(std::max(n, 0)));
  return buf;
}

// "<|system|>\n…</s>\n<|user|>\n…</s>\n<|assistant|>\n", rendered by hand because llama.cpp's
// built-in detector (which matches substrings, not Jinja) reads this family as glmedge and drops
// the end-of-turn tokens the models were trained with.
ChatFormat zephyrWithEos(std::string_view eos, const std::string& system_prompt) {
  ChatFormat format;
  format.template_name = "zephyr+eos";
  format.prefix = "<|system|>\n" + system_prompt + std::string(eos) + "\n<|user|>\n";
  format.suffix = std::string(eos) + "\n<|assistant|>\n";
  return format;
}

}  // namespace

bool usesZephyrTurnsWithEos(std::string_view jinja) {
  const auto has = [&](std::string_view s) { return jinja.find(s) != std::string_view::npos; };
  return has("<|user|>") && has("<|assistant|>") && has("eos_token") && !has("<|end|>") &&
         !has("<|endoftext|>");
}

ChatFormat makeChatFormat(const llama_model* model, const std::string& requested,
                          const std::string& system_prompt) {
  ChatFormat format;
  std::string tmpl;
  if (requested == "auto") {
    const char* own = llama_model_chat_template(model, nullptr);
    if (own != nullptr && usesZephyrTurnsWithEos(own)) {
      const llama_vocab* vocab = llama_model_get_vocab(model);
      const char* eos = llama_vocab_get_text(vocab, llama_vocab_eos(vocab));
      if (eos != nullptr && *eos != '\0') return zephyrWithEos(eos, system_prompt);
    }
    if (own != nullptr && *own != '\0') {
      tmpl = own;
      format.template_name = "gguf";
    } else {
      log::warn("llm.no_chat_template", {{"detail",
                                          "the model file has no chat template; using chatml (set "
                                          "LLM_CHAT_TEMPLATE to choose another)"}});
      tmpl = "chatml";
      format.template_name = "chatml";
    }
  } else {
    tmpl = requested;
    format.template_name = requested;
  }

  std::string rendered = render(tmpl.c_str(), system_prompt, true);
  if (rendered.find(system_prompt) == std::string::npos && !rendered.empty()) {
    // Some templates (e.g. gemma's) have no system role and drop it: fold it into the user turn.
    rendered.clear();
  }
  if (rendered.empty()) {
    const std::string folded = render(tmpl.c_str(), "", false);
    if (folded.empty()) {
      if (requested == "auto") {
        log::warn(
            "llm.chat_template_unsupported",
            {{"detail", "llama.cpp cannot apply the model's own chat template; using chatml"}});
        return makeChatFormat(model, "chatml", system_prompt);
      }
      throw ModelLoadError("LLM_CHAT_TEMPLATE=" + requested +
                           " is not a chat template llama.cpp knows; use auto, chatml, llama2, "
                           "llama3, zephyr, gemma, "
                           "phi3, mistral-v7 or another name from llama.cpp's list");
    }
    const auto at = folded.find(kMarker);
    format.prefix = folded.substr(0, at) + system_prompt + "\n\n";
    format.suffix = folded.substr(at + kMarker.size());
    return format;
  }
  const auto at = rendered.find(kMarker);
  format.prefix = rendered.substr(0, at);
  format.suffix = rendered.substr(at + kMarker.size());
  return format;
}

}  // namespace chatbot::llm
