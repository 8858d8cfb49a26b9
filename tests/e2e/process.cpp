#include "e2e/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "file_contents.hpp"

namespace cairn::testing {

namespace {
std::atomic<int> g_counter{0};
}  // namespace

std::string bin_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

Process::Process(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  std::string base = std::filesystem::temp_directory_path() /
                     ("cairn-proc-" + std::to_string(getpid()) + "-" + std::to_string(g_counter++));
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null_in = open("/dev/null", O_RDONLY);
    dup2(out, 1);
    dup2(err, 2);
    dup2(null_in, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

Process::~Process() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void Process::signal(int sig) {
  kill(pid_, sig);
}

std::string Process::out_so_far() const {
  return file_contents(out_path_);
}

ProcessResult Process::wait(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  waited_ = true;
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  result.out = file_contents(out_path_);
  result.err = file_contents(err_path_);
  return result;
}

ProcessResult run_process(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          std::chrono::seconds timeout) {
  Process p(args, env);
  return p.wait(timeout);
}

}  // namespace cairn::testing
