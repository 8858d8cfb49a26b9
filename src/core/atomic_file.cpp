#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <string>

namespace cairn {

namespace {

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  static std::atomic<std::uint64_t> counter{0};
  std::filesystem::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid()) + "-" +
          std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  return temp;
}

std::error_code last_error() {
  return {errno, std::generic_category()};
}

std::error_code write_all(const std::filesystem::path& file, std::string_view bytes) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return last_error();
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::error_code error = last_error();
      ::close(fd);
      return error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return last_error();
  return {};
}

std::error_code move_into_place(const std::filesystem::path& temp,
                                const std::filesystem::path& path, std::error_code error) {
  if (!error && std::rename(temp.c_str(), path.c_str()) != 0) error = last_error();
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
  }
  return error;
}

}  // namespace

std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path temp = temporary_path_for(path);
  return move_into_place(temp, path, write_all(temp, bytes));
}

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      const std::function<void(std::ostream&)>& write) {
  std::filesystem::path temp = temporary_path_for(path);
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) return last_error();
  try {
    write(out);
  } catch (...) {
    out.close();
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
  out.close();
  return move_into_place(temp, path,
                         out ? std::error_code{} : std::make_error_code(std::errc::io_error));
}

}  // namespace cairn
