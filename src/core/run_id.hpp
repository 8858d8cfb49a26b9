#pragma once

#include <string>

namespace cairn {

/// A new random run id (a UUID, version 4): unique across processes and machines, so that any
/// process (the CLI, the daemon, a backfill) can create runs without coordination.
std::string new_run_id();

}  // namespace cairn
