// GGUF reader (the llama.cpp file format), written from the format description: a header, typed metadata
// key/values, a tensor table, then the aligned data section. The file is mmapped and everything the
// header claims (counts, string and array lengths, tensor shapes, types, offsets, alignment) is checked
// on open against the file's size, so a truncated or lying file is an Error naming the file and the field,
// never a crash or an absurd allocation. Tensors dequantize to float32 (gguf_quants.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rw::core {

/// ggml tensor types Ropewalk dequantizes (the numbering is the file format's).
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  BF16 = 30,
};

/// The type's name as llama.cpp writes it ("Q4_1"), or "type N" for a number this reader does not know.
std::string ggml_type_name(uint32_t type);

/// One metadata value. Integers of every width are widened (unsigned into `uint`, signed into `int`),
/// floats into `real`; `type` keeps the file's value type (GGUF numbering: 0 UINT8 ... 12 FLOAT64).
struct GgufValue {
  enum class Kind { UInt, Int, Real, Bool, String, Array };
  Kind kind = Kind::UInt;
  uint32_t type = 0;
  uint64_t uint = 0;
  int64_t int_ = 0;
  double real = 0;
  bool boolean = false;
  std::string string;
  std::vector<GgufValue> array;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> dims;  ///< as stored: dims[0] varies fastest (the reverse of a PyTorch shape)
  GgmlType type = GgmlType::F32;
  uint64_t offset = 0;  ///< into the data section
  uint64_t bytes = 0;
  int64_t elements() const;
  std::vector<int64_t> torch_shape() const;  ///< dims reversed
};

class GgufReader {
 public:
  explicit GgufReader(const std::filesystem::path& path);  // throws Error
  ~GgufReader();
  GgufReader(const GgufReader&) = delete;
  GgufReader& operator=(const GgufReader&) = delete;

  const std::filesystem::path& path() const;
  uint32_t version() const;
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const;  ///< in file order
  const std::vector<GgufTensorInfo>& tensors() const;                      ///< in file order

  const GgufValue* find(std::string_view key) const;
  const GgufTensorInfo* find_tensor(std::string_view name) const;
  /// Typed lookups: Error naming the file and key when the key is missing or holds another type.
  uint64_t get_uint(std::string_view key) const;  ///< any unsigned or non-negative signed integer
  std::optional<uint64_t> get_uint_or(std::string_view key) const;
  double get_real(std::string_view key) const;  ///< a float or an integer
  std::optional<double> get_real_or(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::optional<std::string> get_string_or(std::string_view key) const;
  std::optional<bool> get_bool_or(std::string_view key) const;
  /// An array of strings / of numbers (as double); nothing when the key is missing.
  std::optional<std::vector<std::string>> get_strings_or(std::string_view key) const;
  std::optional<std::vector<double>> get_reals_or(std::string_view key) const;

  std::span<const std::byte> tensor_bytes(const GgufTensorInfo& info) const;
  /// The tensor's values as float32, in storage order (row-major under torch_shape()).
  void dequantize(const GgufTensorInfo& info, std::span<float> out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rw::core
