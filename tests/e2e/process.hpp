#pragma once
// Runs a program as a user would (fork + exec), with extra environment variables, capturing its
// output into files; for end-to-end tests of pipeline binaries.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace cairn::testing {

struct ProcessResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};

/// Directory holding the test executables and the pipeline binaries (build/bin).
std::string bin_dir();

class Process {
 public:
  /// Starts `args[0]` (a path) with `args`; `env` is added to this process's environment.
  Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  /// Waits for the process to end (killing it after `timeout`) and returns its result.
  ProcessResult wait(std::chrono::seconds timeout = std::chrono::seconds(120));
  /// What it has written to stdout so far.
  std::string out_so_far() const;

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  bool waited_ = false;
};

/// Starts and waits.
ProcessResult run_process(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace cairn::testing
