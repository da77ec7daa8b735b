// Safetensors reader (mmap, header fully validated on open) and atomic writer, written from the format spec.
#pragma once
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rw::core {

struct TensorEntry {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offset into the data section
  uint64_t end = 0;
};

/// Read-only view of one .safetensors file: mmapped, header validated on open.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);  // throws rw::core::Error
  ~SafetensorsReader();
  SafetensorsReader(const SafetensorsReader&) = delete;
  SafetensorsReader& operator=(const SafetensorsReader&) = delete;

  const std::filesystem::path& path() const;
  const std::vector<TensorEntry>& entries() const;             // in file (offset) order
  bool contains(const std::string& name) const;
  const TensorEntry& entry(const std::string& name) const;     // throws Error naming file + tensor if absent
  at::Tensor load(const std::string& name) const;              // owned CPU tensor copy, dtype as stored
  const std::map<std::string, std::string>& metadata() const;  // "__metadata__"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Every tensor of a file, by name (owned CPU copies, dtypes as stored). Errors as SafetensorsReader's.
std::map<std::string, at::Tensor> read_safetensors(const std::filesystem::path& path);

/// Writes tensors (any device/dtype among the supported ones; made contiguous CPU) to `path`
/// atomically: temp file in the same dir + fsync + rename. On any error nothing is left at `path`
/// (and an existing file there is untouched).
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace rw::core
