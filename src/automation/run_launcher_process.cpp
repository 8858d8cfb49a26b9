#include "automation/run_launcher_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cairn/error.hpp"

namespace cairn {

namespace {

std::filesystem::path own_executable() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw Error("cannot find this program's own binary (/proc/self/exe): " + error.message());
  }
  return path;
}

// Between fork and exec only async-signal-safe calls: everything is prepared before the fork.
[[noreturn]] void exec_child(const char* log, char* const* argv, int report_fd) {
  const int log_fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd >= 0 && null_fd >= 0 && ::dup2(null_fd, STDIN_FILENO) >= 0 &&
      ::dup2(log_fd, STDOUT_FILENO) >= 0 && ::dup2(log_fd, STDERR_FILENO) >= 0) {
    ::execv(argv[0], argv);
  }
  const int error = errno;
  [[maybe_unused]] auto written = ::write(report_fd, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

ProcessRunLauncher::ProcessRunLauncher(std::filesystem::path home, std::filesystem::path executable)
    : home_(std::move(home)),
      executable_(executable.empty() ? own_executable() : std::move(executable)) {}

std::filesystem::path ProcessRunLauncher::log_path(const std::string& run_id) const {
  return home_ / "logs" / (run_id + ".log");
}

void ProcessRunLauncher::launch(const RunRecord& run) {
  const std::filesystem::path log = log_path(run.run_id);
  std::error_code error;
  std::filesystem::create_directories(log.parent_path(), error);
  if (error) {
    throw Error("cannot create the run log directory " + log.parent_path().string() + ": " +
                error.message());
  }
  std::vector<std::string> args{
      executable_.string(), "--home", home_.string(), "runs", "execute", run.run_id};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_text = log.string();

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    throw Error("cannot launch run " + run.run_id + ": pipe: " + std::strerror(errno));
  }
  const pid_t child = ::fork();
  if (child < 0) {
    const int fork_error = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw Error("cannot launch run " + run.run_id + ": fork: " + std::strerror(fork_error));
  }
  if (child == 0) {
    ::close(report[0]);
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild < 0) {
      const int fork_error = errno;
      [[maybe_unused]] auto written = ::write(report[1], &fork_error, sizeof fork_error);
      ::_exit(127);
    }
    if (grandchild == 0) exec_child(log_text.c_str(), argv.data(), report[1]);
    ::_exit(0);
  }
  ::close(report[1]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  // The pipe reaches end-of-file when the grandchild's exec succeeded (close-on-exec) or it
  // exited; an errno value means it failed.
  int child_error = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &child_error, sizeof child_error);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_error)) {
    throw Error("cannot launch run " + run.run_id + " with " + executable_.string() + ": " +
                std::strerror(child_error) + " (log: " + log_text + ")");
  }
}

}  // namespace cairn
