// Chat-template recognition (llm/chat_format.h).
#include "llm/chat_format.h"

#include <gtest/gtest.h>

#include <string>

namespace chatbot::llm {
namespace {

TEST(ChatFormat, ZephyrFamilyTemplatesWithEosAreRecognised) {
  // TinyLlama-1.1B-Chat-v1.0's template: llama.cpp's substring detector takes it for glmedge,
  // which would drop the </s> that ends every turn.
  const std::string tinyllama =
      "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + "
      "message['content'] + "
      "eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + "
      "message['content'] + eos_token }}\n"
      "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + "
      "eos_token }}\n{% endif "
      "%}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% "
      "endfor %}";
  EXPECT_TRUE(usesZephyrTurnsWithEos(tinyllama));
  // Phi-3 (<|end|>) and StableLM-Zephyr (<|endoftext|>) have their own end-of-turn tokens.
  EXPECT_FALSE(usesZephyrTurnsWithEos("<|user|>\n{{ m }}<|end|>\n<|assistant|>{{ eos_token }}"));
  EXPECT_FALSE(
      usesZephyrTurnsWithEos("<|user|>\n{{ m }}<|endoftext|>\n<|assistant|>{{ eos_token }}"));
  EXPECT_FALSE(usesZephyrTurnsWithEos("<|im_start|>user\n{{ m }}<|im_end|>{{ eos_token }}"));
}

}  // namespace
}  // namespace chatbot::llm
