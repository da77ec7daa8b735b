// Pre-tokenization for byte-level BPE as HF tokenizers does it: Split (regex or literal, with its five
// behaviours and invert) and ByteLevel (optional prefix space and GPT-2 regex), applied piece by piece.
// Regexes are PCRE2 with UTF+UCP so tokenizer.json patterns are used verbatim. Not a public header.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rw::core::detail {

/// A compiled PCRE2 pattern (JIT when available). Thread-safe for matching.
class Regex {
 public:
  /// literal: the pattern is a plain string (HF Split {"String": ...}). Error with PCRE2's message.
  Regex(std::string_view pattern, bool literal);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// The first match [begin, end) at or after offset in subject (valid UTF-8), if any.
  std::optional<std::pair<size_t, size_t>> find(std::string_view subject, size_t offset) const;

  /// Calls on_match(begin, end) for each non-overlapping match, left to right.
  template <typename OnMatch>
  void for_each_match(std::string_view subject, OnMatch&& on_match) const {
    size_t offset = 0;
    while (offset <= subject.size()) {
      const auto m = find(subject, offset);
      if (!m) break;
      on_match(m->first, m->second);
      if (m->second > m->first) {
        offset = m->second;
      } else {  // empty match: step one character so the scan always advances
        if (m->second >= subject.size()) break;
        const auto lead = static_cast<unsigned char>(subject[m->second]);
        offset = m->second + (lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2);
      }
    }
  }

 private:
  void* code_ = nullptr;  // pcre2_code_8*, kept opaque so pcre2.h stays in the .cpp
  std::string pattern_;
};

/// GPT-2's pre-tokenizer regex, used by ByteLevel(use_regex=true).
extern const char* const kGpt2Pattern;

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct PreTokenizerStep {
  enum class Kind { Split, ByteLevel } kind = Kind::Split;
  std::shared_ptr<const Regex> regex;  // Split: its pattern; ByteLevel: GPT-2 regex or null (use_regex=false)
  SplitBehavior behavior = SplitBehavior::Isolated;
  bool invert = false;
  bool add_prefix_space = false;  // ByteLevel only
};

/// Runs the steps over text and calls emit with each resulting non-empty piece, in order (raw UTF-8, not
/// yet byte-mapped). Streams: memory stays bounded however long the text is. The view is valid only
/// during the call.
void pre_tokenize(const std::vector<PreTokenizerStep>& steps, std::string_view text,
                  const std::function<void(std::string_view)>& emit);

}  // namespace rw::core::detail
