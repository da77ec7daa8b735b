// checkpointed_layer_forward (see layer_checkpoint.h).
#include "layer_checkpoint.h"

#include <torch/autograd.h>

#include "rw/core/model/llama.h"

namespace rw::core {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
  // The layer travels as a raw pointer in saved_data: it outlives the graph (the model owns it).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                            const at::Tensor& attn_bias, LlamaDecoderLayerImpl* layer) {
    ctx->saved_data["layer"] = reinterpret_cast<std::int64_t>(layer);
    ctx->saved_data["cos"] = cos;
    ctx->saved_data["sin"] = sin;
    ctx->saved_data["has_bias"] = attn_bias.defined();
    if (attn_bias.defined()) ctx->saved_data["bias"] = attn_bias;
    ctx->save_for_backward({x});
    // Function::apply runs this with grad mode off, so no activations are kept.
    return layer->forward(x, cos, sin, attn_bias, nullptr);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto* layer = reinterpret_cast<LlamaDecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    const at::Tensor cos = ctx->saved_data["cos"].toTensor();
    const at::Tensor sin = ctx->saved_data["sin"].toTensor();
    const at::Tensor bias = ctx->saved_data["has_bias"].toBool() ? ctx->saved_data["bias"].toTensor() : at::Tensor();
    const at::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    at::Tensor y;
    {
      torch::AutoGradMode enable(true);
      y = layer->forward(x, cos, sin, bias, nullptr);
    }
    // Accumulates into the parameters' .grad like any backward, and gives x's gradient to pass on.
    torch::autograd::backward({y}, {grad_outputs[0]});
    return {x.grad(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor checkpointed_layer_forward(LlamaDecoderLayerImpl& layer, const at::Tensor& x, const at::Tensor& cos,
                                      const at::Tensor& sin, const at::Tensor& attn_bias) {
  return CheckpointedLayer::apply(x, cos, sin, attn_bias, &layer);
}

}  // namespace rw::core
