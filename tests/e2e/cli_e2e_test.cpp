// The hello pipeline's command line, driven as a user drives it: real processes, a real instance
// directory, real signals (SIGKILL, SIGINT) and a second process cancelling a run.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/process.hpp"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class HelloCli : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("cairn-e2e-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    binary_ = bin_dir() + "/hello";
    ASSERT_TRUE(fs::exists(binary_)) << binary_ << " is missing: build the hello example";
  }
  void TearDown() override { fs::remove_all(home_); }

  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) {
    extra["CAIRN_HOME"] = home_.string();
    return extra;
  }

  ProcessResult cli(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
    args.insert(args.begin(), binary_);
    return run_process(args, env(std::move(extra)));
  }

  json cli_json(std::vector<std::string> args) {
    auto r = cli(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  std::string write_file(const std::string& name, const std::string& content) {
    fs::create_directories(home_.parent_path());
    fs::path p = home_.string() + "-" + name;
    std::ofstream(p) << content;
    files_.push_back(p);
    return p.string();
  }

  json latest_run() { return cli_json({"runs", "list", "--json"}).at(0); }

  // Polls until the newest run has started `step` (a STEP_START event), or fails the test.
  std::string wait_for_step_start(const std::string& step) {
    for (int i = 0; i < 2000; ++i) {
      auto runs = cli({"runs", "list", "--json"});
      if (runs.exit_code == 0 && !json::parse(runs.out).empty()) {
        std::string id = json::parse(runs.out)[0]["run_id"];
        auto logs = cli({"runs", "logs", id, "--step", step, "--json"});
        if (logs.exit_code == 0) {
          for (const auto& e : json::parse(logs.out)) {
            if (e["type"] == "STEP_START") return id;
          }
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "step " << step << " never started";
    return "";
  }

  // Starts `materialize -s selection` with the sleeper sleeping `sleep_ms`, in the background,
  // and returns once the sleeper has started (run id in `run_id`).
  std::unique_ptr<Process> start_sleeping_run(const std::string& selection, int sleep_ms,
                                              std::string& run_id) {
    std::string config = write_file("sleep.json", R"({"assets": {"slow/sleeper": {"sleep_ms": )" +
                                                      std::to_string(sleep_ms) + "}}}");
    auto p = std::make_unique<Process>(
        std::vector<std::string>{binary_, "materialize", "-s", selection, "--config", config},
        env());
    run_id = wait_for_step_start("slow/sleeper");
    return p;
  }

  ~HelloCli() override {
    for (const auto& f : files_) fs::remove(f);
  }

  fs::path home_;
  std::string binary_;
  std::vector<fs::path> files_;
};

TEST_F(HelloCli, ListAndGraphDescribeThePipeline) {
  auto r = cli({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stats/stddev"), std::string::npos);
  EXPECT_NE(r.out.find("numbers, stats/mean"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Everything the report needs"), std::string::npos);
  json listed = cli_json({"list", "--json"});
  EXPECT_EQ(listed["assets"].size(), 7u);
  EXPECT_EQ(listed["jobs"][0]["name"], "stats");

  r = cli({"graph"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("└── report"), std::string::npos) << r.out;
  r = cli({"graph", "--format", "dot", "--select", "*report"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("digraph"), std::string::npos);
  EXPECT_EQ(r.out.find("sleeper"), std::string::npos);
  json g = cli_json({"graph", "--format", "json", "-s", "numbers+"});
  EXPECT_EQ(g["assets"].size(), 5u);  // numbers, total, mean, stddev, and the sleeper (after)
  // Nothing was written by read-only commands on definitions.
  EXPECT_FALSE(fs::exists(home_));
}

TEST_F(HelloCli, MaterializeRecordsRunsEventsValuesAndStatus) {
  auto r = cli({"materialize", "--select", "*", "--tag", "purpose=test"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("STEP_RETRY"), std::string::npos);  // the weather feed's first attempt
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos);

  json run = latest_run();
  EXPECT_EQ(run["status"], "SUCCESS");
  EXPECT_EQ(run["tags"]["purpose"], "test");
  EXPECT_EQ(run["steps"].size(), 7u);
  std::string id = run["run_id"];

  json logs = cli_json({"runs", "logs", id, "--json"});
  int retries = 0, user_logs = 0;
  for (const auto& e : logs) {
    retries += e["type"] == "STEP_RETRY";
    user_logs += e["type"] == "LOG";
  }
  EXPECT_EQ(retries, 1);
  EXPECT_GE(user_logs, 2);
  json weather = cli_json({"runs", "logs", id, "--step", "ingest/weather_feed", "--json"});
  for (const auto& e : weather) EXPECT_EQ(e["step"], "ingest/weather_feed");

  json status = cli_json({"status", "--json"});
  ASSERT_EQ(status.size(), 7u);
  for (const auto& a : status) EXPECT_EQ(a["status"], "fresh") << a.dump();
  json numbers = status[0];
  EXPECT_EQ(numbers["asset"], "numbers");
  EXPECT_EQ(numbers["latest"]["materialization"]["metadata"]["count"]["value"], 1000);
  EXPECT_EQ(numbers["latest"]["run_id"], id);

  // Values live in files under the instance, written by the filesystem IO manager.
  EXPECT_TRUE(fs::exists(home_ / "storage" / "stats" / "mean.value"));
  std::ifstream report(home_ / "storage" / "report.value");
  std::string text((std::istreambuf_iterator<char>(report)), {});
  EXPECT_NE(text.find("weather=sunny"), std::string::npos) << text;

  auto show = cli({"runs", "show", id.substr(0, 8)});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("count=1000"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("of it in the assets' own code"), std::string::npos) << show.out;
  // The assets' own time is a part of the steps' time; the rest is what cairn added.
  json shown = cli_json({"runs", "show", id, "--json"});
  EXPECT_GT(shown["steps_ms"].get<double>(), 0.0) << shown.dump();
  EXPECT_GE(shown["asset_code_ms"].get<double>(), 0.0) << shown.dump();
  EXPECT_LE(shown["asset_code_ms"].get<double>(), shown["steps_ms"].get<double>() + 1.0)
      << shown.dump();
}

TEST_F(HelloCli, JobsApplyTheirConfigAndTags) {
  auto r = cli({"materialize", "--job", "stats"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json run = latest_run();
  EXPECT_EQ(run["job"], "stats");
  EXPECT_EQ(run["tags"]["team"], "demo");
  EXPECT_EQ(run["config"]["assets"]["numbers"]["count"], 500);
  EXPECT_EQ(run["steps"].size(), 6u);  // *report: not the sleeper
  json status = cli_json({"status", "--json", "--select", "numbers"});
  EXPECT_EQ(status[0]["latest"]["materialization"]["metadata"]["count"]["value"], 500);
}

TEST_F(HelloCli, FailureSkipsDownstreamAndReexecutionRerunsOnlyWhatFailed) {
  auto r = cli({"materialize", "-s", "*report"}, {{"HELLO_FAIL", "stats/mean"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("simulated outage"), std::string::npos);
  EXPECT_NE(r.out.find("runs reexecute"), std::string::npos);
  json parent = latest_run();
  EXPECT_EQ(parent["status"], "FAILURE");
  std::string parent_id = parent["run_id"];
  json shown = cli_json({"runs", "show", parent_id, "--json"});
  std::map<std::string, std::string> step_status;
  for (const auto& s : shown["step_status"]) step_status[s["step"]] = s["status"];
  EXPECT_EQ(step_status["stats/mean"], "FAILURE");
  EXPECT_EQ(step_status["stats/stddev"], "SKIPPED");
  EXPECT_EQ(step_status["report"], "SKIPPED");
  EXPECT_EQ(step_status["stats/total"], "SUCCESS");

  r = cli({"runs", "reexecute", parent_id, "--from-failure"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json child = latest_run();
  EXPECT_EQ(child["status"], "SUCCESS");
  EXPECT_EQ(child["parent_run_id"], parent_id);
  EXPECT_EQ(child["root_run_id"], parent_id);
  std::vector<std::string> steps = child["steps"];
  EXPECT_EQ(steps, (std::vector<std::string>{"stats/mean", "stats/stddev", "report"}));
  json logs = cli_json({"runs", "logs", child["run_id"], "--json"});
  std::set<std::string> started, loaded;
  for (const auto& e : logs) {
    if (e["type"] == "STEP_START") started.insert(e["step"]);
    if (e["type"] == "STEP_INPUT_LOADED") loaded.insert(e["payload"]["input"].get<std::string>());
  }
  EXPECT_FALSE(started.contains("numbers"));  // loaded from storage, not recomputed
  EXPECT_TRUE(loaded.contains("numbers"));
  EXPECT_TRUE(loaded.contains("stats/total"));
  EXPECT_TRUE(loaded.contains("ingest/weather_feed"));

  // A successful run has nothing to re-execute.
  r = cli({"runs", "reexecute", child["run_id"], "--from-failure"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no failed or skipped step"), std::string::npos) << r.err;
}

TEST_F(HelloCli, AKilledRunIsMarkedFailedAndCanBeReexecuted) {
  std::string id;
  auto p = start_sleeping_run("*", 1500, id);
  ASSERT_FALSE(id.empty());
  p->signal(SIGKILL);
  EXPECT_EQ(p->wait().exit_code, -SIGKILL);

  json run = latest_run();  // listing finds the dead run
  EXPECT_EQ(run["status"], "FAILURE");
  EXPECT_NE(run["failure_reason"].get<std::string>().find("killed or crashed"), std::string::npos)
      << run.dump();
  json shown = cli_json({"runs", "show", id, "--json"});
  std::map<std::string, std::string> step_status;
  for (const auto& s : shown["step_status"]) step_status[s["step"]] = s["status"];
  EXPECT_EQ(step_status["slow/sleeper"], "FAILURE");
  EXPECT_EQ(step_status["numbers"], "SUCCESS");
  json status = cli_json({"status", "--json", "-s", "numbers"});
  EXPECT_EQ(status[0]["status"], "fresh");

  auto r = cli({"runs", "reexecute", id, "--from-failure"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json child = latest_run();
  EXPECT_EQ(child["status"], "SUCCESS");
  std::vector<std::string> steps = child["steps"];
  EXPECT_TRUE(std::find(steps.begin(), steps.end(), "slow/sleeper") != steps.end());
  EXPECT_TRUE(std::find(steps.begin(), steps.end(), "numbers") == steps.end());
}

TEST_F(HelloCli, RunsCancelStopsARunInAnotherProcess) {
  std::string id;
  auto p = start_sleeping_run("numbers+", 60000, id);
  ASSERT_FALSE(id.empty());
  auto cancel = cli({"runs", "cancel", id});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("ended CANCELED"), std::string::npos) << cancel.out;
  auto result = p->wait(30s);
  EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
  EXPECT_EQ(latest_run()["status"], "CANCELED");
  auto again = cli({"runs", "cancel", id});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already finished"), std::string::npos);
}

TEST_F(HelloCli, SigintCancelsTheRunCleanly) {
  std::string id;
  auto p = start_sleeping_run("+slow/sleeper", 60000, id);
  ASSERT_FALSE(id.empty());
  p->signal(SIGINT);
  auto result = p->wait(30s);
  EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
  json run = latest_run();
  EXPECT_EQ(run["status"], "CANCELED");
  json logs = cli_json({"runs", "logs", id, "--json"});
  bool canceling = false;
  for (const auto& e : logs) canceling |= e["type"] == "RUN_CANCELING";
  EXPECT_TRUE(canceling);
}

TEST_F(HelloCli, BadInputIsRejectedClearlyWithoutChangingState) {
  ASSERT_EQ(cli({"materialize", "-s", "numbers"}).exit_code, 0);
  auto runs_before = cli({"runs", "list", "--json"}).out;

  std::string bad_json =
      write_file("bad.json", "{\n  \"assets\": {\"numbers\": {\"count\": 5,}}\n}");
  auto r = cli({"materialize", "-s", "numbers", "--config", bad_json});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;

  std::string unknown_key = write_file("key.json", R"({"assets": {"numbers": {"cout": 5}}})");
  r = cli({"materialize", "-s", "numbers", "--config", unknown_key});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("asset 'numbers'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'count'?"), std::string::npos) << r.err;

  std::string wrong_type = write_file("type.json", R"({"assets": {"numbers": {"count": "many"}}})");
  r = cli({"materialize", "-s", "numbers", "--config", wrong_type});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must be int"), std::string::npos) << r.err;

  r = cli({"materialize", "-s", "*stats/meen"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'stats/mean'?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;

  r = cli({"materialize", "-s", "numbers", "--config", "/nonexistent/config.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read config file"), std::string::npos);

  r = cli({"runs", "show", "ffffffff-0000"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("no run"), std::string::npos) << r.err;

  EXPECT_EQ(cli({"runs", "list", "--json"}).out, runs_before);
}

TEST_F(HelloCli, UnusableInstancesAreRefusedAndLeftUntouched) {
  fs::create_directories(home_);
  {
    std::ofstream db(home_ / "cairn.db");
    db << "this is not a database";
  }
  auto r = cli({"status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cairn.db"), std::string::npos) << r.err;
  std::ifstream db(home_ / "cairn.db");
  std::string content((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(content, "this is not a database");

  std::string file = write_file("plain-file", "x");
  r = run_process({binary_, "status"}, {{"CAIRN_HOME", file + "/home"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("CAIRN_HOME"), std::string::npos) << r.err;
}

TEST_F(HelloCli, MissingUpstreamValuesAreReportedBeforeAnythingRuns) {
  auto r = cli({"materialize", "-s", "report"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has never been materialized"), std::string::npos) << r.err;
  EXPECT_TRUE(cli_json({"runs", "list", "--json"}).empty());
}

TEST_F(HelloCli, HelpIsAvailableEverywhere) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"materialize", "--help"},
                                        {"runs", "--help"},
                                        {"runs", "reexecute", "--help"},
                                        {"status", "--help"},
                                        {"graph", "--help"}}) {
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
  EXPECT_EQ(cli({"frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace cairn::testing
