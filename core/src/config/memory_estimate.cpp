#include "rw/core/config/memory_estimate.h"

#include <algorithm>

#include "rw/core/util/error.h"

namespace rw::core {
namespace {

/// Bytes per element of the activations: bf16 when the weights are bf16 or autocast runs (CUDA only).
std::int64_t activation_bytes(const TrainingShape& shape) {
  const bool bf16 = shape.precision == Precision::Bf16 || (shape.precision == Precision::Bf16Mixed && shape.cuda);
  return bf16 ? 2 : 4;
}

/// Elements a decoder layer keeps per token for its backward: the two norms' inputs and outputs, q/k/v and
/// their rotated copies, the attention output (and its contiguous copy for o_proj), o_proj's output and the
/// residual, and the MLP's gate, up, silu(gate) and product.
std::int64_t layer_elements_per_token(const ModelConfig& m) {
  const std::int64_t q = m.num_attention_heads * m.head_dim;
  const std::int64_t kv = m.num_key_value_heads * m.head_dim;
  return 6 * m.hidden_size + 4 * q + 4 * kv + 4 * m.intermediate_size;
}

}  // namespace

TrainingMemory estimate_training_memory(const ModelConfig& model, const TrainingShape& shape) {
  if (shape.seq_len < 1) fail("memory estimate: seq_len must be at least 1 (got {})", shape.seq_len);
  if (shape.micro_batch_size < 1)
    fail("memory estimate: micro_batch_size must be at least 1 (got {})", shape.micro_batch_size);
  if (shape.chunked_loss_rows < 1)
    fail("memory estimate: chunked_loss_rows must be at least 1 (got {})", shape.chunked_loss_rows);
  const std::int64_t params = model.num_parameters();
  const std::int64_t weight_bytes = shape.precision == Precision::Bf16 ? 2 : 4;
  const std::int64_t a = activation_bytes(shape);
  const std::int64_t tokens = shape.seq_len * shape.micro_batch_size;
  const std::int64_t largest_matrix =
      model.vocab_size * model.hidden_size;  // the embedding (and lm_head): the update's largest temporaries

  TrainingMemory m;
  m.weights = params * weight_bytes;
  // bf16 embedding gradients are accumulated in fp32 first.
  m.gradients = params * weight_bytes + (weight_bytes == 2 ? largest_matrix * 4 : 0);
  // Moments, plus the update's fp32 temporaries of the largest parameter (more when bf16 weights are read
  // and written back through fp32 without a master copy).
  m.optimizer = 2 * params * 4 + (weight_bytes == 2 ? 4 : 2) * largest_matrix * 4;
  const std::int64_t per_layer = layer_elements_per_token(model) * tokens * a;
  // Checkpointing keeps each layer's input and recomputes one layer at a time: its activations, their
  // gradients and the recomputed graph's own copies are alive together (measured: about 3 layers' worth).
  const std::int64_t kept = shape.activation_checkpointing
                                ? model.num_hidden_layers * tokens * model.hidden_size * a + 3 * per_layer
                                : model.num_hidden_layers * per_layer;
  // The backward of a layer holds gradients of its widest activations next to what is kept.
  const std::int64_t backward = 2 * tokens * (model.hidden_size + 2 * model.intermediate_size) * a;
  // Document masking: an additive bias (and its boolean source) per row and attention block of up to
  // document_chunk_tokens (2048) tokens.
  const std::int64_t block = std::min<std::int64_t>(shape.seq_len, 2048);
  const std::int64_t mask = shape.micro_batch_size * block * block * (a + 2);
  m.activations = kept + backward + mask + 2 * tokens * model.hidden_size * a;  // embeddings out, final norm
  // The loss works on fp32 logits of one chunk of rows at a time: the logits and their exp (forward), or
  // softmax and its gradient (backward); bf16 weights also get an fp32 accumulator for lm_head's gradient.
  const std::int64_t rows = std::min(shape.chunked_loss_rows, tokens);
  m.logits = 2 * rows * model.vocab_size * 4 + (weight_bytes == 2 ? largest_matrix * 4 : 0);
  return m;
}

TrainingShape stage_training_shape(const RunConfig& config, const StageConfig& stage, bool cuda) {
  const BatchConfig batch = stage_batch(config, stage);
  return {.seq_len = stage.seq_len,
          .micro_batch_size = batch.micro_batch_size,
          .precision = config.precision,
          .cuda = cuda,
          .activation_checkpointing = config.activation_checkpointing,
          .chunked_loss_rows = config.chunked_loss_rows};
}

}  // namespace rw::core
