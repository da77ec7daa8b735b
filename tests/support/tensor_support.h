// Helpers for the tests of rw_engine (LibTorch): tensor comparisons and the CUDA probe.
#pragma once
#include <ATen/core/Tensor.h>

#include "test_support.h"

namespace rw::test {

/// max |a-b| / max(|b|, floor): relative error against the reference b, robust near zero.
double max_relative_error(const at::Tensor& a, const at::Tensor& b, double floor = 1e-6);

/// True when a CUDA device is usable by LibTorch in this process.
bool cuda_available();

}  // namespace rw::test
