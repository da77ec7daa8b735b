// SHA-256 through libcrypto's EVP digest interface (OpenSSL 3). The context is freed by its owner on every
// path, including a constructor that fails half way.
#include "rw/core/util/sha256.h"

#include <openssl/evp.h>

#include <fstream>

#include "rw/core/util/error.h"

namespace rw::core {

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr) fail("SHA-256: libcrypto could not allocate a digest context");
  if (EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1)
    fail("SHA-256: libcrypto could not initialise the digest");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(std::string_view bytes) {
  RW_CHECK(context_ != nullptr, "Sha256::update on a moved-from hash");
  RW_CHECK(!finished_, "Sha256::update after digest()");
  if (EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) != 1) fail("SHA-256: libcrypto update failed");
  return *this;
}

std::array<std::uint8_t, 32> Sha256::digest() {
  RW_CHECK(context_ != nullptr, "Sha256::digest on a moved-from hash");
  RW_CHECK(!finished_, "Sha256::digest called twice");
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->ctx, out.data(), &length) != 1 || length != out.size())
    fail("SHA-256: libcrypto finalisation failed");
  finished_ = true;
  return out;
}

std::string Sha256::hex_digest() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (const std::uint8_t byte : digest()) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

std::string sha256_hex(std::string_view bytes) { return Sha256().update(bytes).hex_digest(); }

std::string sha256_file_hex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("{}: cannot open for hashing", file.string());
  // Streamed in blocks so model files of several GB never sit in memory at once.
  std::string block(1 << 20, '\0');
  Sha256 hash;
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash.update(std::string_view(block.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) fail("{}: read error while hashing", file.string());
  return hash.hex_digest();
}

}  // namespace rw::core
