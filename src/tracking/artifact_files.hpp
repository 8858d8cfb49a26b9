#pragma once
// Files under the instance's artifact root (docs/tracking.md, "Artifacts"):
//
//   <home>/artifacts/<experiment id>/<tracking run id>/<artifact path>   tracking run artifacts
//   <home>/artifacts/models/<model id>/v<version>/<file name>             copied model files
//
// A file is written next to its destination under a temporary name, fsynced, then linked to its
// final name and the temporary name removed: link() never replaces an existing file, so an
// artifact, once recorded, is never overwritten, and a reader never sees half a file. Rejected:
// rename(), which silently replaces; renameat2(RENAME_NOREPLACE), which some filesystems (NFS)
// do not support, while link() works on all of those an artifact root may live on.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace cairn::tracking {

/// The directory of a tracking run's artifacts, relative to the artifact root.
std::filesystem::path run_artifact_dir(std::int64_t experiment_id, std::string_view run_id);

/// Throws TrackingError unless `path` is a relative artifact path that stays inside its
/// directory: not empty, not absolute, no empty, `.` or `..` components, no backslash or
/// control character.
void check_artifact_path(std::string_view path);

struct WrittenFile {
  std::int64_t size = 0;
  std::string sha256;
};

/// Copies `source` to `destination` (creating its directories) as described above. Throws
/// Error naming `source` if it cannot be read (or is not a regular file), TrackingError if
/// `destination` exists, StorageError if the artifact root cannot be written.
WrittenFile copy_file_exclusively(const std::filesystem::path& source,
                                  const std::filesystem::path& destination);

/// Writes `content` to `destination` like copy_file_exclusively().
WrittenFile write_file_exclusively(std::string_view content,
                                   const std::filesystem::path& destination);

/// Removes `file`, and its directory if that is left empty. Throws StorageError if the file
/// exists and cannot be removed.
void remove_artifact_file(const std::filesystem::path& file);

}  // namespace cairn::tracking
