// Design note: the command is started with posix_spawn (no shell quoting of our own: the command
// text goes to /bin/sh -c as one argument, the alert as data on stdin and in the environment).
// Its stdin is a socket rather than a pipe so that writing to a command that exits without
// reading it is an EPIPE error (send with MSG_NOSIGNAL), not a SIGPIPE that kills the daemon.
// The loop polls the output and the stdin socket, and reaps the shell every few milliseconds:
// the command is finished when the shell exits, even if a background child it started keeps
// the output open. Rejected: popen (one direction only, a shell quoting the environment, no
// timeout) and waiting for end-of-file on the output (blocks on such background children).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "automation/alert_delivery.hpp"
#include "cairn/error.hpp"

extern char** environ;

namespace cairn {
namespace {

constexpr std::size_t kOutputTail = 2000;          // bytes of output kept for the message
constexpr std::size_t kOutputShown = 500;          // of which shown in the message
constexpr std::chrono::milliseconds kReapPoll{5};  // how often the shell's exit is checked

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string describe(const std::string& command) {
  return "alert command `" + command + "`";
}

[[noreturn]] void fail_to_start(const std::string& command, const std::string& what, int error) {
  throw Error("cannot start " + describe(command) + ": " + what + ": " + std::strerror(error));
}

// The environment of the command: ours, with the alert's variables replacing any of the same name.
std::vector<std::string> command_environment(const RunInfo& run) {
  const std::array<std::pair<std::string, std::string>, 4> alert_vars{{
      {"CAIRN_RUN_ID", run.run_id},
      {"CAIRN_RUN_STATUS", run.status},
      {"CAIRN_JOB", run.job_name},
      {"CAIRN_FAILURE_REASON", run.failure_reason},
  }};
  std::vector<std::string> env;
  for (char** var = environ; var != nullptr && *var != nullptr; ++var) {
    std::string_view entry(*var);
    const bool replaced = std::any_of(alert_vars.begin(), alert_vars.end(), [&](const auto& v) {
      return entry.size() > v.first.size() && entry.starts_with(v.first) &&
             entry[v.first.size()] == '=';
    });
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [name, value] : alert_vars) env.push_back(name + "=" + value);
  return env;
}

std::string trimmed_tail(const std::string& output) {
  std::string tail =
      output.size() > kOutputShown ? output.substr(output.size() - kOutputShown) : output;
  while (!tail.empty() && std::isspace(static_cast<unsigned char>(tail.back()))) tail.pop_back();
  if (tail.empty()) return "; it wrote nothing";
  return "; its output ends with: " + tail;
}

// Starts the shell; the returned pid leads a process group of its own.
pid_t spawn_shell(const std::string& command, int stdin_fd, int output_fd,
                  std::vector<std::string> env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a timeout kills what the shell started too; default signal
  // dispositions and no blocked signals whatever the daemon's threads have set.
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::string shell = "/bin/sh";
  std::string dash_c = "-c";
  std::string text = command;
  std::array<char*, 4> argv{shell.data(), dash_c.data(), text.data(), nullptr};
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, shell.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) fail_to_start(command, "posix_spawn /bin/sh", error);
  return pid;
}

}  // namespace

void run_alert_command(const std::string& command, const RunInfo& run, std::string_view json,
                       std::chrono::milliseconds timeout) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    fail_to_start(command, "socketpair", errno);
  }
  Fd input(sockets[0]);
  Fd child_input(sockets[1]);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail_to_start(command, "pipe", errno);
  Fd output(pipe_fds[0]);
  Fd child_output(pipe_fds[1]);
  ::fcntl(input.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(output.get(), F_SETFL, O_NONBLOCK);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const pid_t pid =
      spawn_shell(command, child_input.get(), child_output.get(), command_environment(run));
  child_input.reset();
  child_output.reset();

  std::size_t sent = 0;
  if (json.empty()) input.reset();
  std::string captured;
  int status = 0;
  bool exited = false;
  bool timed_out = false;
  while (!exited) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      timed_out = true;
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::array<pollfd, 2> fds{};
    nfds_t count = 0;
    if (output.get() >= 0) fds[count++] = {.fd = output.get(), .events = POLLIN, .revents = 0};
    if (input.get() >= 0) fds[count++] = {.fd = input.get(), .events = POLLOUT, .revents = 0};
    const auto wait =
        std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), kReapPoll);
    if (::poll(fds.data(), count, static_cast<int>(wait.count()) + 1) < 0 && errno != EINTR) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw Error(describe(command) + ": poll: " + std::strerror(errno));
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == output.get()) {
        char buffer[4096];
        const ssize_t n = ::read(output.get(), buffer, sizeof buffer);
        if (n > 0) {
          captured.append(buffer, static_cast<std::size_t>(n));
          if (captured.size() > kOutputTail) captured.erase(0, captured.size() - kOutputTail);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          output.reset();
        }
      } else {
        const ssize_t n = ::send(input.get(), json.data() + sent, json.size() - sent,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) sent += static_cast<std::size_t>(n);
        // Done, or the command closed its stdin without reading it all: its choice.
        if (sent == json.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) input.reset();
      }
    }
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    exited = reaped == pid;
  }
  // What the command wrote just before it exited (bounded: a background child it left may
  // still be writing).
  for (int i = 0; exited && output.get() >= 0 && i < 16; ++i) {
    char buffer[4096];
    const ssize_t n = ::read(output.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    captured.append(buffer, static_cast<std::size_t>(n));
  }

  if (timed_out) {
    throw Error(describe(command) + " did not finish within " + std::to_string(timeout.count()) +
                " ms and was killed" + trimmed_tail(captured));
  }
  if (WIFSIGNALED(status)) {
    throw Error(describe(command) + " was killed by signal " + std::to_string(WTERMSIG(status)) +
                trimmed_tail(captured));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    throw Error(describe(command) + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                trimmed_tail(captured));
  }
}

}  // namespace cairn
