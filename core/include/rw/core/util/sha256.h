// SHA-256 (FIPS 180-4) for content hashes: corpus documents, prompts, tokenizer files. Own code, no
// OpenSSL, so the core builds on machines without its headers.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rw::core {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view bytes);
  /// Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest();
  /// digest() as 64 lowercase hex characters.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::uint64_t total_bytes_ = 0;
  size_t buffered_ = 0;
  bool finished_ = false;
};

/// Hex SHA-256 of bytes in one call.
std::string sha256_hex(std::string_view bytes);

/// Hex SHA-256 of a file's bytes, read in blocks. Error naming the file when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace rw::core
