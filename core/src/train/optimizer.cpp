// AdamW and clip_grad_norm (see the header). The update repeats torch/optim/adam.py `_single_tensor_adam`
// operation by operation (same ATen ops, same scalar arguments computed in double), so fp32 results match
// PyTorch bit for bit on the same device, not just to a tolerance.
#include "rw/core/train/optimizer.h"

#include <ATen/ATen.h>
#include <fmt/ranges.h>

#include <cmath>
#include <set>

#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

constexpr const char* kStepKey = "step";
constexpr const char* kFormat = "ropewalk-adamw";

/// fp32 for bf16/fp16/fp32 parameters, fp64 for fp64 ones.
at::ScalarType state_dtype(const at::Tensor& p) { return at::promote_types(p.scalar_type(), at::kFloat); }

void check_options(const AdamWOptions& o) {
  // Written as !(x >= 0) so that NaN is rejected too.
  if (!(o.lr >= 0)) fail("AdamWOptions.lr must be >= 0 (got {})", o.lr);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) fail("AdamWOptions.beta1 must be in [0, 1) (got {})", o.beta1);
  if (!(o.beta2 >= 0 && o.beta2 < 1)) fail("AdamWOptions.beta2 must be in [0, 1) (got {})", o.beta2);
  if (!(o.eps >= 0)) fail("AdamWOptions.eps must be >= 0 (got {})", o.eps);
  if (!(o.weight_decay >= 0)) fail("AdamWOptions.weight_decay must be >= 0 (got {})", o.weight_decay);
}

}  // namespace

AdamW::AdamW(NamedParameters params, const AdamWOptions& options) : params_(std::move(params)), options_(options) {
  check_options(options_);
  at::NoGradGuard no_grad;
  std::set<std::string> seen;
  slots_.reserve(params_.size());
  for (const auto& [name, p] : params_) {
    if (!seen.insert(name).second) fail("AdamW: parameter '{}' is listed twice", name);
    if (!p.defined()) fail("AdamW: parameter '{}' is an undefined tensor", name);
    if (!at::isFloatingType(p.scalar_type())) {
      fail("AdamW: parameter '{}' is {}, not a floating-point tensor", name, c10::toString(p.scalar_type()));
    }
    const auto options_like = p.options().dtype(state_dtype(p));
    Slot slot;
    slot.exp_avg = at::zeros_like(p, options_like, at::MemoryFormat::Preserve);
    slot.exp_avg_sq = at::zeros_like(p, options_like, at::MemoryFormat::Preserve);
    if (options_.fp32_master && p.scalar_type() != state_dtype(p)) {
      slot.master = p.detach().to(state_dtype(p), /*non_blocking=*/false, /*copy=*/true);
    }
    slot.decay = options_.decay_norms_and_biases || p.dim() >= 2;
    slots_.push_back(std::move(slot));
  }
}

void AdamW::step(double lr) {
  if (!(lr >= 0) || !std::isfinite(lr)) fail("AdamW::step: lr must be finite and >= 0 (got {})", lr);
  for (const auto& [name, p] : params_) {
    if (!p.grad().defined()) {
      fail("AdamW::step: parameter '{}' has no gradient (run backward first; leave frozen parameters out)", name);
    }
  }
  at::NoGradGuard no_grad;
  const auto& o = options_;
  // Scalars exactly as adam.py computes them in Python floats (pow, not sqrt, for bias_correction2**0.5).
  const auto t = static_cast<double>(steps_ + 1);
  const double bias_correction1 = 1 - std::pow(o.beta1, t);
  const double bias_correction2 = 1 - std::pow(o.beta2, t);
  const double step_size = lr / bias_correction1;
  const double bias_correction2_sqrt = std::pow(bias_correction2, 0.5);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i].second;
    Slot& s = slots_[i];
    // The tensor taking the update: the master copy, the parameter itself, or an fp32 copy of it.
    at::Tensor work = s.master.defined() ? s.master : p.to(s.exp_avg.scalar_type());
    const at::Tensor grad = p.grad().to(s.exp_avg.scalar_type());
    if (s.decay && o.weight_decay != 0) work.mul_(1 - lr * o.weight_decay);
    s.exp_avg.lerp_(grad, 1 - o.beta1);
    s.exp_avg_sq.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
    const at::Tensor denom = (s.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(o.eps);
    work.addcdiv_(s.exp_avg, denom, -step_size);
    if (!work.is_same(p)) p.copy_(work);  // rounds to the parameter's dtype
  }
  ++steps_;
}

