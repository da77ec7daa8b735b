// How much memory a training step needs, before anything is allocated: the launcher's stacked bar and the
// trainer's "will this fit" questions. A model of the trainer as it is (trainer.cpp, llama.cpp,
// optimizer.cpp, chunked_cross_entropy.cpp): AdamW keeps two fp32 moments per parameter, bf16 training
// keeps no fp32 master copy, bf16-mixed autocasts only on CUDA, the loss materialises one chunk of logits
// at a time. test_memory_estimate holds it against the CPU trainer's measured peak.
#pragma once
#include <cstdint>

#include "rw/core/config/model_config.h"
#include "rw/core/config/run_config.h"

namespace rw::core {

struct TrainingShape {
  std::int64_t seq_len = 0;
  std::int64_t micro_batch_size = 1;
  Precision precision = Precision::Bf16Mixed;
  bool cuda = false;  ///< bf16-mixed computes activations in bf16 only on CUDA (autocast)
  bool activation_checkpointing = false;
  std::int64_t chunked_loss_rows = 2048;
};

/// Bytes per part; total() is the estimated peak of a training step over what the process held before.
struct TrainingMemory {
  std::int64_t weights = 0;      ///< parameters in the training dtype
  std::int64_t gradients = 0;    ///< one gradient per parameter, in the parameter's dtype
  std::int64_t optimizer = 0;    ///< AdamW moments (and fp32 master copies), plus the update's temporaries
  std::int64_t activations = 0;  ///< what the forward keeps for the backward, and the backward's working set
  std::int64_t logits = 0;       ///< one chunk of the chunked loss: logits, softmax and their gradients
  std::int64_t total() const { return weights + gradients + optimizer + activations + logits; }
};

/// Error naming the field for a shape that cannot train (seq_len, micro_batch_size or chunked_loss_rows < 1).
TrainingMemory estimate_training_memory(const ModelConfig& model, const TrainingShape& shape);

/// The shape a stage of `config` trains with (its batch overrides over the run's).
TrainingShape stage_training_shape(const RunConfig& config, const StageConfig& stage, bool cuda);

}  // namespace rw::core
