#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "automation/schedule_evaluator.hpp"
#include "automation/sensor_evaluator.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "core/suggest.hpp"

namespace cairn {
namespace {

struct InstigatorOptions {
  std::string name;
  int limit = 20;
  bool json = false;
};

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}

template <class T>
const T& find_named(const std::vector<T>& items, const std::string& name, const char* what) {
  std::vector<std::string> names;
  for (const T& item : items) {
    if (item.name == name) return item;
    names.push_back(item.name);
  }
  throw NotFoundError(std::string("no ") + what + " '" + name + "'" + did_you_mean(name, names) +
                      "; known " + what + "s: " + join(names));
}

// The stored state, or the one the daemon would start with.
InstigatorState state_or_default(CliEnv& env, const std::string& name, InstigatorKind kind,
                                 bool running_by_default) {
  if (auto stored = env.instance().storage().automation().instigator_state(name)) return *stored;
  return {.name = name, .kind = kind, .running = running_by_default, .cursor = "", .updated_at = 0};
}

void set_running(CliEnv& env, const std::string& name, InstigatorKind kind, bool default_running,
                 bool running) {
  InstigatorState state = state_or_default(env, name, kind, default_running);
  double now = to_epoch_seconds(std::chrono::system_clock::now());
  // A schedule started again counts its ticks from now: the stopped period is not caught up.
  if (kind == InstigatorKind::kSchedule && running && !state.running) {
    state.cursor = std::to_string(static_cast<std::int64_t>(now));
  }
  state.running = running;
  state.updated_at = now;
  env.instance().storage().automation().set_instigator_state(state);
  env.out() << (kind == InstigatorKind::kSchedule ? "schedule '" : "sensor '") << name << "' "
            << (running ? "started" : "stopped") << "\n";
}

nlohmann::json tick_json(const TickRecord& tick) {
  return {{"id", tick.id},
          {"tick_time", tick.tick_time},
          {"started_at", tick.started_at},
          {"ended_at", tick.ended_at},
          {"status", std::string(to_string(tick.status))},
          {"run_ids", tick.run_ids},
          {"run_keys", tick.run_keys},
          {"skip_reason", tick.skip_reason},
          {"error", tick.error},
          {"cursor", tick.cursor},
          {"log", tick.log}};
}

int print_ticks(CliEnv& env, const std::string& name, const InstigatorOptions& o) {
  auto ticks = env.instance().storage().automation().ticks(name, o.limit);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& tick : ticks) out.push_back(tick_json(tick));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& tick : ticks) {
    std::string detail = !tick.error.empty() ? tick.error : tick.skip_reason;
    std::string runs;
    for (const auto& id : tick.run_ids) runs += (runs.empty() ? "" : " ") + id.substr(0, 8);
    rows.push_back({format_timestamp(tick.tick_time), std::string(to_string(tick.status)),
                    runs.empty() ? "-" : runs, detail});
  }
  print_table(env.out(), {"TICK", "STATUS", "RUNS", "DETAIL"}, rows);
  return 0;
}

std::string last_tick_text(CliEnv& env, const std::string& name) {
  auto last = env.instance().storage().automation().latest_finished_tick(name);
  if (!last) return "-";
  return std::string(to_string(last->status)) + " " + format_timestamp(last->tick_time);
}

int schedules_list(CliEnv& env, const InstigatorOptions& o) {
  const AssetGraph& graph = env.graph();
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Schedule& s : env.definitions().schedules) {
    InstigatorState state =
        state_or_default(env, s.name, InstigatorKind::kSchedule, s.running_by_default);
    std::string next =
        state.running ? iso_utc(ScheduleEvaluator(s, graph).next_tick_after(now)) : std::string();
    if (o.json) {
      out.push_back({{"name", s.name},
                     {"cron", s.cron},
                     {"timezone", s.timezone},
                     {"job", s.job},
                     {"running", state.running},
                     {"catch_up", s.catch_up},
                     {"next_tick", next}});
      continue;
    }
    rows.push_back({s.name, s.cron, s.timezone, s.job, state.running ? "running" : "stopped",
                    next.empty() ? "-" : next, last_tick_text(env, s.name)});
  }
  if (o.json) {
    env.out() << out.dump(2) << "\n";
  } else {
    print_table(env.out(), {"SCHEDULE", "CRON", "TIME ZONE", "JOB", "STATE", "NEXT TICK", "LAST"},
                rows);
  }
  return 0;
}

std::string_view kind_name(Sensor::Kind kind) {
  switch (kind) {
    case Sensor::Kind::kAsset:
      return "asset";
    case Sensor::Kind::kRunStatus:
      return "run-status";
    case Sensor::Kind::kCustom:
      break;
  }
  return "custom";
}

