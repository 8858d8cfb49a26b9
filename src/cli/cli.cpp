#include "cairn/cli.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"

namespace cairn {

int exit_code_for(RunStatus status) {
  switch (status) {
    case RunStatus::kSuccess:
      return static_cast<int>(ExitCode::kSuccess);
    case RunStatus::kCanceled:
      return static_cast<int>(ExitCode::kRunCanceled);
    default:
      return static_cast<int>(ExitCode::kRunFailed);
  }
}

std::map<std::string, std::string> parse_tags(const std::vector<std::string>& tags) {
  std::map<std::string, std::string> parsed;
  for (const auto& tag : tags) {
    auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError("tag '" + tag + "' is not of the form KEY=VALUE");
    }
    parsed[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return parsed;
}

int run_cli(const Definitions& defs, int argc, char** argv) {
  std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "pipeline";
  CliEnv env(defs, program, std::cout, std::cerr);
  CLI::App app{
      "The command line of this cairn pipeline. Exit codes: 0 success, 1 run failed, "
      "2 bad input, 3 instance unusable, 4 not found, 5 run canceled.",
      program};
  app.require_subcommand(1);
  app.fallthrough();  // --home may also follow the subcommand
  std::string home;
  app.add_option("--home", home,
                 "Instance directory (default: $CAIRN_HOME, or ./.cairn when it is not set)");

  CommandAction action;
  add_list_command(app, env, action);
  add_graph_command(app, env, action);
  add_materialize_command(app, env, action);
  add_runs_command(app, env, action);
  add_status_command(app, env, action);
  add_experiments_command(app, env, action);
  add_tracking_command(app, env, action);
  add_models_command(app, env, action);
  add_daemon_command(app, env, action);
  add_schedules_command(app, env, action);
  add_sensors_command(app, env, action);
  add_partitions_command(app, env, action);
  add_check_command(app, env, action);
  add_observe_command(app, env, action);
  add_runs_execute_command(app, env, action);
  add_backfill_command(app, env, action);
  add_history_command(app, env, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return static_cast<int>(ExitCode::kUsage);
  }
  env.set_home(home);
  auto fail = [&](const std::exception& e, ExitCode code) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(code);
  };
  try {
    return action ? action() : static_cast<int>(ExitCode::kUsage);
  } catch (const NotFoundError& e) {
    return fail(e, ExitCode::kNotFound);
  } catch (const StorageError& e) {
    return fail(e, ExitCode::kInstance);
  } catch (const Error& e) {
    return fail(e, ExitCode::kUsage);
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kRunFailed);
  }
}

}  // namespace cairn
