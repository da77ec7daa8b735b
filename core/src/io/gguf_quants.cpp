// Dequantization of the ggml block formats, written from their layouts: each block stores fp16 scales
// (and minimums) and packed integers; value = scale * q (+ min). The K formats group 256 values into
// sub-blocks with 6-bit (Q4_K, Q5_K) or 8-bit (Q6_K) sub-scales.
#include "gguf_quants.h"

#include <bit>
#include <cstring>

namespace rw::core::detail {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF I/O assumes a little-endian host");

constexpr GgmlTypeTraits kTraits[] = {
    {GgmlType::F32, "F32", 1, 4},        {GgmlType::F16, "F16", 1, 2},       {GgmlType::BF16, "BF16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", 32, 18},    {GgmlType::Q4_1, "Q4_1", 32, 20},   {GgmlType::Q5_0, "Q5_0", 32, 22},
    {GgmlType::Q5_1, "Q5_1", 32, 24},    {GgmlType::Q8_0, "Q8_0", 32, 34},   {GgmlType::Q4_K, "Q4_K", 256, 144},
    {GgmlType::Q5_K, "Q5_K", 256, 176},  {GgmlType::Q6_K, "Q6_K", 256, 210},
};

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);  // inf / nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalize
    exponent = 113;
    while ((mantissa & 0x400) == 0) mantissa <<= 1, --exponent;
    bits = sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
  }
  return std::bit_cast<float>(bits);
}

uint16_t load_u16(const std::byte* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

float load_half(const std::byte* p) { return half_to_float(load_u16(p)); }

uint8_t byte_at(const std::byte* p, int64_t i) { return static_cast<uint8_t>(p[i]); }

/// The low nibbles of bytes 0..15 are values 0..15, the high nibbles values 16..31 (Q4_0/Q4_1/Q5_x).
uint8_t nibble32(const std::byte* qs, int i) { return i < 16 ? byte_at(qs, i) & 0x0F : byte_at(qs, i - 16) >> 4; }

void q4_0(const std::byte* b, float* y) {
  const float d = load_half(b);
  for (int i = 0; i < 32; ++i) y[i] = d * static_cast<float>(static_cast<int>(nibble32(b + 2, i)) - 8);
}

void q4_1(const std::byte* b, float* y) {
  const float d = load_half(b), m = load_half(b + 2);
  for (int i = 0; i < 32; ++i) y[i] = d * static_cast<float>(nibble32(b + 4, i)) + m;
}

/// Q5 values: a nibble plus a fifth bit from the 32-bit mask qh.
uint8_t five_bits(const std::byte* qh_bytes, const std::byte* qs, int i) {
  uint32_t qh;
  std::memcpy(&qh, qh_bytes, 4);
  return static_cast<uint8_t>(nibble32(qs, i) | (((qh >> i) & 1u) << 4));
}

void q5_0(const std::byte* b, float* y) {
  const float d = load_half(b);
  for (int i = 0; i < 32; ++i) y[i] = d * static_cast<float>(static_cast<int>(five_bits(b + 2, b + 6, i)) - 16);
}

void q5_1(const std::byte* b, float* y) {
  const float d = load_half(b), m = load_half(b + 2);
  for (int i = 0; i < 32; ++i) y[i] = d * static_cast<float>(five_bits(b + 4, b + 8, i)) + m;
}

void q8_0(const std::byte* b, float* y) {
  const float d = load_half(b);
  for (int i = 0; i < 32; ++i) y[i] = static_cast<float>(static_cast<int8_t>(byte_at(b + 2, i))) * d;
}

/// Q4_K/Q5_K: the 6-bit scale and minimum of sub-block j (0..7) from the 12 packed bytes.
void k_scale_min(const std::byte* s, int j, int& scale, int& min) {
  if (j < 4) {
    scale = byte_at(s, j) & 63;
    min = byte_at(s, j + 4) & 63;
  } else {
    scale = (byte_at(s, j + 4) & 0x0F) | ((byte_at(s, j - 4) >> 6) << 4);
    min = (byte_at(s, j + 4) >> 4) | ((byte_at(s, j) >> 6) << 4);
  }
}

/// Q4_K (high_bits == nullptr) and Q5_K: 8 sub-blocks of 32; sub-block 2c+h takes nibble h of qs[32c..32c+31].
void q4_5_k(const std::byte* b, const std::byte* high_bits, const std::byte* qs, float* y) {
  const float d = load_half(b), dmin = load_half(b + 2);
  for (int sub = 0; sub < 8; ++sub) {
    int scale, min;
    k_scale_min(b + 4, sub, scale, min);
    const float dl = d * static_cast<float>(scale), ml = dmin * static_cast<float>(min);
    const int chunk = sub / 2, shift = 4 * (sub % 2);
    for (int l = 0; l < 32; ++l) {
      int q = (byte_at(qs, 32 * chunk + l) >> shift) & 0x0F;
      if (high_bits) q |= ((byte_at(high_bits, l) >> sub) & 1) << 4;
      y[32 * sub + l] = dl * static_cast<float>(q) - ml;
    }
  }
}

/// Q6_K: value e of 256 takes a nibble of ql, two bits of qh, and the int8 scale of its group of 16.
void q6_k(const std::byte* b, float* y) {
  const std::byte* ql = b;
  const std::byte* qh = b + 128;
  const std::byte* scales = b + 192;
  const float d = load_half(b + 208);
  for (int e = 0; e < 256; ++e) {
    const int half = e / 128, r = e % 128;
    const int low = (byte_at(ql, 64 * half + r % 64) >> (4 * (r / 64))) & 0x0F;
    const int high = (byte_at(qh, 32 * half + r % 32) >> (2 * (r / 32))) & 0x03;
    const float scale = d * static_cast<float>(static_cast<int8_t>(byte_at(scales, e / 16)));
    y[e] = scale * static_cast<float>((low | (high << 4)) - 32);
  }
}

}  // namespace

const GgmlTypeTraits* ggml_type_traits(uint32_t type) {
  for (const auto& t : kTraits)
    if (static_cast<uint32_t>(t.type) == type) return &t;
  return nullptr;
}

void dequantize_blocks(GgmlType type, const std::byte* src, float* dst, int64_t n) {
  const GgmlTypeTraits& t = *ggml_type_traits(static_cast<uint32_t>(type));
  const int64_t blocks = n / t.block_elements;
  for (int64_t i = 0; i < blocks; ++i) {
    const std::byte* b = src + i * static_cast<int64_t>(t.block_bytes);
    float* y = dst + i * t.block_elements;
    switch (type) {
      case GgmlType::F32: std::memcpy(y, b, 4); break;
      case GgmlType::F16: *y = load_half(b); break;
      case GgmlType::BF16: *y = std::bit_cast<float>(static_cast<uint32_t>(load_u16(b)) << 16); break;
      case GgmlType::Q4_0: q4_0(b, y); break;
      case GgmlType::Q4_1: q4_1(b, y); break;
      case GgmlType::Q5_0: q5_0(b, y); break;
      case GgmlType::Q5_1: q5_1(b, y); break;
      case GgmlType::Q8_0: q8_0(b, y); break;
      case GgmlType::Q4_K: q4_5_k(b, nullptr, b + 16, y); break;
      case GgmlType::Q5_K: q4_5_k(b, b + 16, b + 48, y); break;
      case GgmlType::Q6_K: q6_k(b, y); break;
    }
  }
}

}  // namespace rw::core::detail
