#pragma once
/// @file cli.hpp

#include "cairn/definitions.hpp"

namespace cairn {

/// Exit codes of every pipeline binary (docs/cli.md).
enum class ExitCode : int {
  kSuccess = 0,
  kRunFailed = 1,    ///< the run ended FAILURE
  kUsage = 2,        ///< bad command line, selection, config or definitions; nothing was changed
  kInstance = 3,     ///< the instance directory or database cannot be used
  kNotFound = 4,     ///< the run (or asset) asked for does not exist
  kRunCanceled = 5,  ///< the run ended CANCELED
};

/// Turns the binary into the pipeline's command line: `list`, `graph`, `materialize`, `runs`,
/// `status`, `experiments`, `tracking`, `models`. Returns the process exit code.
/// @code
///   int main(int argc, char** argv) { return cairn::run_cli(defs, argc, argv); }
/// @endcode
int run_cli(const Definitions& defs, int argc, char** argv);

}  // namespace cairn
