#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "rw/core/util/error.h"

namespace rw::core::detail {
namespace {

struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

MappedFile::MappedFile(const std::filesystem::path& path, const std::string& what) : mapping_(MAP_FAILED) {
  FdGuard file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) fail("{} {}: cannot open: {}", what, path.string(), errno_text(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) fail("{} {}: cannot stat: {}", what, path.string(), errno_text(errno));
  if (!S_ISREG(st.st_mode)) fail("{} {}: not a regular file", what, path.string());
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ == 0) return;
  mapping_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file.fd, 0);
  if (mapping_ == MAP_FAILED) fail("{} {}: cannot mmap {} bytes: {}", what, path.string(), size_, errno_text(errno));
  data_ = static_cast<const std::byte*>(mapping_);
}

MappedFile::~MappedFile() {
  if (mapping_ != MAP_FAILED) ::munmap(mapping_, size_);
}

}  // namespace rw::core::detail
