// Decoding loop. Mirrors transformers' generate for greedy decoding (same positions, same masks, one
// token per step through the KV cache), so greedy outputs match token for token.
#include "rw/core/model/generation.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string decode_row(const Tokenizer& tokenizer, const std::vector<int64_t>& ids) {
  return tokenizer.decode(std::vector<int32_t>(ids.begin(), ids.end()), /*skip_special_tokens=*/true);
}

}  // namespace

std::pair<at::Tensor, at::Tensor> left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_id) {
  RW_CHECK(!prompts.empty(), "no prompts to pad");
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  RW_CHECK(longest > 0, "all prompts are empty");
  const auto B = static_cast<int64_t>(prompts.size()), T = static_cast<int64_t>(longest);
  auto ids = at::full({B, T}, pad_id, at::kLong);
  auto mask = at::zeros({B, T}, at::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    const auto n = static_cast<int64_t>(p.size());
    if (n == 0) continue;
    ids[b].narrow(0, T - n, n).copy_(at::tensor(p, at::kLong));
    mask[b].narrow(0, T - n, n).fill_(1);
  }
  return {ids, mask};
}

at::Tensor positions_from_mask(const at::Tensor& attention_mask) {
  auto pos = attention_mask.to(at::kLong).cumsum(-1) - 1;
  return pos.masked_fill(attention_mask == 0, 1);
}

at::Tensor process_logits(const at::Tensor& logits, const at::Tensor& sequences, const GenerationConfig& config) {
  auto scores = logits;
  if (config.repetition_penalty != 1.0) {
    auto seen = scores.gather(1, sequences);
    seen = at::where(seen < 0, seen * config.repetition_penalty, seen / config.repetition_penalty);
    scores = scores.scatter(1, sequences, seen);
  }
  if (!config.do_sample) return scores;
  if (config.temperature != 1.0) scores = scores / config.temperature;
  const double neg_inf = -std::numeric_limits<double>::infinity();
  if (config.top_k > 0 && config.top_k < scores.size(-1)) {
    auto kth = std::get<0>(scores.topk(config.top_k, -1)).narrow(-1, config.top_k - 1, 1);
    scores = scores.masked_fill(scores < kth, neg_inf);
  }
  if (config.top_p < 1.0) {
    // HF: sort ascending, drop the low tail whose cumulative probability stays within 1 - top_p.
    auto [sorted, order] = scores.sort(/*dim=*/-1, /*descending=*/false);
    auto cumulative = sorted.softmax(-1).cumsum(-1);
    auto remove_sorted = cumulative <= (1.0 - config.top_p);
    remove_sorted.narrow(-1, scores.size(-1) - 1, 1).fill_(false);  // keep at least one token
    auto remove = remove_sorted.scatter(1, order, remove_sorted);
    scores = scores.masked_fill(remove, neg_inf);
  }
  return scores;
}

GenerationResult generate(LlamaForCausalLM& model, const at::Tensor& input_ids, const at::Tensor& attention_mask,
                          const GenerationConfig& config, const Tokenizer* tokenizer, const TokenCallback& on_step) {
  RW_CHECK(input_ids.dim() == 2 && attention_mask.sizes() == input_ids.sizes(),
           "input_ids and attention_mask must both be [B, T]");
  RW_CHECK(config.max_new_tokens >= 0, "max_new_tokens must not be negative");
  if (!config.stop_strings.empty() && !tokenizer) fail("stop strings need a tokenizer to decode with");
  if (config.do_sample && (config.temperature <= 0 || config.top_p <= 0 || config.top_p > 1))
    fail("sampling needs temperature > 0 and 0 < top_p <= 1 (got {} and {})", config.temperature, config.top_p);

  at::NoGradGuard no_grad;
  const auto device = model->model->embed_tokens->weight.device();
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  const int64_t pad = config.pad_token_id.value_or(config.eos_token_ids.empty() ? 0 : config.eos_token_ids.front());
  // The cache grows as tokens arrive: sizing it for max_new_tokens up front would allocate for a length that
  // EOS usually never reaches (and fail outright for a large one).
  constexpr int64_t kFirstDecodeCapacity = 256;
  auto cache = model->make_cache(T + std::min(config.max_new_tokens, kFirstDecodeCapacity));
  auto mask = attention_mask.to(device, at::kLong);
  auto sequences = input_ids.to(device, at::kLong);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(config.seed);

  GenerationResult result;
  result.new_tokens.resize(static_cast<size_t>(B));
  result.finish.assign(static_cast<size_t>(B), FinishReason::Length);
  std::vector<bool> done(static_cast<size_t>(B), false);
  int64_t remaining = B;

  auto step_input = sequences;
  auto positions = positions_from_mask(mask);
  auto start = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < config.max_new_tokens && remaining > 0; ++step) {
    ForwardContext context{positions, mask, &cache};
    // Only the last position's logits: a 32K-token prefill would otherwise hold [B, 32K, V] logits.
    const auto hidden = model->model->forward(step_input, context);                          // [B, T, C]
    auto logits = model->logits(hidden.narrow(1, hidden.size(1) - 1, 1)).squeeze(1).to(at::kFloat);  // [B, V]
    auto scores = process_logits(logits, sequences, config);
    at::Tensor next;
    if (config.do_sample) {
      auto probs = scores.softmax(-1).cpu();
      next = at::multinomial(probs, 1, /*replacement=*/false, generator).squeeze(1);
    } else {
      next = scores.argmax(-1).cpu();
    }
    if (step == 0) {
      result.prefill_seconds = seconds_since(start);
      start = std::chrono::steady_clock::now();
    }
    auto next_acc = next.accessor<int64_t, 1>();
    for (int64_t b = 0; b < B; ++b) {
      const auto row = static_cast<size_t>(b);
      if (done[row]) {
        next_acc[b] = pad;
        continue;
      }
      const int64_t token = next_acc[b];
      result.new_tokens[row].push_back(token);
      bool finished = false;
      if (std::find(config.eos_token_ids.begin(), config.eos_token_ids.end(), token) != config.eos_token_ids.end()) {
        result.finish[row] = FinishReason::Eos;
        finished = true;
      } else if (!config.stop_strings.empty()) {
        const auto text = decode_row(*tokenizer, result.new_tokens[row]);
        for (const auto& stop : config.stop_strings)
          if (text.find(stop) != std::string::npos) {
            result.finish[row] = FinishReason::StopString;
            finished = true;
          }
      }
      if (finished) {
        done[row] = true;
        --remaining;
      }
    }
    if (on_step) on_step(next);
    auto next_dev = next.to(device).unsqueeze(1);  // [B, 1]
    sequences = at::cat({sequences, next_dev}, 1);
    mask = at::cat({mask, at::ones({B, 1}, mask.options())}, 1);
    positions = positions.select(1, -1).unsqueeze(1) + 1;
    step_input = next_dev;
    ++result.decode_steps;
  }
  result.decode_seconds = seconds_since(start);

  if (tokenizer) {
    for (size_t row = 0; row < result.new_tokens.size(); ++row) {
      auto text = decode_row(*tokenizer, result.new_tokens[row]);
      for (const auto& stop : config.stop_strings) {
        const auto at = text.find(stop);
        if (at != std::string::npos) text.resize(at);
      }
      result.text.push_back(std::move(text));
    }
  }
  return result;
}

}  // namespace rw::core
