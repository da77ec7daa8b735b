// Needle in a haystack, gkamradt/LLMTest_NeedleInAHaystack conventions (docs/heatmaps.md names the version):
// the haystack text repeated until long enough and cut, in the tested model's tokens, to
// length - buffer - needle; the needle (tokenized without BOS) inserted at depth% of the haystack tokens
// and moved back to a sentence end (the token before the insertion point is a period token); depth 100
// appends at the end; the OpenAI-style chat prompt or the Anthropic-style completion prompt; scoring by
// keyword fraction (forks for open models) or answer substring instead of an LLM judge.
// Not the grid loop (eval_runner.h) and not generation (text_generator.h).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rw/core/tasks/task_item.h"
#include "rw/core/chat/chat_format.h"

namespace rw::core {

class Tokenizer;

inline constexpr std::string_view kNiahDefaultNeedle =
    "\nThe best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.\n";
inline constexpr std::string_view kNiahDefaultQuestion = "What is the best thing to do in San Francisco?";
inline constexpr std::string_view kNiahSystemPrompt =
    "You are a helpful AI bot that answers questions for a user. Keep your response short and direct";
inline constexpr std::string_view kNiahQuestionSuffix =
    " Don't give information outside the document or repeat your findings";
/// Keywords of the default needle (`substr_validation_words` of the open-model forks).
std::vector<std::string> niah_default_keywords();

struct NiahSettings {
  std::string needle{kNiahDefaultNeedle};
  std::string question{kNiahDefaultQuestion};
  /// Scoring: the fraction of `keywords` found (case-insensitive) when given; else 1/0 for `answer` as a
  /// substring. The defaults score the default needle.
  std::vector<std::string> keywords = niah_default_keywords();
  std::string answer;
  std::int64_t buffer_tokens = 200;  ///< final_context_length_buffer
  bool snap_to_sentence = true;      ///< move the needle back to a sentence end
  std::int64_t max_new_tokens = 300;
};

/// Where insert_needle put the needle.
struct NeedlePlacement {
  std::vector<std::int32_t> tokens;  ///< haystack with the needle inserted
  std::int64_t needle_start = 0;     ///< index of the needle's first token in `tokens`
};

/// gkamradt insert_needle in token space on an already cut haystack: depth 100 appends; otherwise
/// p = int(len * depth / 100), then (when snap) p moves back until tokens[p-1] is a period token or p == 0.
NeedlePlacement insert_needle(const std::vector<std::int32_t>& haystack, const std::vector<std::int32_t>& needle,
                              double depth_percent, const std::unordered_set<std::int32_t>& period_tokens,
                              bool snap_to_sentence);

/// The Anthropic-style completion prompt (the original's Anthropic_prompt.txt, assistant prefill included).
std::string niah_completion_prompt(std::string_view context, std::string_view question);
/// The OpenAI-style chat: system prompt, the context as one user message, the question as a second one.
std::vector<ChatMessage> niah_chat_messages(std::string_view context, std::string_view question);

/// Builds NIAH cells for one model tokenizer and haystack. Tokenizes the haystack once (repeated until it
/// has at least max_length tokens), so each cell costs one decode.
class NiahBuilder {
 public:
  /// Error when the haystack text is empty or the needle encodes to nothing.
  NiahBuilder(const Tokenizer& tokenizer, NiahSettings settings, std::string_view haystack_text,
              std::int64_t max_length);

  /// The haystack cut for `length` with the needle inserted at depth_percent, decoded to text.
  /// Error naming the length when length - buffer - needle leaves no haystack.
  std::string context(std::int64_t length, double depth_percent, NeedlePlacement* placement = nullptr) const;
  EvalItem item(std::int64_t length, double depth_percent, ChatFormat format) const;

  const NiahSettings& settings() const { return settings_; }
  const std::vector<std::int32_t>& needle_tokens() const { return needle_; }
  const std::vector<std::int32_t>& haystack_tokens() const { return haystack_; }

 private:
  const Tokenizer& tokenizer_;
  NiahSettings settings_;
  std::vector<std::int32_t> haystack_, needle_;
  std::unordered_set<std::int32_t> period_;
};

}  // namespace rw::core
