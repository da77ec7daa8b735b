// Perplexity by position (see perplexity.h).
#include "rw/core/eval/perplexity.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <cmath>

#include "rw/core/util/error.h"

namespace rw::core {

at::Tensor token_nll(LlamaForCausalLM& model, const at::Tensor& ids, std::int64_t block_rows) {
  if (ids.dim() != 2 || ids.size(1) < 2) fail("token_nll: ids must be [B, T] with T >= 2, got {} dims", ids.dim());
  if (block_rows < 1) fail("token_nll: block_rows must be positive, got {}", block_rows);
  torch::NoGradGuard no_grad;
  const at::Tensor weight = model->lm_head_weight();  // [V, C]
  const at::Tensor input = ids.to(weight.device(), at::kLong);
  const std::int64_t B = input.size(0), T = input.size(1);
  const at::Tensor hidden = model->model->forward(input, ForwardContext{});                // [B, T, C]
  const at::Tensor h = hidden.narrow(1, 0, T - 1).reshape({B * (T - 1), hidden.size(2)});  // [N, C]
  const at::Tensor labels = input.narrow(1, 1, T - 1).reshape({B * (T - 1)});              // [N]
  at::Tensor out = at::empty({B * (T - 1)}, weight.options().dtype(at::kFloat));           // [N]
  for (std::int64_t r = 0; r < h.size(0); r += block_rows) {
    const std::int64_t n = std::min(block_rows, h.size(0) - r);
    const at::Tensor logits = at::linear(h.narrow(0, r, n), weight).to(at::kFloat);              // [n, V] fp32
    const at::Tensor lse = at::logsumexp(logits, /*dim=*/1);                                     // [n]
    const at::Tensor target = logits.gather(1, labels.narrow(0, r, n).unsqueeze(1)).squeeze(1);  // [n]
    out.narrow(0, r, n).copy_(lse - target);
  }
  return out.view({B, T - 1});
}

PerplexityResult perplexity_by_position(LlamaForCausalLM& model,
                                        const std::vector<std::vector<std::int32_t>>& documents, std::int64_t length,
                                        std::int64_t bucket_tokens, std::int64_t block_rows) {
  if (length < 2) fail("perplexity: length must be at least 2 tokens, got {}", length);
  if (bucket_tokens < 1) fail("perplexity: bucket_tokens must be positive, got {}", bucket_tokens);
  PerplexityResult result;
  result.length = length;
  at::Tensor sum = at::zeros({length - 1}, at::kDouble);  // [L-1] summed over documents
  double ppl_sum = 0;
  std::size_t longest = 0;
  for (const auto& doc : documents) {
    longest = std::max(longest, doc.size());
    if (static_cast<std::int64_t>(doc.size()) < length) continue;
    const at::Tensor ids =
        at::tensor(std::vector<std::int64_t>(doc.begin(), doc.begin() + length), at::kLong).unsqueeze(0);  // [1, L]
    const at::Tensor nll = token_nll(model, ids, block_rows).squeeze(0).to(at::kCPU, at::kDouble);         // [L-1]
    sum += nll;
    ppl_sum += std::exp(nll.mean().item<double>());
    ++result.documents;
  }
  if (result.documents == 0)
    fail("perplexity: no document has {} tokens (the longest has {}); give longer documents or a shorter length",
         length, longest);
  const at::Tensor mean = sum / static_cast<double>(result.documents);  // [L-1]
  result.position_nll.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + (length - 1));
  result.mean_nll = mean.mean().item<double>();
  result.mean_doc_ppl = ppl_sum / static_cast<double>(result.documents);
  // position_nll[i] scores the token at position i + 1; buckets are over those positions.
  for (std::int64_t start = 0; start < length; start += bucket_tokens) {
    const std::int64_t end = std::min(length, start + bucket_tokens);
    const std::int64_t lo = std::max<std::int64_t>(start, 1), hi = end;  // position 0 (BOS) is never predicted
    if (lo >= hi) continue;
    double s = 0;
    for (std::int64_t p = lo; p < hi; ++p) s += result.position_nll[static_cast<std::size_t>(p - 1)];
    result.buckets.push_back({start, end, s / static_cast<double>(hi - lo)});
  }
  return result;
}

}  // namespace rw::core
