// The default IO manager: one file per asset (and partition) under a root directory.
//
// Layout: `<root>/<asset key>.value`, and `<root>/<asset key>.partitions/<partition>.value` for
// partitioned assets. Keys cannot contain '.', so `a.value` never collides with the directory of
// an asset `a/b`. Each store writes `<file>.tmp-<unique>` and renames it over the old file: a
// reader (or a crash) sees the old value or the new one, never a mix. Files are not fsynced one
// by one; Instance::sync() flushes the whole instance once at the end of a run, which is what
// makes "reported done" durable without paying an fsync per step.

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_set>

#include "cairn/error.hpp"
#include "cairn/io_manager.hpp"
#include "core/atomic_file.hpp"

namespace cairn {

namespace {

constexpr std::string_view kUriPrefix = "fs:";

class FilesystemIOManager final : public IOManager {
 public:
  explicit FilesystemIOManager(std::filesystem::path root) : root_(std::move(root)) {}

  std::string store(const ValueRef& ref, const AnyValue& value) override {
    if (ref.codec == nullptr || ref.codec->encode == nullptr) {
      throw Error("asset '" + ref.asset_key +
                  "' has no codec, so the filesystem IO manager cannot store it; specialize "
                  "cairn::Codec<T> or use .io_manager(\"memory\")");
    }
    std::string relative = relative_path(ref);
    std::filesystem::path target = root_ / relative;
    ensure_directory(target.parent_path());
    std::string bytes = ref.codec->encode(value);
    if (std::error_code error = write_file_atomically(target, bytes)) {
      throw Error("cannot store the value of asset '" + ref.asset_key + "' at " + target.string() +
                  ": " + error.message());
    }
    return std::string(kUriPrefix) + relative;
  }

  AnyValue load(const ValueRef& ref, std::string_view uri) override {
    if (uri.substr(0, kUriPrefix.size()) != kUriPrefix) {
      throw Error("the value of asset '" + ref.asset_key + "' was stored at '" + std::string(uri) +
                  "', which the filesystem IO manager did not write");
    }
    std::filesystem::path file = root_ / std::string(uri.substr(kUriPrefix.size()));
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      throw NotFoundError("the stored value of asset '" + ref.asset_key + "' (" + file.string() +
                          ") is gone; materialize the asset again");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (ref.codec == nullptr || ref.codec->decode == nullptr) {
      throw Error("asset '" + ref.asset_key + "' has no codec to decode its stored value");
    }
    return ref.codec->decode(buffer.str());
  }

 private:
  static std::string relative_path(const ValueRef& ref) {
    if (ref.partition_key.empty()) return ref.asset_key + ".value";
    return ref.asset_key + ".partitions/" + ref.partition_key + ".value";
  }

  void ensure_directory(const std::filesystem::path& dir) {
    {
      std::lock_guard lock(mutex_);
      if (created_dirs_.contains(dir.string())) return;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      throw Error("cannot create the value directory " + dir.string() + ": " + ec.message() +
                  "; check that the instance directory is writable");
    }
    std::lock_guard lock(mutex_);
    created_dirs_.insert(dir.string());
  }

  std::filesystem::path root_;
  std::mutex mutex_;  // guards created_dirs_
  std::unordered_set<std::string> created_dirs_;
};

}  // namespace

std::shared_ptr<IOManager> make_filesystem_io_manager(const std::string& root) {
  return std::make_shared<FilesystemIOManager>(std::filesystem::path(root));
}

}  // namespace cairn
