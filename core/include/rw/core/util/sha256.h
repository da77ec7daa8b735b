// SHA-256 for content hashes: corpus documents, prompts, tokenizer files. Computed by OpenSSL's libcrypto
// (EVP interface), so the hash is the maintained, hardware-accelerated one; this header keeps callers free
// of OpenSSL's headers.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace rw::core {

class Sha256 {
 public:
  /// Error when libcrypto cannot set up a SHA-256 context (out of memory, a FIPS provider without it).
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view bytes);
  /// Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest();
  /// digest() as 64 lowercase hex characters.
  std::string hex_digest();

 private:
  struct Context;  // owns the EVP_MD_CTX
  std::unique_ptr<Context> context_;
  bool finished_ = false;
};

/// Hex SHA-256 of bytes in one call.
std::string sha256_hex(std::string_view bytes);

/// Hex SHA-256 of a file's bytes, read in blocks. Error naming the file when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace rw::core
