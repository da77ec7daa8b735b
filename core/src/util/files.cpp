#include "rw/core/util/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "rw/core/util/error.h"

namespace rw::core {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open for reading ({})", path.string(), std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path sibling_temp_path(const std::filesystem::path& path, const std::string& tag) {
  static std::atomic<uint64_t> counter{0};
  auto name = path.filename().string() + "." + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return path.parent_path() / name;
}

void write_file_atomic(const std::filesystem::path& path, const std::string& bytes) {
  const auto temp = sibling_temp_path(path, "tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("{}: cannot create ({})", temp.string(), std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      std::filesystem::remove(temp);
      fail("{}: write failed ({})", path.string(), reason);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    std::filesystem::remove(temp);
    fail("{}: flush failed ({})", path.string(), reason);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp);
    fail("{}: cannot move into place ({})", path.string(), ec.message());
  }
}

}  // namespace rw::core
