// DType <-> at::ScalarType (see dtype.h).
#include "rw/core/runtime/dtype.h"

#include "rw/core/util/error.h"

namespace rw::core {

at::ScalarType scalar_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return at::kFloat;
    case DType::BFloat16: return at::kBFloat16;
    case DType::Float16: return at::kHalf;
  }
  fail("unknown dtype");
}

DType dtype_of(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return DType::Float32;
    case at::kBFloat16: return DType::BFloat16;
    case at::kHalf: return DType::Float16;
    default: fail("dtype {} is not a model dtype (float32, bfloat16, float16)", c10::toString(type));
  }
}

}  // namespace rw::core
