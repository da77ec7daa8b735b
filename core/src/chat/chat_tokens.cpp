// Conversations as tokens with loss masks (see chat_tokens.h): where each assistant reply lies in the
// rendered text, and how byte ranges become token ranges.
#include "rw/core/chat/chat_tokens.h"

#include <algorithm>
#include <string>

#include "plain_format.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// A byte range [begin, end) of a rendered text.
struct Span {
  size_t begin = 0, end = 0;
};

/// What each family's template writes right after a reply: the reply's end-of-turn token.
std::string_view end_of_turn(ChatFormat format) {
  switch (format) {
    case ChatFormat::Llama3: return "<|eot_id|>";
    case ChatFormat::Qwen2: return "<|im_end|>";
    case ChatFormat::Llama2:
    case ChatFormat::Mistral: return "</s>";
    case ChatFormat::Completion:
    case ChatFormat::Plain: break;
  }
  return "";
}

std::vector<ChatMessage> first(const std::vector<ChatMessage>& messages, size_t n) {
  return {messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(n)};
}

/// Reply `i` as the difference between rendering messages[0, i) with the generation prompt and rendering
/// messages[0, i]; nothing when those are not prefixes of `text` (the template rewrites earlier turns) or
/// the template refuses the shorter conversation.
std::optional<Span> prefix_span(ChatFormat format, const std::vector<ChatMessage>& messages, size_t i,
                                std::string_view text, size_t search_from) {
  std::string before, after;
  try {
    before = apply_chat_template(format, first(messages, i), /*add_generation_prompt=*/true);
    after = apply_chat_template(format, first(messages, i + 1), /*add_generation_prompt=*/false);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!text.starts_with(after) || !std::string_view(after).starts_with(before) || before.size() < search_from)
    return std::nullopt;
  return Span{before.size(), after.size()};
}

/// Reply `i` for templates that move the system prompt (Mistral folds it into the last user turn): the
/// reply's rendering without the system message, searched for in `text` after the previous reply.
std::optional<Span> searched_span(ChatFormat format, const std::vector<ChatMessage>& messages, size_t i,
                                  std::string_view text, size_t search_from) {
  if (messages.empty() || messages[0].role != "system" || i == 0) return std::nullopt;
  const std::vector<ChatMessage> rest(messages.begin() + 1, messages.end());
  std::string before, after;
  try {
    before = apply_chat_template(format, first(rest, i - 1), /*add_generation_prompt=*/true);
    after = apply_chat_template(format, first(rest, i), /*add_generation_prompt=*/false);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!std::string_view(after).starts_with(before)) return std::nullopt;
  const std::string_view piece = std::string_view(after).substr(before.size());
  const size_t at = text.find(piece, search_from);
  if (piece.empty() || at == std::string_view::npos) return std::nullopt;
  return Span{at, at + piece.size()};
}

std::vector<Span> reply_spans(ChatFormat format, const std::vector<ChatMessage>& messages, std::string_view text) {
  std::vector<Span> spans;
  size_t search_from = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role != "assistant") continue;
    std::optional<Span> span = prefix_span(format, messages, i, text, search_from);
    if (!span) span = searched_span(format, messages, i, text, search_from);
    if (!span)
      fail(
          "{} chat format: cannot locate assistant message {} in the rendered conversation (does the "
          "conversation start with a user turn?)",
          chat_format_name(format), i);
    // Qwen2 writes "\n" after <|im_end|>: the model stops at the end-of-turn token, so nothing after it is
    // trained.
    const std::string_view marker = end_of_turn(format);
    const size_t at = text.substr(span->begin, span->end - span->begin).rfind(marker);
    if (at != std::string_view::npos) span->end = span->begin + at + marker.size();
    spans.push_back(*span);
    search_from = span->end;
  }
  return spans;
}

