#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "automation/alert_delivery.hpp"
#include "cairn/error.hpp"

namespace cairn {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int error) {
  throw Error("cannot append the alert to " + path.string() + ": " + what + ": " +
              std::strerror(error));
}

// Makes the new directory entry of a created file durable, not only its contents.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "open directory", errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) fail(dir, "fsync directory", error);
}

}  // namespace

void append_alert_line(const std::filesystem::path& path, std::string_view json) {
  const std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw Error("cannot append the alert to " + path.string() + ": create directory " +
                dir.string() + ": " + error.message());
  }
  bool created = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    created = fd >= 0;
    // Created by someone else in between: append to theirs.
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) fail(path, "open", errno);

  std::string line(json);
  line.push_back('\n');
  // One write: with O_APPEND the kernel places the whole line at the end of the file atomically
  // with respect to other appenders. A short write (a full disk) is reported, not completed by
  // a second write that another appender's line could precede.
  ssize_t written = 0;
  do {
    written = ::write(fd, line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  const int write_error = errno;
  if (written != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    if (written < 0) fail(path, "write", write_error);
    throw Error("cannot append the alert to " + path.string() + ": only " +
                std::to_string(written) + " of " + std::to_string(line.size()) +
                " bytes were written (is the disk full?)");
  }
  const int synced = ::fsync(fd);
  const int sync_error = errno;
  ::close(fd);
  if (synced != 0) fail(path, "fsync", sync_error);
  if (created) sync_directory(dir);
}

}  // namespace cairn
