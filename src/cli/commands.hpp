#pragma once
// The commands of a pipeline binary, one file each. Each `add_*` registers its subcommand and,
// when that subcommand is parsed, sets `action` to the function that runs it and returns the
// exit code.

#include <functional>

#include "cli/cli_env.hpp"

namespace CLI {
class App;
}

namespace cairn {

using CommandAction = std::function<int()>;

void add_list_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_graph_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_materialize_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_runs_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_status_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_experiments_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_tracking_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_models_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_daemon_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_schedules_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_sensors_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_partitions_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_check_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_observe_command(CLI::App& app, CliEnv& env, CommandAction& action);
/// `runs execute RUN_ID` (hidden); call after add_runs_command.
void add_runs_execute_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_backfill_command(CLI::App& app, CliEnv& env, CommandAction& action);
void add_history_command(CLI::App& app, CliEnv& env, CommandAction& action);

struct LaunchRequest;
struct LaunchResult;

/// Launches `request` with live progress, then prints the outcome; returns the exit code.
int run_with_progress(CliEnv& env, const LaunchRequest& request, bool as_json);
int print_run_outcome(CliEnv& env, const LaunchResult& result, bool as_json);

/// Exit code for a run's final status.
int exit_code_for(RunStatus status);

/// Parses "k=v" tags given on the command line; throws ConfigError on a malformed one.
std::map<std::string, std::string> parse_tags(const std::vector<std::string>& tags);

}  // namespace cairn
