#pragma once
// A whole file's bytes in memory, read-only: memory-mapped when the file is a regular file with
// a size (no copy; the pages come straight from the page cache), read into a buffer otherwise
// (pipes, /proc files, empty files).

#include <filesystem>
#include <string>
#include <string_view>

namespace cairn::ml {

class MappedFile {
 public:
  /// Throws cairn::Error naming the file and the system's reason when it cannot be read.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return bytes_; }

 private:
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string buffer_;
  std::string_view bytes_;
};

}  // namespace cairn::ml
