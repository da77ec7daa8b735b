// checkpointed_layer_forward (see layer_checkpoint.h).
#include "layer_checkpoint.h"

#include <torch/autograd.h>

#include "rw/core/model/llama.h"

namespace rw::core {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Undefined tensors travel as empty IValues (an IValue cannot hold an undefined tensor).
void save_tensor(AutogradContext* ctx, const std::string& key, const at::Tensor& t) {
  if (t.defined()) ctx->saved_data[key] = t;
}
at::Tensor saved_tensor(AutogradContext* ctx, const std::string& key) {
  const auto it = ctx->saved_data.find(key);
  return it == ctx->saved_data.end() ? at::Tensor() : it->second.toTensor();
}

void save_mask(AutogradContext* ctx, const AttentionMask& mask) {
  save_tensor(ctx, "bias", mask.bias);
  save_tensor(ctx, "chunks", mask.chunks);
  for (size_t i = 0; i < mask.chunk_biases.size(); ++i)
    save_tensor(ctx, "chunk_bias" + std::to_string(i), mask.chunk_biases[i]);
}

AttentionMask saved_mask(AutogradContext* ctx) {
  AttentionMask mask{saved_tensor(ctx, "bias"), saved_tensor(ctx, "chunks"), {}};
  const int64_t chunks = mask.chunks.defined() ? mask.chunks.size(0) : 0;
  for (int64_t i = 0; i < chunks; ++i) mask.chunk_biases.push_back(saved_tensor(ctx, "chunk_bias" + std::to_string(i)));
  return mask;
}

struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
  // The layer travels as a raw pointer in saved_data: it outlives the graph (the model owns it).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                            const AttentionMask& mask, LlamaDecoderLayerImpl* layer) {
    ctx->saved_data["layer"] = reinterpret_cast<std::int64_t>(layer);
    ctx->saved_data["cos"] = cos;
    ctx->saved_data["sin"] = sin;
    save_mask(ctx, mask);
    ctx->save_for_backward({x});
    // Function::apply runs this with grad mode off, so no activations are kept.
    return layer->forward(x, cos, sin, mask, nullptr);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto* layer = reinterpret_cast<LlamaDecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    const at::Tensor cos = ctx->saved_data["cos"].toTensor();
    const at::Tensor sin = ctx->saved_data["sin"].toTensor();
    const AttentionMask mask = saved_mask(ctx);
    const at::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    at::Tensor y;
    {
      torch::AutoGradMode enable(true);
      y = layer->forward(x, cos, sin, mask, nullptr);
    }
    // Accumulates into the parameters' .grad like any backward, and gives x's gradient to pass on.
    torch::autograd::backward({y}, {grad_outputs[0]});
    return {x.grad(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor checkpointed_layer_forward(LlamaDecoderLayerImpl& layer, const at::Tensor& x, const at::Tensor& cos,
                                      const at::Tensor& sin, const AttentionMask& mask) {
  return CheckpointedLayer::apply(x, cos, sin, mask, &layer);
}

}  // namespace rw::core
