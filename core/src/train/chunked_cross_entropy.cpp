// chunked_cross_entropy (see the header): a custom autograd function whose forward and backward both walk
// the rows in blocks, recomputing each block's logits in backward instead of saving them.
#include "rw/core/train/chunked_cross_entropy.h"

#include <fmt/ranges.h>
#include <torch/autograd.h>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// Logits of rows [begin, end) in at least fp32 (double stays double, for exact tests).
at::Tensor block_logits(const at::Tensor& hidden, const at::Tensor& weight, std::int64_t begin, std::int64_t end) {
  const at::Tensor logits = at::matmul(hidden.slice(0, begin, end), weight.t());  // [rows, V]
  return logits.to(at::promote_types(logits.scalar_type(), at::kFloat));
}

class ChunkedCrossEntropy : public torch::autograd::Function<ChunkedCrossEntropy> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight,
                            const at::Tensor& labels, std::int64_t chunk_rows, std::int64_t ignore_index, bool mean) {
    const std::int64_t n = hidden.size(0);
    const at::Tensor valid = labels.ne(ignore_index);  // [N]
    const std::int64_t counted = valid.sum().item<std::int64_t>();
    const double scale = mean ? (counted > 0 ? 1.0 / static_cast<double>(counted) : 0.0) : 1.0;
    at::Tensor total = at::zeros({}, hidden.options().dtype(at::promote_types(hidden.scalar_type(), at::kFloat)));
    for (std::int64_t begin = 0; begin < n; begin += chunk_rows) {
      const std::int64_t end = std::min(n, begin + chunk_rows);
      const at::Tensor logits = block_logits(hidden, weight, begin, end);  // [rows, V]
      const at::Tensor keep = valid.slice(0, begin, end);
      const at::Tensor target = labels.slice(0, begin, end).masked_fill(keep.logical_not(), 0).unsqueeze(1);
      const at::Tensor nll = logits.logsumexp(1) - logits.gather(1, target).squeeze(1);  // [rows]
      total += nll.masked_fill(keep.logical_not(), 0).sum();
    }
    ctx->save_for_backward({hidden, weight, labels});
    ctx->saved_data["chunk_rows"] = chunk_rows;
    ctx->saved_data["ignore_index"] = ignore_index;
    ctx->saved_data["scale"] = scale;
    return total * scale;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &hidden = saved[0], &weight = saved[1], &labels = saved[2];
    const std::int64_t chunk_rows = ctx->saved_data["chunk_rows"].toInt();
    const std::int64_t ignore_index = ctx->saved_data["ignore_index"].toInt();
    const at::Tensor g = grad_outputs[0] * ctx->saved_data["scale"].toDouble();  // scalar
    const bool want_hidden = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);
    at::Tensor grad_hidden = want_hidden ? at::zeros_like(hidden) : at::Tensor();
    // Accumulated in at least fp32: a bf16 sum over thousands of blocks would lose the small ones.
    at::Tensor grad_weight =
        want_weight
            ? at::zeros(weight.sizes(), weight.options().dtype(at::promote_types(weight.scalar_type(), at::kFloat)))
            : at::Tensor();
    const at::Tensor valid = labels.ne(ignore_index);
    for (std::int64_t begin = 0; begin < hidden.size(0); begin += chunk_rows) {
      const std::int64_t end = std::min(hidden.size(0), begin + chunk_rows);
      at::Tensor d = block_logits(hidden, weight, begin, end).softmax(1);  // d loss / d logits, [rows, V]
      const at::Tensor keep = valid.slice(0, begin, end);
      const at::Tensor target = labels.slice(0, begin, end).masked_fill(keep.logical_not(), 0).unsqueeze(1);
      d.scatter_add_(1, target, at::full_like(target, -1, d.options()));
      d.mul_(keep.unsqueeze(1).to(d.scalar_type())).mul_(g.to(d.scalar_type()));
      if (want_hidden) grad_hidden.slice(0, begin, end).copy_(at::matmul(d.to(weight.scalar_type()), weight));
      if (want_weight) grad_weight.add_(at::matmul(d.t(), hidden.slice(0, begin, end).to(d.scalar_type())));
    }
    if (want_weight) grad_weight = grad_weight.to(weight.scalar_type());
    return {grad_hidden, grad_weight, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor chunked_cross_entropy(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& labels,
                                 const ChunkedCrossEntropyOptions& options) {
  if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1)) {
    fail("chunked_cross_entropy: hidden [{}] and weight [{}] must be [N, H] and [V, H]",
         fmt::join(hidden.sizes(), ", "), fmt::join(weight.sizes(), ", "));
  }
  if (labels.dim() != 1 || labels.size(0) != hidden.size(0) || labels.scalar_type() != at::kLong) {
    fail("chunked_cross_entropy: labels must be int64 [{}], got {} [{}]", hidden.size(0),
         c10::toString(labels.scalar_type()), fmt::join(labels.sizes(), ", "));
  }
  if (options.chunk_rows <= 0) fail("chunked_cross_entropy: chunk_rows must be positive (got {})", options.chunk_rows);
  if (hidden.scalar_type() != weight.scalar_type()) {
    fail("chunked_cross_entropy: hidden is {} but weight is {}", c10::toString(hidden.scalar_type()),
         c10::toString(weight.scalar_type()));
  }
  const at::Tensor counted = labels.masked_select(labels.ne(options.ignore_index));
  if (counted.numel() > 0) {
    const auto lo = counted.min().item<std::int64_t>(), hi = counted.max().item<std::int64_t>();
    if (lo < 0 || hi >= weight.size(0)) {
      fail("chunked_cross_entropy: label {} is outside the vocabulary [0, {})", lo < 0 ? lo : hi, weight.size(0));
    }
  }
  return ChunkedCrossEntropy::apply(hidden, weight, labels, options.chunk_rows, options.ignore_index,
                                    options.reduction == LossReduction::Mean);
}

}  // namespace rw::core
