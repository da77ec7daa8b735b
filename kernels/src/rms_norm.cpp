#include "rw/kernels/rms_norm.h"

#include <ATen/ATen.h>

namespace rw::kernels {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto in_dtype = x.scalar_type();
  auto h = x.to(at::kFloat);
  auto variance = h.pow(2).mean(/*dim=*/-1, /*keepdim=*/true);
  h = h * at::rsqrt(variance + eps);
  return weight * h.to(in_dtype);
}

}  // namespace rw::kernels
