// Passkey retrieval in the Landmark Attention format (epfml/landmark-attention llama/run_test.py):
// task description, garbage prefix, the pass key line, garbage suffix and
// the completion-style question, joined by newlines; greedy, 10 new tokens, scored by the first integer.
// Ropewalk sizes the garbage in tokens (as PI/YaRN/LongLoRA do) so the whole prompt fits the length, and
// sweeps depth deterministically (prefix = depth x garbage characters) instead of randint.
// Not the grid loop (eval_runner.h).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tasks/task_item.h"
#include "rw/core/util/splitmix64.h"

namespace rw::core {

class Tokenizer;

inline constexpr std::string_view kPasskeyTask =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz you "
    "about the important information there.";
inline constexpr std::string_view kPasskeyGarbage =
    "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
inline constexpr std::string_view kPasskeyQuestion = "What is the pass key? The pass key is";

/// The Landmark prompt: garbage_inf = garbage sentences joined by spaces (long enough for n_garbage);
/// prefix = its first n_prefix characters, suffix = its first n_garbage - n_prefix characters.
std::string passkey_prompt(std::int64_t n_garbage, std::int64_t n_prefix, std::int64_t pass_key);

/// The pass key of an item: the original's range 1..50000 for evals, 50001..99999 for training items.
std::int64_t draw_pass_key(SplitMix64& rng, SeedSpace space);

struct PasskeySettings {
  std::int64_t max_new_tokens = 10;
};

/// One passkey cell: the pass key drawn from [1, 50000] with `seed`; n_garbage the largest character count
/// whose prompt (with BOS) has at most `length` tokens; n_prefix = round(depth% x n_garbage).
/// Error naming the length when even an empty garbage does not fit.
EvalItem passkey_item(const Tokenizer& tokenizer, std::int64_t length, double depth_percent, std::uint64_t seed,
                      const PasskeySettings& settings = {}, SeedSpace space = SeedSpace::Eval);

}  // namespace rw::core
