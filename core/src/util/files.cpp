// File helpers: whole-file reads and crash-safe writes (temp file + fsync + rename + directory fsync).
#include "rw/core/util/files.h"

#include <fcntl.h>
#include <ftw.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "rw/core/util/error.h"

namespace rw::core {
namespace fs = std::filesystem;
namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open for reading ({})", path.string(), errno_text(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path sibling_temp_path(const fs::path& path, const std::string& tag) {
  static std::atomic<uint64_t> counter{0};
  auto name = path.filename().string() + "." + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return path.parent_path() / name;
}

void write_file_atomic(const fs::path& path, const std::string& bytes) {
  write_file_atomic(path, std::vector<std::string_view>{bytes});
}

void remove_tree(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail("cannot remove {}: {}", path.string(), std::strerror(errno));
  }
  // nftw with FTW_DEPTH visits children before their folder; FTW_PHYS does not follow symlinks.
  static thread_local std::string failed;
  failed.clear();
  const auto remove_entry = [](const char* entry, const struct stat*, int, struct FTW*) -> int {
    if (::remove(entry) == 0) return 0;
    failed = fmt::format("cannot remove {}: {}", entry, std::strerror(errno));
    return 1;
  };
  if (::nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS) != 0) {
    fail("{}", failed.empty() ? fmt::format("cannot remove {}: {}", path.string(), std::strerror(errno)) : failed);
  }
}

void fsync_directory(const fs::path& dir) {
  FdGuard handle{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (handle.fd < 0) fail("cannot open directory {} to sync it: {}", dir.string(), errno_text(errno));
  if (::fsync(handle.fd) != 0) fail("cannot sync directory {}: {}", dir.string(), errno_text(errno));
}

void write_file_atomic(const fs::path& path, const std::vector<std::string_view>& pieces) {
  if (!path.has_filename()) fail("cannot write {}: the path names no file", path.string());
  const fs::path dir = path.parent_path();
  const std::string base = path.filename().string();

  // O_EXCL with a random name: unique without mkstemp's 0600 mode (the umask then applies as usual).
  std::random_device entropy;
  std::mt19937_64 rng(entropy());
  fs::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 64 && fd < 0; ++attempt) {
    temp = dir / fmt::format(".{}.tmp-{}-{:012x}", base, ::getpid(), rng() & 0xffffffffffffULL);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      fail("cannot write {}: cannot create temporary file {}: {}", path.string(), temp.string(), errno_text(errno));
  }
  if (fd < 0) fail("cannot write {}: no free temporary file name in {}", path.string(), dir.string());

  bool committed = false;
  struct Cleanup {
    int& fd;
    const fs::path& temp;
    const bool& committed;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      if (!committed) ::unlink(temp.c_str());
    }
  } cleanup{fd, temp, committed};

  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      const ssize_t written = ::write(fd, piece.data(), std::min<size_t>(piece.size(), size_t{1} << 30));
      if (written < 0) {
        if (errno == EINTR) continue;
        fail("cannot write {}: writing {} failed: {}", path.string(), temp.string(), errno_text(errno));
      }
      piece.remove_prefix(static_cast<size_t>(written));
    }
  }
  if (::fsync(fd) != 0) fail("cannot write {}: fsync failed: {}", path.string(), errno_text(errno));
  const int closing = fd;
  fd = -1;
  if (::close(closing) != 0) fail("cannot write {}: close failed: {}", path.string(), errno_text(errno));
  if (::rename(temp.c_str(), path.c_str()) != 0)
    fail("cannot write {}: renaming {} into place failed: {}", path.string(), temp.string(), errno_text(errno));
  committed = true;
  // The file is in place; a failed directory sync only weakens durability, so it must not report failure.
  try {
    fsync_directory(dir);
  } catch (const Error& e) {
    spdlog::warn("{}", e.what());
  }
}

}  // namespace rw::core