int sensors_list(CliEnv& env, const InstigatorOptions& o) {
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const Sensor& s : env.definitions().sensors) {
    InstigatorState state =
        state_or_default(env, s.name, InstigatorKind::kSensor, s.running_by_default);
    std::string cursor = sensor_cursor_of(s, state.cursor);
    if (o.json) {
      out.push_back({{"name", s.name},
                     {"kind", kind_name(s.kind)},
                     {"interval_seconds", s.interval.count()},
                     {"job", s.job},
                     {"running", state.running},
                     {"cursor", cursor},
                     {"stored_cursor", state.cursor}});
      continue;
    }
    rows.push_back({s.name, std::string(kind_name(s.kind)),
                    std::to_string(s.interval.count()) + " s", s.job.empty() ? "-" : s.job,
                    state.running ? "running" : "stopped", cursor.empty() ? "-" : cursor,
                    last_tick_text(env, s.name)});
  }
  if (o.json) {
    env.out() << out.dump(2) << "\n";
  } else {
    print_table(env.out(), {"SENSOR", "KIND", "INTERVAL", "JOB", "STATE", "CURSOR", "LAST"}, rows);
  }
  return 0;
}

CLI::App* add_named(CLI::App* parent, const char* name, const char* description,
                    InstigatorOptions& o) {
  auto* cmd = parent->add_subcommand(name, description);
  cmd->add_option("NAME", o.name, "The name")->required();
  return cmd;
}

}  // namespace

void add_schedules_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto o = std::make_shared<InstigatorOptions>();
  auto* cmd = app.add_subcommand("schedules", "List, start and stop schedules; show their ticks");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "Every schedule with its state and next tick");
  list->add_flag("--json", o->json, "Print JSON");
  list->callback([&env, &action, o] { action = [&env, o] { return schedules_list(env, *o); }; });

  auto named = [&](const char* name, const char* description, bool running) {
    add_named(cmd, name, description, *o)->callback([&env, &action, o, running] {
      action = [&env, o, running] {
        const Schedule& s = find_named(env.definitions().schedules, o->name, "schedule");
        set_running(env, s.name, InstigatorKind::kSchedule, s.running_by_default, running);
        return 0;
      };
    });
  };
  named("start", "Start a schedule (ticks count from now: no catch-up of the stopped time)", true);
  named("stop", "Stop a schedule", false);

  auto* ticks = add_named(cmd, "ticks", "The ticks of a schedule, newest first", *o);
  ticks->add_option("--limit", o->limit, "How many (default 20)");
  ticks->add_flag("--json", o->json, "Print JSON");
  ticks->callback([&env, &action, o] {
    action = [&env, o] {
      const Schedule& s = find_named(env.definitions().schedules, o->name, "schedule");
      return print_ticks(env, s.name, *o);
    };
  });
}

void add_sensors_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto o = std::make_shared<InstigatorOptions>();
  auto* cmd = app.add_subcommand("sensors", "List, start and stop sensors; show their ticks");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "Every sensor with its state and cursor");
  list->add_flag("--json", o->json, "Print JSON");
  list->callback([&env, &action, o] { action = [&env, o] { return sensors_list(env, *o); }; });

  auto named = [&](const char* name, const char* description, bool running) {
    add_named(cmd, name, description, *o)->callback([&env, &action, o, running] {
      action = [&env, o, running] {
        const Sensor& s = find_named(env.definitions().sensors, o->name, "sensor");
        set_running(env, s.name, InstigatorKind::kSensor, s.running_by_default, running);
        return 0;
      };
    });
  };
  named("start", "Start a sensor", true);
  named("stop", "Stop a sensor", false);

  auto* ticks = add_named(cmd, "ticks", "The ticks of a sensor, newest first", *o);
  ticks->add_option("--limit", o->limit, "How many (default 20)");
  ticks->add_flag("--json", o->json, "Print JSON");
  ticks->callback([&env, &action, o] {
    action = [&env, o] {
      const Sensor& s = find_named(env.definitions().sensors, o->name, "sensor");
      return print_ticks(env, s.name, *o);
    };
  });

  add_named(cmd, "reset-cursor",
            "Forget a sensor's cursor: its next evaluation starts from the beginning", *o)
      ->callback([&env, &action, o] {
        action = [&env, o] {
          const Sensor& s = find_named(env.definitions().sensors, o->name, "sensor");
          InstigatorState state =
              state_or_default(env, s.name, InstigatorKind::kSensor, s.running_by_default);
          state.cursor.clear();
          state.updated_at = to_epoch_seconds(std::chrono::system_clock::now());
          env.instance().storage().automation().set_instigator_state(state);
          env.out() << "sensor '" << s.name << "': cursor reset\n";
          return 0;
        };
      });
}

}  // namespace cairn
