// The four chat templates as code (see chat_template.h). Comments quote the Jinja each branch mirrors;
// "strip"/"trim" are Python's str.strip(), which is what Jinja calls.
#include "chat_template.h"

#include <optional>

#include "python_text.h"
#include "rw/core/util/error.h"

namespace rw::core::detail {
namespace {

/// {% if messages[0]['role'] == 'system' %} split, shared by the Llama-2 and Mistral templates.
struct SplitSystem {
  std::optional<std::string> system;
  std::vector<const ChatMessage*> loop;
};

SplitSystem split_system(const std::vector<ChatMessage>& messages, std::string_view family) {
  if (messages.empty()) fail("{} chat template: the conversation is empty", family);
  SplitSystem out;
  size_t first = 0;
  if (messages[0].role == "system") out.system = messages[0].content, first = 1;
  for (size_t i = first; i < messages.size(); ++i) out.loop.push_back(&messages[i]);
  return out;
}

}  // namespace

std::string render_llama2(const std::vector<ChatMessage>& messages) {
  const auto [system, loop] = split_system(messages, "llama2");
  std::string out;
  for (size_t i = 0; i < loop.size(); ++i) {
    const ChatMessage& m = *loop[i];
    if ((m.role == "user") != (i % 2 == 0))
      fail("llama2 chat template: conversation roles must alternate user/assistant/user/assistant/...");
    // {% if loop.index0 == 0 and system_message != false %} -- an empty system message still counts.
    const std::string content =
        i == 0 && system ? "<<SYS>>\n" + *system + "\n<</SYS>>\n\n" + m.content : m.content;
    if (m.role == "user")
      out += "<s>[INST] " + python_strip(content) + " [/INST]";
    else if (m.role == "assistant")
      out += " " + python_strip(content) + " </s>";
    // Any other role in an assistant slot renders nothing, as in the original.
  }
  return out;
}

std::string render_llama3(const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0) out += "<|begin_of_text|>";
    out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + python_strip(messages[i].content) +
           "<|eot_id|>";
  }
  if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

std::string render_mistral(const std::vector<ChatMessage>& messages) {
  const auto [system, loop] = split_system(messages, "mistral");
  size_t index = 0;  // ns.index: tool messages are skipped by the alternation check
  for (const ChatMessage* m : loop) {
    if (m->role == "tool" || m->role == "tool_results") continue;
    if ((m->role == "user") != (index % 2 == 0))
      fail("mistral chat template: after the optional system message, conversation roles must alternate "
           "user/assistant/user/assistant/...");
    ++index;
  }
  std::string out = "<s>";
  for (size_t i = 0; i < loop.size(); ++i) {
    const ChatMessage& m = *loop[i];
    if (m.role == "user") {
      // {%- if loop.last and system_message is defined %}: the system prompt rides on the final user turn
      // only, and is dropped when the conversation ends with an assistant turn.
      if (i + 1 == loop.size() && system)
        out += "[INST] " + *system + "\n\n" + m.content + "[/INST]";
      else
        out += "[INST] " + m.content + "[/INST]";
    } else if (m.role == "assistant") {
      out += " " + python_strip(m.content) + "</s>";
    } else {
      fail("mistral chat template: only user and assistant roles are supported, with the exception of an "
           "initial optional system message (got '{}')", m.role);
    }
  }
  return out;
}

std::string render_qwen2(const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0 && messages[0].role != "system") out += "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n";
    out += "<|im_start|>" + messages[i].role + "\n" + messages[i].content + "<|im_end|>\n";
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

void append_plain_prompt_message(std::string& out, const ChatMessage& m) {
  if (m.role != "system" && m.role != "user")
    fail("plain chat format: unknown role '{}' (expected system, user or assistant)", m.role);
  out += (m.role == "system" ? "System:\n" : "User:\n") + m.content + "\n";
}

}  // namespace rw::core::detail
