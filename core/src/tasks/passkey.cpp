// Passkey cells (see passkey.h).
#include "rw/core/tasks/passkey.h"

#include <cmath>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// garbage joined by spaces, at least `chars` long (the original's " ".join([garbage] * 2000)).
std::string garbage_inf(std::int64_t chars) {
  std::string out(kPasskeyGarbage);
  while (static_cast<std::int64_t>(out.size()) < chars) {
    out += ' ';
    out += kPasskeyGarbage;
  }
  return out;
}

}  // namespace

std::string passkey_prompt(std::int64_t n_garbage, std::int64_t n_prefix, std::int64_t pass_key) {
  RW_CHECK(n_garbage >= 0 && n_prefix >= 0 && n_prefix <= n_garbage, "passkey: bad garbage split {} of {}", n_prefix,
           n_garbage);
  const std::string filler = garbage_inf(n_garbage);
  const std::string key = std::to_string(pass_key);
  std::string out(kPasskeyTask);
  out += '\n';
  out.append(filler, 0, static_cast<std::size_t>(n_prefix));
  out += "\nThe pass key is " + key + ". Remember it. " + key + " is the pass key.\n";
  out.append(filler, 0, static_cast<std::size_t>(n_garbage - n_prefix));
  out += '\n';
  out += kPasskeyQuestion;
  return out;
}

std::int64_t draw_pass_key(SplitMix64& rng, SeedSpace space) {
  // The original draws from 1..50000; training items take the rest of the five-digit keys.
  return space == SeedSpace::Eval ? rng.uniform(1, 50000) : rng.uniform(50001, 99999);
}

EvalItem passkey_item(const Tokenizer& tokenizer, std::int64_t length, double depth_percent, std::uint64_t seed,
                      const PasskeySettings& settings, SeedSpace space) {
  if (depth_percent < 0 || depth_percent > 100)
    fail("passkey: depth must be within 0..100 percent, got {}", depth_percent);
  SplitMix64 rng(seed);
  const std::int64_t pass_key = draw_pass_key(rng, space);
  const auto prompt_for = [&](std::int64_t n_garbage) {
    const auto n_prefix =
        static_cast<std::int64_t>(std::llround(depth_percent / 100.0 * static_cast<double>(n_garbage)));
    return passkey_prompt(n_garbage, n_prefix, pass_key);
  };
  const auto fits = [&](std::int64_t n_garbage) {
    return static_cast<std::int64_t>(tokenizer.encode(prompt_for(n_garbage), true).size()) <= length;
  };
  // Start from 8 characters per token and double until the prompt no longer fits, then binary search.
  std::int64_t limit = std::max<std::int64_t>(length * 8, 64);
  while (fits(limit)) limit *= 2;
  const std::int64_t n_garbage = largest_fitting(limit, fits);
  if (n_garbage < 0) fail("passkey: length {} is too short for the passkey template alone", length);
  EvalItem item;
  item.task = "passkey";
  item.length = length;
  item.depth_percent = depth_percent;
  item.prompt = {prompt_for(n_garbage), /*add_special_tokens=*/true};
  item.max_new_tokens = settings.max_new_tokens;
  item.score = {ScoreMethod::FirstInteger, {std::to_string(pass_key)}};
  return item;
}

}  // namespace rw::core
