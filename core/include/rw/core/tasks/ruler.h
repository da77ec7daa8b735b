// RULER-lite (NVIDIA/RULER, scripts/data/synthetic): the synthetic tasks that need no dataset —
// niah single / multikey / multivalue / multiquery, variable tracking (vt) and common words extraction
// (cwe) — with RULER's task templates, answer prefixes and string_match_all scoring. Haystacks are sized by
// binary search so prompt + tokens to generate fit the length. Adaptations [rw]: the essay haystack is
// Ropewalk's bundled public-domain text or a user text (never Paul Graham essays); keys are adjective-noun
// pairs from a small built-in list; cwe words are built-in words plus generated pronounceable words; the
// first needle sits at the cell's depth (other needles at random depths); vt and cwe have no needle
// depth, so their depth axis only indexes independent samples. qa_1/qa_2 and fwe are not included.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tasks/task_item.h"
#include "rw/core/chat/chat_format.h"

namespace rw::core {

class Tokenizer;

enum class RulerTask {
  NiahSingle1,
  NiahSingle2,
  NiahSingle3,
  NiahMultikey1,
  NiahMultikey2,
  NiahMultikey3,
  NiahMultivalue,
  NiahMultiquery,
  VariableTracking,
  CommonWords,
};

/// RULER's names: "niah_single_1", ..., "niah_multiquery", "vt", "cwe".
std::string_view ruler_task_name(RulerTask task);
/// Inverse of ruler_task_name; Error listing the names otherwise.
RulerTask ruler_task_from_name(std::string_view name);
std::vector<RulerTask> all_ruler_tasks();

/// A task's text before any chat template, and the answer prefix to append after it.
struct RulerText {
  std::string input;
  std::string answer_prefix;
};

/// RULER's niah template, singularized when queries x values == 1 ('Some'->'A', 'are all'->'is',
/// 'are'->'is', type_needle_v without its trailing 's').
RulerText ruler_niah_text(std::string_view type_needle_v, std::string_view context, std::string_view query,
                          bool singular);
/// "One of the special magic {type_needle_v} for {key} is: {value}."
std::string ruler_needle(std::string_view type_needle_v, std::string_view key, std::string_view value);
RulerText ruler_vt_text(std::string_view context, std::string_view query, std::int64_t num_v);
RulerText ruler_cwe_text(std::string_view context);
/// "a", "a, and b", "a, b, and c" (RULER's query join).
std::string ruler_join_queries(const std::vector<std::string>& queries);

/// One generated sample at a fixed haystack size.
struct RulerSample {
  RulerText text;
  std::vector<std::string> references;  ///< string_match_all references
  std::int64_t max_new_tokens = 0;
};

class RulerBuilder {
 public:
  /// essay_text: the "essay" haystack (whitespace-normalized into words, repeated when short).
  RulerBuilder(const Tokenizer& tokenizer, std::string_view essay_text);

  /// A sample with `units` haystack units (noise sentences, essay words, distractor needles, noise lines
  /// for vt, or uncommon words for cwe) and the first needle at depth_percent; everything random from
  /// `seed`, with values from `space`'s ranges (eval_grid.h). `length` only picks cwe's repeat counts
  /// (RULER's lighter ones below 4096).
  RulerSample sample(RulerTask task, std::int64_t units, double depth_percent, std::uint64_t seed,
                     std::int64_t length, SeedSpace space = SeedSpace::Eval) const;

  /// The largest sample whose prompt in `format` plus max_new_tokens fits `length` tokens. Error naming the
  /// task and length when not even the empty haystack fits.
  EvalItem item(RulerTask task, std::int64_t length, double depth_percent, std::uint64_t seed,
                ChatFormat format, SeedSpace space = SeedSpace::Eval) const;

 private:
  const Tokenizer& tokenizer_;
  std::vector<std::string> essay_words_;
};

}  // namespace rw::core
