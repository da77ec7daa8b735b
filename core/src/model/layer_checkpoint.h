// Activation checkpointing for one decoder layer: the forward keeps only the layer's input, and the
// backward runs the layer again with autograd on to get its gradients (PyTorch's reentrant
// torch.utils.checkpoint, written as a LibTorch autograd Function). Trades one extra layer forward per
// backward for not keeping the layer's intermediate activations. Internal to core/model.
#pragma once
#include <ATen/core/Tensor.h>

#include "rw/core/model/attention_mask.h"

namespace rw::core {

class LlamaDecoderLayerImpl;

/// layer->forward(x, cos, sin, mask, nullptr) with checkpointing. Gradients flow to x and to the
/// layer's parameters; cos, sin and the mask are treated as constants (they carry no trainable state).
at::Tensor checkpointed_layer_forward(LlamaDecoderLayerImpl& layer,
                                      const at::Tensor& x,           // [B, T, C]
                                      const at::Tensor& cos,         // [B, T, D]
                                      const at::Tensor& sin,         // [B, T, D]
                                      const AttentionMask& mask);

}  // namespace rw::core
