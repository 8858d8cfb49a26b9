#pragma once
/// @file io_manager.hpp
/// IO managers store an asset's value after its step computes it and load it for a downstream
/// step that runs in another run or process (re-execution). Values never go into the metadata
/// database; the materialization event records the URI the IO manager returns.
///
/// Built in, always available: "fs" (the default: one file per asset under the instance's
/// `storage/` directory, written atomically) and "memory" (values live in the process only).

#include <memory>
#include <string>
#include <string_view>

#include "cairn/codec.hpp"

namespace cairn {

/// Which value an IO manager is asked to store or load.
struct ValueRef {
  std::string asset_key;
  std::string partition_key;  ///< empty when the asset is not partitioned
  std::string run_id;         ///< the run storing (or that stored) the value
  const ValueCodec* codec = nullptr;
};

/// Implementations must be safe for concurrent calls from several steps.
class IOManager {
 public:
  virtual ~IOManager() = default;
  /// Stores `value` and returns a URI that `load` understands. Must be atomic: after a crash the
  /// previous value or the new one is there, never a partial one.
  virtual std::string store(const ValueRef& ref, const AnyValue& value) = 0;
  /// Loads the value stored at `uri`; throws cairn::NotFoundError if it is gone.
  virtual AnyValue load(const ValueRef& ref, std::string_view uri) = 0;
};

/// One file per asset (and partition) under `root`: `root/<asset key>.value`, replaced
/// atomically by writing a temporary file and renaming it.
std::shared_ptr<IOManager> make_filesystem_io_manager(const std::string& root);

/// Keeps values in this process's memory; nothing survives the process.
std::shared_ptr<IOManager> make_memory_io_manager();

}  // namespace cairn
