// A whole file mapped read-only, shared by the safetensors and GGUF readers (private to core/io).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace rw::core::detail {

class MappedFile {
 public:
  /// Maps `path`; Error "<what> <path>: cannot open/stat/mmap ..." or "not a regular file". An empty file
  /// maps to size() == 0 and data() == nullptr.
  MappedFile(const std::filesystem::path& path, const std::string& what);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  void* mapping_;
  const std::byte* data_ = nullptr;
  uint64_t size_ = 0;
};

/// strerror-style text for an errno value.
std::string errno_text(int err);

}  // namespace rw::core::detail
