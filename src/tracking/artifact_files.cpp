#include "tracking/artifact_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <vector>

#include "cairn/tracking.hpp"
#include "tracking/sha256.hpp"

namespace cairn::tracking {

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

std::string errno_text(int error) {
  return std::strerror(error);
}

/// Closes a file descriptor on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting the error close() may give on some filesystems.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

/// A name for the temporary file that no other writer (thread or process) picks.
std::filesystem::path temporary_name(const std::filesystem::path& destination) {
  static std::atomic<std::uint64_t> counter{0};
  return destination.parent_path() /
         (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
          destination.filename().string());
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw StorageError("cannot write the artifact file " + path.string() + ": " +
                         errno_text(errno));
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

/// Writes what `produce` hands to its sink into a temporary file, then links it as
/// `destination`.
WrittenFile write_exclusively(
    const std::filesystem::path& destination,
    const std::function<void(const std::function<void(const char*, std::size_t)>&)>& produce) {
  std::error_code error;
  std::filesystem::create_directories(destination.parent_path(), error);
  if (error) {
    throw StorageError("cannot create the artifact directory " +
                       destination.parent_path().string() + ": " + error.message() +
                       "; check the permissions of the instance's artifacts/ directory");
  }
  if (std::filesystem::exists(destination, error)) {
    throw TrackingError("the artifact file " + destination.string() +
                        " already exists; artifacts are never replaced, log this one under "
                        "another path");
  }
  const std::filesystem::path temporary = temporary_name(destination);
  FileDescriptor out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    throw StorageError("cannot create the artifact file " + temporary.string() + ": " +
                       errno_text(errno));
  }
  WrittenFile written;
  try {
    Sha256 hash;
    produce([&](const char* data, std::size_t size) {
      hash.update(data, size);
      written.size += static_cast<std::int64_t>(size);
      write_all(out.get(), data, size, temporary);
    });
    written.sha256 = hash.hex_digest();
    if (::fsync(out.get()) != 0 || out.close() != 0) {
      throw StorageError("cannot write the artifact file " + temporary.string() +
                         " to disk: " + errno_text(errno));
    }
    if (::link(temporary.c_str(), destination.c_str()) != 0) {
      const int link_error = errno;
      if (link_error == EEXIST) {
        throw TrackingError("the artifact file " + destination.string() +
                            " already exists; artifacts are never replaced, log this one under "
                            "another path");
      }
      throw StorageError("cannot create the artifact file " + destination.string() + ": " +
                         errno_text(link_error));
    }
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  ::unlink(temporary.c_str());
  return written;
}

}  // namespace

std::filesystem::path run_artifact_dir(std::int64_t experiment_id, std::string_view run_id) {
  return std::filesystem::path(std::to_string(experiment_id)) / std::string(run_id);
}

void check_artifact_path(std::string_view path) {
  const auto refuse = [&](std::string_view why) {
    throw TrackingError("artifact path '" + std::string(path) + "' " + std::string(why) +
                        "; give a relative path inside the run's artifacts, such as "
                        "'model/model.ubj'");
  };
  if (path.empty()) refuse("is empty");
  if (path.front() == '/') refuse("is absolute");
  for (char c : path) {
    if (c == '\\') refuse("contains a backslash");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) refuse("contains a control character");
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, end - start);
    if (component.empty()) refuse("has an empty component ('//' or a trailing '/')");
    if (component == "." || component == "..") refuse("has a '.' or '..' component");
    start = end + 1;
  }
}

WrittenFile copy_file_exclusively(const std::filesystem::path& source,
                                  const std::filesystem::path& destination) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(source, error)) {
    throw Error(
        "cannot log '" + source.string() + "' as an artifact: " +
        (std::filesystem::exists(source, error) ? "it is not a regular file" : "no such file"));
  }
  FileDescriptor in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    throw Error("cannot read '" + source.string() +
                "' to log it as an artifact: " + errno_text(errno));
  }
  return write_exclusively(destination, [&](const auto& sink) {
    std::vector<char> buffer(kChunkBytes);
    for (;;) {
      const ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
      if (got < 0) {
        if (errno == EINTR) continue;
        throw Error("cannot read '" + source.string() +
                    "' to log it as an artifact: " + errno_text(errno));
      }
      if (got == 0) break;
      sink(buffer.data(), static_cast<std::size_t>(got));
    }
  });
}

WrittenFile write_file_exclusively(std::string_view content,
                                   const std::filesystem::path& destination) {
  return write_exclusively(destination,
                           [&](const auto& sink) { sink(content.data(), content.size()); });
}

void remove_artifact_file(const std::filesystem::path& file) {
  std::error_code error;
  std::filesystem::remove(file, error);
  if (error) {
    throw StorageError("cannot remove the artifact file " + file.string() + ": " + error.message() +
                       "; remove it by hand");
  }
  // Tidying only: a directory that is not empty, or cannot go, stays and harms nothing.
  if (std::filesystem::is_empty(file.parent_path(), error) && !error) {
    std::filesystem::remove(file.parent_path(), error);
  }
}

}  // namespace cairn::tracking