void AdamW::zero_grad() {
  for (auto& [name, p] : params_) {
    at::Tensor& grad = p.mutable_grad();
    if (grad.defined()) grad.reset();
  }
}

bool AdamW::decays(const std::string& name) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].first == name) return slots_[i].decay;
  }
  fail("AdamW::decays: no parameter named '{}'", name);
}

std::map<std::string, at::Tensor> AdamW::state_tensors() const {
  std::map<std::string, at::Tensor> out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string& name = params_[i].first;
    out["exp_avg." + name] = slots_[i].exp_avg;
    out["exp_avg_sq." + name] = slots_[i].exp_avg_sq;
    if (slots_[i].master.defined()) out["master." + name] = slots_[i].master;
  }
  out[kStepKey] = at::scalar_tensor(steps_, at::kLong);
  return out;
}

void AdamW::load_state_tensors(const std::map<std::string, at::Tensor>& tensors) {
  const auto expected = state_tensors();
  for (const auto& [key, mine] : expected) {
    const auto it = tensors.find(key);
    if (it == tensors.end() || !it->second.defined()) fail("AdamW state: missing key '{}'", key);
    const at::Tensor& theirs = it->second;
    if (theirs.sizes() != mine.sizes()) {
      fail("AdamW state: '{}' has shape [{}], expected [{}]", key, fmt::join(theirs.sizes(), ", "),
           fmt::join(mine.sizes(), ", "));
    }
    if (theirs.scalar_type() != mine.scalar_type()) {
      fail("AdamW state: '{}' is {}, expected {}", key, c10::toString(theirs.scalar_type()),
           c10::toString(mine.scalar_type()));
    }
  }
  for (const auto& [key, theirs] : tensors) {
    if (expected.contains(key)) continue;
    if (key.starts_with("master.")) {
      fail("AdamW state: unexpected key '{}' (master copies exist only for bf16/fp16 parameters with fp32_master)",
           key);
    }
    fail("AdamW state: unexpected key '{}' (not a parameter or state of this optimizer)", key);
  }
  const auto step = tensors.at(kStepKey).item<std::int64_t>();
  if (step < 0) fail("AdamW state: '{}' is negative ({})", kStepKey, step);

  at::NoGradGuard no_grad;
  for (const auto& [key, mine] : expected) {
    if (key != kStepKey) mine.copy_(tensors.at(key));  // `mine` is a handle to the live state
  }
  steps_ = step;
}


double clip_grad_norm(const NamedParameters& params, double max_norm) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads, norms;
  for (const auto& [name, p] : params) {
    const at::Tensor& grad = p.grad();
    if (!grad.defined()) continue;
    grads.push_back(grad);
    const auto dtype = at::promote_types(grad.scalar_type(), at::kFloat);
    norms.push_back(at::linalg_vector_norm(grad, 2, std::nullopt, /*keepdim=*/false, dtype).to(grads[0].device()));
  }
  if (grads.empty()) return 0.0;
  const at::Tensor total = at::linalg_vector_norm(at::stack(norms), 2);  // 0-d
  const auto total_value = total.item<double>();
  if (max_norm <= 0 || !std::isfinite(total_value)) return total_value;
  // As clip_grad.py: max_norm / (total + 1e-6), which Python evaluates as reciprocal() * max_norm.
  const at::Tensor coef = at::clamp_max((total + 1e-6).reciprocal() * max_norm, 1.0);
  for (const at::Tensor& grad : grads) grad.mul_(coef.to(grad.device()));
  return total_value;
}

}  // namespace rw::core
