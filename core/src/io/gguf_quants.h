// ggml block formats: sizes, and dequantization to float32 (private to core/io; see gguf.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rw/core/io/gguf.h"

namespace rw::core::detail {

struct GgmlTypeTraits {
  GgmlType type;
  std::string_view name;
  int64_t block_elements;  ///< values per block (1 for the float types)
  uint64_t block_bytes;
};

/// Traits of a type this reader dequantizes; nullptr for any other number.
const GgmlTypeTraits* ggml_type_traits(uint32_t type);

/// `n` values (a whole number of blocks) from `src` into `dst`, exactly as ggml's reference dequantizers.
void dequantize_blocks(GgmlType type, const std::byte* src, float* dst, int64_t n);

}  // namespace rw::core::detail
