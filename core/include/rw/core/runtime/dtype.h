// The checkpoint element types of config/model_config.h (DType) as LibTorch scalar types and back.
#pragma once
#include <c10/core/ScalarType.h>

#include "rw/core/config/model_config.h"

namespace rw::core {

at::ScalarType scalar_type(DType dtype);
/// Error naming the type when it is not float32, bfloat16 or float16.
DType dtype_of(at::ScalarType type);

}  // namespace rw::core
