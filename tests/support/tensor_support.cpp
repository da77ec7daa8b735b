#include "tensor_support.h"

#include <ATen/ATen.h>
#include <torch/cuda.h>

namespace rw::test {

double max_relative_error(const at::Tensor& a, const at::Tensor& b, double floor) {
  auto a64 = a.to(at::kDouble).cpu();
  auto b64 = b.to(at::kDouble).cpu();
  auto denom = b64.abs().max().item<double>();
  if (denom < floor) denom = floor;
  return (a64 - b64).abs().max().item<double>() / denom;
}

bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace rw::test
