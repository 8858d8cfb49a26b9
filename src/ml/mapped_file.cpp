#include "ml/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cairn/error.hpp"

namespace cairn::ml {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
  throw Error("cannot read '" + path.string() + "': " + std::strerror(error));
}

struct Descriptor {
  int fd;
  ~Descriptor() { ::close(fd); }
};

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, errno);
  Descriptor guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path, errno);
  if (S_ISDIR(st.st_mode)) fail(path, EISDIR);
  // Files that report no size (empty ones, but also /proc files) are read like pipes.
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    map_size_ = static_cast<std::size_t>(st.st_size);
    // MAP_POPULATE maps every page in one call instead of one fault per 64 KiB read.
    void* map = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) fail(path, errno);
    map_ = map;
    bytes_ = std::string_view(static_cast<const char*>(map_), map_size_);
    return;
  }
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, errno);
    }
    if (n == 0) break;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  bytes_ = buffer_;
}

MappedFile::~MappedFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

}  // namespace cairn::ml
