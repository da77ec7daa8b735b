// RMSNorm as Llama defines it: normalise in fp32, scale by the weight in the input dtype.
#pragma once
#include <ATen/core/Tensor.h>

namespace rw::kernels {

/// y = weight * (x / sqrt(mean(x^2) + eps)), computed in fp32 and cast back to x's dtype
/// before the weight multiply (HF LlamaRMSNorm order, which matters in bf16).
at::Tensor rms_norm(const at::Tensor& x,       // [..., C]
                    const at::Tensor& weight,  // [C]
                    double eps);

}  // namespace rw::kernels
