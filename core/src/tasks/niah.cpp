// NIAH cells (see niah.h).
#include "rw/core/tasks/niah.h"

#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {

std::vector<std::string> niah_default_keywords() {
  return {"eat", "sandwich", "sit", "dolores", "park", "sunny", "day"};
}

NeedlePlacement insert_needle(const std::vector<std::int32_t>& haystack, const std::vector<std::int32_t>& needle,
                              double depth_percent, const std::unordered_set<std::int32_t>& period_tokens,
                              bool snap_to_sentence) {
  if (depth_percent < 0 || depth_percent > 100)
    fail("NIAH: depth must be within 0..100 percent, got {}", depth_percent);
  NeedlePlacement out;
  std::int64_t p = static_cast<std::int64_t>(haystack.size());
  if (depth_percent != 100) {
    // int() in the original truncates toward zero.
    p = static_cast<std::int64_t>(static_cast<double>(haystack.size()) * (depth_percent / 100.0));
    if (snap_to_sentence) {
      while (p > 0 && period_tokens.count(haystack[static_cast<std::size_t>(p - 1)]) == 0) --p;
    }
  }
  out.tokens.reserve(haystack.size() + needle.size());
  out.tokens.insert(out.tokens.end(), haystack.begin(), haystack.begin() + p);
  out.tokens.insert(out.tokens.end(), needle.begin(), needle.end());
  out.tokens.insert(out.tokens.end(), haystack.begin() + p, haystack.end());
  out.needle_start = p;
  return out;
}

std::string niah_completion_prompt(std::string_view context, std::string_view question) {
  std::string out(kNiahSystemPrompt);
  out += "\n\nHuman: <context>\n";
  out += context;
  out += "\n</context>\n\n";
  out += question;
  out += kNiahQuestionSuffix;
  out += "\n\nAssistant: Here is the most relevant sentence in the context:";
  return out;
}

std::vector<ChatMessage> niah_chat_messages(std::string_view context, std::string_view question) {
  return {{"system", std::string(kNiahSystemPrompt)},
          {"user", std::string(context)},
          {"user", std::string(question) + std::string(kNiahQuestionSuffix)}};
}

NiahBuilder::NiahBuilder(const Tokenizer& tokenizer, NiahSettings settings, std::string_view haystack_text,
                         std::int64_t max_length)
    : tokenizer_(tokenizer), settings_(std::move(settings)) {
  if (haystack_text.empty()) fail("NIAH: the haystack text is empty");
  if (settings_.buffer_tokens < 0) fail("NIAH: buffer_tokens must not be negative, got {}", settings_.buffer_tokens);
  needle_ = tokenizer_.encode(settings_.needle, /*add_special_tokens=*/false);  // no BOS inside the context
  if (needle_.empty()) fail("NIAH: the needle encodes to no tokens");
  for (const std::int32_t id : tokenizer_.encode(".", /*add_special_tokens=*/false)) period_.insert(id);
  // The original concatenates the haystack files until the text has max_length tokens.
  const auto once = tokenizer_.encode(haystack_text, /*add_special_tokens=*/false);
  if (once.empty()) fail("NIAH: the haystack text encodes to no tokens");
  std::int64_t copies = max_length / static_cast<std::int64_t>(once.size()) + 1;
  while (true) {
    std::string text;
    text.reserve(haystack_text.size() * static_cast<std::size_t>(copies));
    for (std::int64_t i = 0; i < copies; ++i) text += haystack_text;
    haystack_ = copies == 1 ? once : tokenizer_.encode(text, /*add_special_tokens=*/false);
    if (static_cast<std::int64_t>(haystack_.size()) >= max_length) break;
    ++copies;
  }
}

std::string NiahBuilder::context(std::int64_t length, double depth_percent, NeedlePlacement* placement) const {
  if (length > static_cast<std::int64_t>(haystack_.size()))
    fail("NIAH: length {} is longer than the prepared haystack ({} tokens)", length, haystack_.size());
  // encode_and_trim to `length`, then cut to length - buffer - needle (insert_needle in the original).
  std::int64_t keep = length;
  const std::int64_t budget = length - settings_.buffer_tokens;
  const auto needle_len = static_cast<std::int64_t>(needle_.size());
  if (keep + needle_len > budget) keep = budget - needle_len;
  if (keep <= 0)
    fail("NIAH: length {} leaves no haystack after the {}-token buffer and the {}-token needle", length,
         settings_.buffer_tokens, needle_len);
  const std::vector<std::int32_t> cut(haystack_.begin(), haystack_.begin() + keep);
  NeedlePlacement placed = insert_needle(cut, needle_, depth_percent, period_, settings_.snap_to_sentence);
  std::string text = tokenizer_.decode(placed.tokens, /*skip_special_tokens=*/false);
  if (placement) *placement = std::move(placed);
  return text;
}

EvalItem NiahBuilder::item(std::int64_t length, double depth_percent, ChatFormat format) const {
  EvalItem item;
  item.task = "niah";
  item.length = length;
  item.depth_percent = depth_percent;
  item.max_new_tokens = settings_.max_new_tokens;
  const std::string ctx = context(length, depth_percent);
  if (format != ChatFormat::Completion) {
    item.prompt = chat_prompt(format, niah_chat_messages(ctx, settings_.question), "");
  } else {
    item.prompt = {niah_completion_prompt(ctx, settings_.question), /*add_special_tokens=*/true};
  }
  if (!settings_.keywords.empty()) {
    item.score = {ScoreMethod::KeywordFraction, settings_.keywords};
  } else if (!settings_.answer.empty()) {
    item.score = {ScoreMethod::Substring, {settings_.answer}};
  } else {
    fail("NIAH: give keywords or an answer to score the output against");
  }
  return item;
}

}  // namespace rw::core
