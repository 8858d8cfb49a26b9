#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <nlohmann/json.hpp>
#include <ostream>

#include "automation/daemon.hpp"
#include "automation/run_queue.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/run_launcher.hpp"

namespace cairn {
namespace {

std::atomic<bool> g_stop_requested{false};

void request_stop(int) {
  g_stop_requested.store(true);
}

// Turns SIGINT and SIGTERM into a stop request for as long as it lives.
class StopSignals {
 public:
  StopSignals() {
    g_stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

nlohmann::json tick_json(const TickRecord& tick) {
  return {{"id", tick.id},
          {"instigator", tick.instigator},
          {"kind", std::string(to_string(tick.kind))},
          {"tick_time", tick.tick_time},
          {"status", std::string(to_string(tick.status))},
          {"run_ids", tick.run_ids},
          {"run_keys", tick.run_keys},
          {"skip_reason", tick.skip_reason},
          {"error", tick.error}};
}

void print_iteration(CliEnv& env, const DaemonIteration& it, bool as_json) {
  if (as_json) {
    nlohmann::json ticks = nlohmann::json::array();
    for (const auto& tick : it.ticks) ticks.push_back(tick_json(tick));
    nlohmann::json out{
        {"has_lease", it.has_lease},
        {"ticks", ticks},
        {"created_run_ids", it.created_run_ids},
        {"duplicate_run_keys", it.duplicate_run_keys},
        {"next_due", iso_utc(std::chrono::floor<std::chrono::seconds>(it.next_due))}};
    env.out() << out.dump(2) << "\n";
    return;
  }
  if (!it.has_lease) {
    env.out() << "another daemon holds the lease on this instance; did nothing\n";
    return;
  }
  if (it.ticks.empty()) env.out() << "nothing was due\n";
  for (const auto& tick : it.ticks) {
    env.out() << to_string(tick.kind) << " " << tick.instigator << ": " << to_string(tick.status);
    if (!tick.run_ids.empty()) env.out() << ", queued " << tick.run_ids.size() << " run(s)";
    if (!tick.skip_reason.empty()) env.out() << " (" << tick.skip_reason << ")";
    if (!tick.error.empty()) env.out() << ": " << tick.error;
    env.out() << "\n";
  }
  env.out() << "next due: " << iso_utc(std::chrono::floor<std::chrono::seconds>(it.next_due))
            << "\n";
}

}  // namespace

void add_daemon_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  struct Options {
    bool once = false;
    bool json = false;
    int lease_ttl = 30;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "daemon",
      "Run the automation daemon: schedules, sensors, automation conditions and the run queue, "
      "until SIGINT or SIGTERM");
  cmd->add_flag("--once", options->once, "Do one iteration, print what it did, and exit");
  cmd->add_flag("--json", options->json, "With --once: print the iteration as JSON");
  cmd->add_option("--lease-ttl", options->lease_ttl,
                  "Seconds the daemon lease outlives its last renewal (default 30); another "
                  "daemon takes over this long after this one dies")
      ->check(CLI::Range(1, 3600));
  cmd->callback([&env, &action, options] {
    action = [&env, options] {
      Instance& instance = env.instance();
      const AssetGraph& graph = env.graph();
      SystemClock clock;
      ProcessRunLauncher launcher(instance.home());
      RunQueue run_queue(instance, env.definitions().run_queue, launcher, new_run_id);
      DaemonOptions daemon_options{.lease_ttl = std::chrono::seconds(options->lease_ttl)};
      if (!options->once) {
        daemon_options.log = [&env](std::string_view line) {
          auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
          env.out() << iso_utc(now) << " " << line << std::endl;
        };
      }
      Daemon daemon(instance.storage(), graph, clock, std::move(daemon_options), run_queue);
      if (options->once) {
        print_iteration(env, daemon.run_once(clock.now()), options->json);
        return 0;
      }
      StopSignals signals;
      env.out() << "daemon " << daemon.owner() << " started on " << instance.home().string()
                << std::endl;
      daemon.run(g_stop_requested);
      env.out() << "daemon stopped" << std::endl;
      return 0;
    };
  });
}

}  // namespace cairn