bool is_prefix(const std::vector<std::int32_t>& prefix, const std::vector<std::int32_t>& whole) {
  return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

/// Appends the tokens of `text` with mask 1 on the bytes inside `spans` (sorted, disjoint). The mask
/// boundaries are token counts of text prefixes, checked to be prefixes of the whole text's tokens.
void append_text(const Tokenizer& tokenizer, std::string_view text, const std::vector<Span>& spans, RenderedChat& out) {
  std::vector<size_t> cuts = {0};
  for (const Span& s : spans) cuts.insert(cuts.end(), {s.begin, s.end});
  cuts.push_back(text.size());
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const auto inside = [&](size_t from, size_t to) {
    return std::any_of(spans.begin(), spans.end(), [&](const Span& s) { return s.begin <= from && to <= s.end; });
  };

  const std::vector<std::int32_t> whole = tokenizer.encode(text, /*add_special_tokens=*/false);
  std::vector<size_t> counts = {0};  // tokens before each cut
  for (size_t c = 1; c + 1 < cuts.size(); ++c) {
    const std::vector<std::int32_t> prefix = tokenizer.encode(text.substr(0, cuts[c]), false);
    if (!is_prefix(prefix, whole) || prefix.size() < counts.back()) break;
    counts.push_back(prefix.size());
  }
  if (counts.size() + 1 == cuts.size()) {
    counts.push_back(whole.size());
    for (size_t c = 0; c + 1 < cuts.size(); ++c) {
      const std::uint8_t bit = inside(cuts[c], cuts[c + 1]) ? 1 : 0;
      out.ids.insert(out.ids.end(), whole.begin() + static_cast<std::ptrdiff_t>(counts[c]),
                     whole.begin() + static_cast<std::ptrdiff_t>(counts[c + 1]));
      out.loss_mask.insert(out.loss_mask.end(), counts[c + 1] - counts[c], bit);
    }
    return;
  }
  // The prefix property does not hold: a token merges across a reply boundary (e.g. a sentencepiece
  // dummy prefix or a BPE merge of the prompt's last character with the reply's first). Tokenize the
  // pieces between boundaries separately, so every token lies wholly inside or outside a reply.
  out.tokenized_in_pieces = true;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    const std::vector<std::int32_t> piece = tokenizer.encode(text.substr(cuts[c], cuts[c + 1] - cuts[c]), false);
    out.ids.insert(out.ids.end(), piece.begin(), piece.end());
    out.loss_mask.insert(out.loss_mask.end(), piece.size(), inside(cuts[c], cuts[c + 1]) ? 1 : 0);
  }
}

RenderedChat render_template(ChatFormat format, const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                             LossOn loss_on) {
  const std::string text = apply_chat_template(format, messages, /*add_generation_prompt=*/false);
  RenderedChat out;
  if (loss_on == LossOn::All) {
    out.ids = tokenizer.encode(text, /*add_special_tokens=*/false);  // the template writes BOS itself
    out.loss_mask.assign(out.ids.size(), 1);
    return out;
  }
  append_text(tokenizer, text, reply_spans(format, messages, text), out);
  return out;
}

RenderedChat render_plain(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages) {
  RenderedChat out;
  if (const auto bos = tokenizer.bos_id()) {
    out.ids.push_back(*bos);
    out.loss_mask.push_back(0);
  }
  const std::optional<std::int32_t> eos = tokenizer.eos_id();
  std::string pending;
  std::vector<Span> spans;
  bool after_reply = false;
  for (const ChatMessage& m : messages) {
    if (after_reply) pending.push_back('\n');  // separates a reply's EOS from the next message (pending is empty)
    after_reply = false;
    if (m.role != "assistant") {
      detail::append_plain_prompt_message(pending, m);
      continue;
    }
    pending += detail::kPlainReplyHeader;
    const size_t begin = pending.size();
    pending += m.content;
    if (!eos) {
      pending += "\n";
      spans.push_back({begin, pending.size()});
      continue;
    }
    spans.push_back({begin, pending.size()});
    append_text(tokenizer, pending, spans, out);
    out.ids.push_back(*eos);
    out.loss_mask.push_back(1);
    pending.clear();
    spans.clear();
    after_reply = true;
  }
  if (!pending.empty()) append_text(tokenizer, pending, spans, out);
  return out;
}

}  // namespace

RenderedChat render_chat(ChatFormat format, const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                         LossOn loss_on) {
  if (messages.empty()) fail("{} chat format: the conversation is empty", chat_format_name(format));
  if (format == ChatFormat::Completion)
    fail("the completion format has no roles, so a conversation cannot be rendered in it; give a chat format");
  if (has_family_template(format)) return render_template(format, tokenizer, messages, loss_on);
  RenderedChat out = render_plain(tokenizer, messages);
  if (loss_on == LossOn::All) std::fill(out.loss_mask.begin(), out.loss_mask.end(), 1);
  return out;
}

}  // namespace rw::core
