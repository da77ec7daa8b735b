// PCRE2 regex wrapper and HF-compatible Split/ByteLevel pre-tokenization (see pre_tokenizer.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pre_tokenizer.h"

#include <pcre2.h>

#include <optional>

#include "rw/core/util/error.h"

namespace rw::core::detail {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

/// Per-thread match state: one ovector pair is all we read, and a JIT stack large enough for
/// long whitespace or punctuation runs.
struct MatchState {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  MatchState() { pcre2_jit_stack_assign(context, nullptr, stack); }
  ~MatchState() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
    pcre2_match_data_free(data);
  }
};

/// HF's regexes run on Oniguruma, where \s is exactly Unicode White_Space; PCRE2's UCP \s also takes
/// U+180E (via \h). Spelling \s and \S as the property makes both engines agree, in and out of classes.
std::string onig_compatible(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '\\' || i + 1 == pattern.size()) {
      out.push_back(pattern[i]);
      continue;
    }
    const char next = pattern[++i];
    if (next == 's')
      out += "\\p{White_Space}";
    else if (next == 'S')
      out += "\\P{White_Space}";
    else
      out.push_back('\\'), out.push_back(next);  // any other escape (\\, \p{..}, \x{..}) is copied whole
  }
  return out;
}

}  // namespace

Regex::Regex(std::string_view pattern, bool literal) : pattern_(pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  const uint32_t options = literal ? PCRE2_UTF | PCRE2_LITERAL : PCRE2_UTF | PCRE2_UCP;  // LITERAL refuses UCP
  const std::string compiled = literal ? std::string(pattern) : onig_compatible(pattern);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(compiled.data()), compiled.size(), options,
                                   &error, &offset, nullptr);
  if (code == nullptr)
    fail("invalid regex /{}/: {} (at offset {} of /{}/)", pattern, pcre2_message(error), offset, compiled);
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
  code_ = code;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

std::optional<std::pair<size_t, size_t>> Regex::find(std::string_view subject, size_t offset) const {
  thread_local MatchState state;
  const int rc = pcre2_match(static_cast<pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), offset, PCRE2_NO_UTF_CHECK, state.data, state.context);
  if (rc == PCRE2_ERROR_NOMATCH) return std::nullopt;
  if (rc < 0) fail("regex /{}/ failed on a {}-byte text: {}", pattern_, subject.size(), pcre2_message(rc));
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
  return std::pair<size_t, size_t>(ovector[0], ovector[1]);
}

namespace {

struct Span {
  size_t begin, end;
  bool match;
};

/// HF's NormalizedString::split behaviours, fed one (span, is_match) at a time in text order and emitting
/// finished pieces as soon as no later span can change them. HF folds MergedWithNext backwards; here a
/// match is held until the next span shows whether it joins it.
class SpanMerger {
 public:
  SpanMerger(SplitBehavior behavior, std::string_view text, const std::function<void(std::string_view)>& emit)
      : behavior_(behavior), text_(text), emit_(emit) {}

  void push(Span s) {
    using B = SplitBehavior;
    switch (behavior_) {
      case B::Removed:
        if (!s.match) out(s);
        break;
      case B::Isolated:
        out(s);
        break;
      case B::MergedWithPrevious:
        if (s.match && !previous_match_ && pending_)
          pending_->end = s.end;
        else
          replace_pending(s);
        break;
      case B::Contiguous:
        if (pending_ && s.match == previous_match_)
          pending_->end = s.end;
        else
          replace_pending(s);
        break;
      case B::MergedWithNext:
        if (pending_ && !s.match) {  // the held match joins this span
          s.begin = pending_->begin;
          pending_.reset();
        }
        if (s.match)
          replace_pending(s);
        else
          out(s);
        break;
    }
    previous_match_ = s.match;
  }

  void finish() {
    if (pending_) out(*pending_);
    pending_.reset();
  }

 private:
  void out(const Span& s) {
    if (s.end > s.begin) emit_(text_.substr(s.begin, s.end - s.begin));
  }
  void replace_pending(const Span& s) {
    if (pending_) out(*pending_);
    pending_ = s;
  }

  SplitBehavior behavior_;
  std::string_view text_;
  const std::function<void(std::string_view)>& emit_;
  std::optional<Span> pending_;
  bool previous_match_ = false;
};

/// The whole text as alternating (span, is_match) runs, as HF's Pattern::find_matches gives them.
void split_piece(const PreTokenizerStep& step, std::string_view text, const std::function<void(std::string_view)>& emit) {
  SpanMerger merger(step.behavior, text, emit);
  size_t prev = 0;
  step.regex->for_each_match(text, [&](size_t begin, size_t end) {
    if (begin != prev) merger.push({prev, begin, step.invert});
    merger.push({begin, end, !step.invert});
    prev = end;
  });
  if (prev != text.size()) merger.push({prev, text.size(), step.invert});
  merger.finish();
}

/// Steps index.. of the chain, ending in emit. Passed by pointer so each stage's std::function captures
/// one pointer (stored inline, no allocation per piece).
struct Chain {
  const std::vector<PreTokenizerStep>* steps;
  size_t index;
  const std::function<void(std::string_view)>* emit;
};

void apply_steps(const Chain& chain, std::string_view piece) {
  if (chain.index == chain.steps->size()) {
    if (!piece.empty()) (*chain.emit)(piece);
    return;
  }
  const Chain rest{chain.steps, chain.index + 1, chain.emit};
  const std::function<void(std::string_view)> next = [r = &rest](std::string_view sub) { apply_steps(*r, sub); };
  const PreTokenizerStep& step = (*chain.steps)[chain.index];
  if (step.kind == PreTokenizerStep::Kind::ByteLevel) {
    // HF prepends the space to every piece that reaches ByteLevel, not only to the text's start.
    std::string spaced;
    if (step.add_prefix_space && (piece.empty() || piece.front() != ' ')) {
      spaced.reserve(piece.size() + 1);
      spaced.push_back(' ');
      spaced.append(piece);
      piece = spaced;
    }
    if (step.regex)
      split_piece(step, piece, next);
    else
      next(piece);
    return;
  }
  split_piece(step, piece, next);
}

}  // namespace

void pre_tokenize(const std::vector<PreTokenizerStep>& steps, std::string_view text,
                  const std::function<void(std::string_view)>& emit) {
  if (text.empty()) return;  // HF yields no piece (not even a prefix space) for empty text
  apply_steps(Chain{&steps, 0, &emit}, text);
}

}  // namespace rw::core::detail
