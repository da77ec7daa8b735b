// AdamW with the exact update of torch.optim.AdamW (default: non-amsgrad, single-tensor math), optional fp32
// master weights for bf16/fp16 parameters, gradient-norm clipping, and the optimizer state as named tensors
// for checkpoints (a safetensors file, no pickle). Not here: the learning-rate schedule (lr_schedule.h, the
// caller passes each step's lr), gradient accumulation and loss scaling (the trainer), parameter groups
// beyond the decay / no-decay split below.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rw::core {

/// Named parameters as from `module->named_parameters()`; the names key the optimizer state.
using NamedParameters = std::vector<std::pair<std::string, at::Tensor>>;

struct AdamWOptions {
  double lr = 3e-4;  // used by step() without an argument; a schedule passes its own lr to step(lr)
  double beta1 = 0.9, beta2 = 0.95;
  double eps = 1e-8;
  /// Decoupled weight decay (p *= 1 - lr * weight_decay). As in most LLM recipes, 1-D parameters (norm
  /// weights, biases) get none unless decay_norms_and_biases; embeddings and every other matrix do.
  double weight_decay = 0.1;
  bool decay_norms_and_biases = false;
  /// bf16/fp16 parameters keep an fp32 master copy that takes the update and is rounded back into the
  /// parameter, so updates smaller than half a bf16 ulp are not lost. Off: the update is computed in fp32
  /// from the current low-precision value each step.
  bool fp32_master = true;
};

/// AdamW over a fixed list of named parameters. State per parameter, in at least fp32 (fp64 parameters
/// keep fp64 state) on the parameter's device: exp_avg, exp_avg_sq and, for low-precision parameters with
/// fp32_master, the master copy. One step count for all parameters: every parameter must have a gradient
/// at every step (leave frozen parameters out). Construct it after the weights are loaded: master copies
/// are taken in the constructor.
class AdamW {
 public:
  /// Error naming the parameter for undefined, non-floating or duplicate-named tensors, and naming the
  /// option for out-of-range settings (lr or weight_decay negative, betas outside [0, 1), eps negative).
  AdamW(NamedParameters params, const AdamWOptions& options = {});

  /// One update with learning rate `lr`, torch.optim.AdamW's order of operations:
  ///   p *= 1 - lr*wd;  m.lerp_(g, 1-beta1);  v = v*beta2 + (1-beta2)*g*g;
  ///   p -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps).
  /// Gradients are read in the state dtype (bf16 grads as fp32). Error naming a parameter without grad.
  void step(double lr);
  void step() { step(options_.lr); }

  /// Drops every gradient (torch's set_to_none=True), so the next backward writes fresh ones.
  void zero_grad();

  /// Updates taken so far (restored by load_state_tensors).
  std::int64_t steps() const { return steps_; }

  const AdamWOptions& options() const { return options_; }
  const NamedParameters& parameters() const { return params_; }

  /// Whether the named parameter gets weight decay (false for 1-D ones unless decay_norms_and_biases).
  /// Error for an unknown name.
  bool decays(const std::string& name) const;

  /// The live state, not copies: "exp_avg.<name>", "exp_avg_sq.<name>", "master.<name>" (only for
  /// parameters with a master copy) and "step" (0-d int64). Clone to keep a snapshot past the next step.
  std::map<std::string, at::Tensor> state_tensors() const;

  /// Replaces the state (copied into place, keeping devices). Everything is checked before anything is
  /// changed; Error naming the missing, unexpected, mis-shaped or mis-typed key.
  void load_state_tensors(const std::map<std::string, at::Tensor>& tensors);


 private:
  struct Slot {
    at::Tensor exp_avg;     // like the parameter, in the state dtype
    at::Tensor exp_avg_sq;  // like the parameter, in the state dtype
    at::Tensor master;      // undefined unless the parameter is low precision and fp32_master is on
    bool decay = true;
  };

  NamedParameters params_;
  std::vector<Slot> slots_;  // parallel to params_
  AdamWOptions options_;
  std::int64_t steps_ = 0;
};

/// Scales all gradients so their joint 2-norm is at most max_norm, like torch.nn.utils.clip_grad_norm_
/// (foreach=False): total = ||(||g_1||, ..., ||g_n||)||, grads *= min(max_norm / (total + 1e-6), 1).
/// Per-parameter norms are taken in at least fp32 (torch rounds them to a bf16 grad's dtype). Returns the
/// total norm before clipping. Does not scale when max_norm <= 0 or the norm is not finite (torch would
/// multiply by NaN); the caller decides what to do with such a step. Parameters without grad are skipped;
/// none at all gives 0.
double clip_grad_norm(const NamedParameters& params, double max_norm);

}  // namespace rw::core
