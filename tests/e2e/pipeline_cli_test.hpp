#pragma once
// A test that drives one pipeline binary through its command line, as a user would, on a fresh
// directory of its own (removed when the test ends). The instance is `home_ / "instance"`.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "e2e/process.hpp"

namespace cairn::testing {

class PipelineCliTest : public ::testing::Test {
 protected:
  explicit PipelineCliTest(std::string binary_name) : binary_name_(std::move(binary_name)) {}

  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() /
            ("cairn-" + binary_name_ + "-e2e-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(home_);
    std::filesystem::create_directories(home_);
    binary_ = bin_dir() + "/" + binary_name_;
    ASSERT_TRUE(std::filesystem::exists(binary_))
        << binary_ << " is missing: build " << binary_name_;
  }
  // A run process the daemon launched may still be closing its database after its run was
  // recorded finished (SQLite removes its -wal and -shm files then), so the removal is retried
  // while the tree changes underneath it.
  void TearDown() override {
    for (int attempt = 1;; ++attempt) {
      std::error_code error;
      std::filesystem::remove_all(home_, error);
      if (!error) return;
      if (attempt == 100) {
        FAIL() << "cannot remove " << home_ << ": " << error.message();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // What every command of the test sees in its environment besides CAIRN_HOME.
  virtual std::map<std::string, std::string> environment() const { return {}; }

  std::filesystem::path instance() const { return home_ / "instance"; }

  // Runs the pipeline with `args`; `env` adds to (and overrides) environment().
  ProcessResult cli(std::vector<std::string> args,
                    const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), binary_);
    std::map<std::string, std::string> all = environment();
    for (const auto& [name, value] : env) all[name] = value;
    all["CAIRN_HOME"] = instance().string();
    return run_process(args, all);
  }

  // Runs the pipeline with `args --json`, expects `expected_exit`, and parses what it printed.
  nlohmann::json cli_json(std::vector<std::string> args, int expected_exit = 0,
                          const std::map<std::string, std::string>& env = {}) {
    args.push_back("--json");
    ProcessResult r = cli(std::move(args), env);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return nlohmann::json();
    }
  }

  // The daemon launches queued runs as processes of their own. Waits (up to a minute) until
  // `count` runs it launched for automation have finished, so that no run process still writes
  // to the instance when the test goes on or removes it; returns them, newest first.
  nlohmann::json finished_automation_runs(std::size_t count) {
    nlohmann::json runs;
    for (int attempt = 0; attempt < 600; ++attempt) {
      runs = cli_json({"runs", "list", "--tag", "cairn/automation=automation"});
      bool done = runs.size() >= count;
      for (const auto& r : runs) {
        done = done && (r["status"] == "SUCCESS" || r["status"] == "FAILURE");
      }
      if (done) break;
      usleep(100'000);
    }
    return runs;
  }

  std::filesystem::path home_;
  std::string binary_;

 private:
  std::string binary_name_;
};

}  // namespace cairn::testing
