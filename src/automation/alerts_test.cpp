#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "automation/alert_delivery.hpp"
#include "automation/daemon.hpp"
#include "cairn/alerts.hpp"
#include "cairn/asset.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

using namespace std::chrono_literals;

RunInfo failed_run(std::string run_id = "run-1") {
  return {.run_id = std::move(run_id),
          .job_name = "retrain",
          .status = "FAILURE",
          .failure_reason = "step 'credit/model' failed: it's \"bad\" $HOME `x`",
          .tags = {{"team", "risk"}, {"cairn/schedule", "nightly"}},
          .ended_at = 1735689600.5};
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of the cairn::Error `f` throws; fails the test if it throws nothing.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a cairn::Error";
  return "";
}

TEST(AlertJson, HoldsTheRunsFields) {
  auto alert = nlohmann::json::parse(alert_json(failed_run(), "on_failure"));
  EXPECT_EQ(alert["sensor"], "on_failure");
  EXPECT_EQ(alert["run_id"], "run-1");
  EXPECT_EQ(alert["job"], "retrain");
  EXPECT_EQ(alert["status"], "FAILURE");
  EXPECT_EQ(alert["failure_reason"], "step 'credit/model' failed: it's \"bad\" $HOME `x`");
  EXPECT_EQ(alert["tags"], (nlohmann::json{{"team", "risk"}, {"cairn/schedule", "nightly"}}));
  EXPECT_DOUBLE_EQ(alert["ended_at"].get<double>(), 1735689600.5);
  EXPECT_EQ(alert_json(failed_run(), "on_failure").find('\n'), std::string::npos);
}

TEST(AlertFile, AppendsOneJsonLinePerAlertCreatingItsDirectories) {
  testing::ScratchDir scratch;
  const auto path = scratch.path() / "logs" / "cairn" / "alerts.jsonl";
  append_alert_line(path, alert_json(failed_run("a"), "s"));
  append_alert_line(path, alert_json(failed_run("b"), "s"));
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["run_id"], "a");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["run_id"], "b");
}

TEST(AlertFile, ConcurrentAppendsNeverInterleaveLines) {
  testing::ScratchDir scratch;
  const auto path = scratch.path() / "alerts.jsonl";
  constexpr int kThreads = 4;
  constexpr int kLines = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&path, t] {
      for (int i = 0; i < kLines; ++i) {
        RunInfo run = failed_run(std::to_string(t) + "-" + std::to_string(i));
        run.failure_reason = std::string(3000, static_cast<char>('a' + t));  // a long line
        append_alert_line(path, alert_json(run, "s"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> ids;
  for (const auto& line : read_lines(path)) {
    auto alert = nlohmann::json::parse(line);  // throws on an interleaved line
    ids.insert(alert["run_id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kLines));
}

TEST(AlertFile, UnwritablePathFailsNamingIt) {
  testing::ScratchDir scratch;
  const auto blocker = scratch.path() / "not_a_dir";
  std::ofstream(blocker) << "x";
  auto message = error_of([&] { append_alert_line(blocker / "alerts.jsonl", "{}"); });
  EXPECT_NE(message.find("cannot append the alert to " + (blocker / "alerts.jsonl").string()),
            std::string::npos)
      << message;
}

TEST(AlertCommand, ReceivesTheAlertOnStdinAndTheRunInItsEnvironment) {
  testing::ScratchDir scratch;
  const auto dir = scratch.path().string();
  const std::string command = "cat > '" + dir +
                              "/stdin.json' && printf '%s\\n' \"$CAIRN_RUN_ID\" "
                              "\"$CAIRN_RUN_STATUS\" \"$CAIRN_JOB\" \"$CAIRN_FAILURE_REASON\" > '" +
                              dir + "/env.txt'";
  const RunInfo run = failed_run();
  const std::string json = alert_json(run, "on_failure");
  run_alert_command(command, run, json, kAlertCommandTimeout);
  EXPECT_EQ(read_text(scratch.path() / "stdin.json"), json);
  EXPECT_EQ(read_lines(scratch.path() / "env.txt"),
            (std::vector<std::string>{"run-1", "FAILURE", "retrain", run.failure_reason}));
}

TEST(AlertCommand, NonZeroExitFailsTheDeliveryWithTheStatusAndTheOutputTail) {
  const std::string command = "echo 'mail relay refused the message' >&2; exit 3";
  auto message = error_of([&] {
    run_alert_command(command, failed_run(), alert_json(failed_run(), "s"), kAlertCommandTimeout);
  });
  EXPECT_EQ(message, "alert command `" + command +
                         "` exited with status 3; its output ends with: mail relay refused the "
                         "message");
}

TEST(AlertCommand, DeathBySignalFailsTheDelivery) {
  auto message =
      error_of([&] { run_alert_command("kill -9 $$", failed_run(), "{}", kAlertCommandTimeout); });
  EXPECT_EQ(message, "alert command `kill -9 $$` was killed by signal 9; it wrote nothing");
}

TEST(AlertCommand, CommandStillRunningAtTheTimeoutIsKilledWithWhatItStarted) {
  const auto start = std::chrono::steady_clock::now();
  auto message = error_of(
      [&] { run_alert_command("echo waiting; sleep 30; echo never", failed_run(), "{}", 200ms); });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(message,
            "alert command `echo waiting; sleep 30; echo never` did not finish within 200 ms and "
            "was killed; its output ends with: waiting");
}

TEST(AlertCommand, CommandThatIgnoresItsStdinSucceeds) {
  // More than a socket buffer holds: writing the rest to an exited command must not SIGPIPE us.
  const std::string big(4 << 20, 'x');
  EXPECT_NO_THROW(run_alert_command("exit 0", failed_run(), big, kAlertCommandTimeout));
}

TEST(AlertCommand, BackgroundChildKeepingTheOutputOpenDoesNotHoldTheDelivery) {
  testing::ScratchDir scratch;
  const auto start = std::chrono::steady_clock::now();
  const std::string command = "(sleep 2; touch '" + (scratch.path() / "late").string() + "') &";
  EXPECT_NO_THROW(run_alert_command(command, failed_run(), "{}", kAlertCommandTimeout));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

// A real HTTP server on an ephemeral port of 127.0.0.1, stopped and joined by the destructor.
class WebhookServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit WebhookServer(Handler handler) {
    server_.Post("/hooks/cairn",
                 [this, handler](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard lock(mutex_);
                     bodies_.push_back(req.body);
                     content_types_.push_back(req.get_header_value("Content-Type"));
                   }
                   handler(req, res);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~WebhookServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path = "/hooks/cairn") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(mutex_);
    return content_types_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;  // guards bodies_, content_types_ (written by the server's threads)
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
};

TEST(AlertWebhook, PostsTheAlertJson) {
  WebhookServer server([](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  const std::string json = alert_json(failed_run(), "on_failure");
  post_alert_webhook(WebhookUrl::parse(server.url()), json, kAlertWebhookTimeout);
  EXPECT_EQ(server.bodies(), (std::vector<std::string>{json}));
  EXPECT_EQ(server.content_types(), (std::vector<std::string>{"application/json"}));
}

TEST(AlertWebhook, ErrorAnswerFailsTheDeliveryNamingTheUrlAndTheStatus) {
  WebhookServer server([](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("database is locked\n", "text/plain");
  });
  auto message = error_of(
      [&] { post_alert_webhook(WebhookUrl::parse(server.url()), "{}", kAlertWebhookTimeout); });
  EXPECT_EQ(message, "webhook " + server.url() + " answered HTTP 500: database is locked");
  // An unknown path is a 404 from the server: a failure too, not a silent success.
  message = error_of([&] {
    post_alert_webhook(WebhookUrl::parse(server.url("/nope")), "{}", kAlertWebhookTimeout);
  });
  EXPECT_NE(message.find("answered HTTP 404"), std::string::npos) << message;
}

TEST(AlertWebhook, NoAnswerWithinTheTimeoutFailsTheDelivery) {
  std::mutex mutex;
  std::condition_variable cv;
  bool released = false;
  {
    WebhookServer server([&](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return released; });
      res.status = 200;
    });
    auto message =
        error_of([&] { post_alert_webhook(WebhookUrl::parse(server.url()), "{}", 300ms); });
    EXPECT_NE(message.find("webhook " + server.url() + " did not answer: "), std::string::npos)
        << message;
    EXPECT_NE(message.find("(timeout 300 ms)"), std::string::npos) << message;
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    cv.notify_all();
  }
}

TEST(AlertWebhook, UrlsAreCheckedWhenTheDestinationIsBuilt) {
  auto url = WebhookUrl::parse("http://alerts.example:8080/hooks/cairn?token=abc#frag");
  EXPECT_EQ(url.host, "alerts.example");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.path, "/hooks/cairn?token=abc");
  url = WebhookUrl::parse("HTTP://[::1]:9000");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(url.path, "/");
  EXPECT_EQ(WebhookUrl::parse("http://relay?x=1").path, "/?x=1");
  EXPECT_EQ(WebhookUrl::parse("http://relay").port, 80);

  EXPECT_EQ(error_of([] { alert_webhook("https://hooks.slack.com/services/T0"); }),
            "webhook URL 'https://hooks.slack.com/services/T0' uses https, which alert_webhook "
            "does not support; use an http:// URL (a local relay), or alert_command(\"curl -sS "
            "--fail -H 'Content-Type: application/json' --data-binary @- "
            "https://hooks.slack.com/services/T0\"), which posts the alert read from its stdin");
  EXPECT_EQ(error_of([] { alert_webhook("relay:9000/hook"); }),
            "webhook URL 'relay:9000/hook' has no scheme; write it as http://host[:port]/path");
  EXPECT_EQ(error_of([] { alert_webhook("http://relay:99999/"); }),
            "webhook URL 'http://relay:99999/' has port '99999', not a number from 1 to 65535; "
            "write it as http://host[:port]/path");
  EXPECT_NE(error_of([] { alert_webhook("http:///hook"); }).find("has no host"), std::string::npos);
  EXPECT_NE(error_of([] { alert_webhook("ftp://relay/"); }).find("has scheme 'ftp', not http"),
            std::string::npos);
  // A destination built by hand is checked by the sensor.
  EXPECT_NE(error_of([] {
              run_alert_sensor("alerts", {{.kind = AlertDestination::Kind::kWebhook,
                                           .target = "https://relay/"}});
            }).find("uses https"),
            std::string::npos);
}

TEST(RunAlertSensor, RejectsWhatCouldNeverDeliver) {
  EXPECT_EQ(error_of([] { run_alert_sensor("alerts", {}); }),
            "alert sensor 'alerts' has no destination; give at least one alert_to_file, "
            "alert_command or alert_webhook");
  EXPECT_EQ(error_of([] { run_alert_sensor("alerts", {alert_to_file("/tmp/a")}, {"FAILED"}); }),
            "alert sensor 'alerts' watches run status 'FAILED'; use SUCCESS, FAILURE or CANCELED");
  EXPECT_NE(error_of([] { alert_to_file(""); }).find("the path is empty"), std::string::npos);
  EXPECT_NE(error_of([] { alert_command(""); }).find("the command is empty"), std::string::npos);
}

// The daemon driving alert sensors over finished runs written to a real instance.
class AlertDaemonTest : public ::testing::Test {
 protected:
  void open(std::vector<Sensor> sensors) {
    for (auto& sensor : sensors) sensor.interval = 1s;
    defs_ = {.assets = {asset<int>("a").compute([](Context&) { return 1; })},
             .jobs = {{.name = "job", .selection = "a"}, {.name = "other", .selection = "a"}},
             .sensors = std::move(sensors)};
    graph_.emplace(AssetGraph::build(defs_));
    if (!instance_) instance_ = Instance::open(scratch_.path() / "home");
    daemon_ = std::make_unique<Daemon>(instance_->storage(), *graph_, clock_,
                                       DaemonOptions{.owner = "daemon"}, hook_);
  }
  // Evaluates the sensors once (each tick a second later) and returns the ticks committed.
  std::vector<TickRecord> tick() {
    now_ += 2s;
    return daemon_->run_once(now_).ticks;
  }
  void finish_run(const std::string& run_id, EventType type, const std::string& job,
                  const std::string& message = "") {
    RunRecord run;
    run.run_id = run_id;
    run.job_name = job;
    run.root_run_id = run_id;
    run.status = RunStatus::kStarted;
    instance_->storage().add_run(run);
    std::vector<Event> events(1);
    events[0].run_id = run_id;
    events[0].type = type;
    events[0].timestamp = to_epoch_seconds(now_);
    events[0].message = message;
    instance_->storage().append_events(events);
  }
  std::filesystem::path path(const std::string& name) const { return scratch_.path() / name; }

  class NoQueue final : public RunQueueHook {
   public:
    void on_iteration(TimePoint) override {}
  };

  testing::ScratchDir scratch_;
  Definitions defs_;
  std::optional<AssetGraph> graph_;
  std::unique_ptr<Instance> instance_;
  TimePoint now_ = TimePoint(std::chrono::seconds(1'735'689'600));
  FakeClock clock_{now_};
  NoQueue hook_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(AlertDaemonTest, FailedRunGivesExactlyOneAlertAndSuccessfulRunsNone) {
  open({run_alert_sensor("on_failure", {alert_to_file(path("alerts.jsonl").string())}),
        run_alert_sensor("other_job_only", {alert_to_file(path("other.jsonl").string())},
                         {"FAILURE"}, {"other"})});
  tick();  // the sensors start following runs here
  finish_run("ok", EventType::kRunSuccess, "job");
  finish_run("bad", EventType::kRunFailure, "job", "step 'a' failed: boom");
  auto ticks = tick();
  tick();
  tick();

  auto lines = read_lines(path("alerts.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  auto alert = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(alert["sensor"], "on_failure");
  EXPECT_EQ(alert["run_id"], "bad");
  EXPECT_EQ(alert["job"], "job");
  EXPECT_EQ(alert["status"], "FAILURE");
  EXPECT_EQ(alert["failure_reason"], "step 'a' failed: boom");
  EXPECT_FALSE(std::filesystem::exists(path("other.jsonl")));  // a run of another job

  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].status, TickStatus::kSkipped);
  EXPECT_EQ(ticks[0].skip_reason, "alerted 1 run(s)");
  EXPECT_EQ(ticks[0].log,
            "alerted run bad (FAILURE, job job) to file " + path("alerts.jsonl").string() + "\n");
  EXPECT_EQ(ticks[1].skip_reason, "no finished run to alert on");
}

TEST_F(AlertDaemonTest, FailedDeliveryFailsTheTickAndIsRetriedWithoutRepeatingTheOthers) {
  const auto broken = path("relay-down");
  std::ofstream(broken) << "";
  const std::string command = "test ! -e '" + broken.string() + "' && cat >> '" +
                              path("command.jsonl").string() + "' && echo >> '" +
                              path("command.jsonl").string() + "'";
  open({run_alert_sensor("on_failure",
                         {alert_to_file(path("alerts.jsonl").string()), alert_command(command)})});
  tick();
  finish_run("bad", EventType::kRunFailure, "job", "boom");

  auto first = tick();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, TickStatus::kFailure);
  EXPECT_EQ(first[0].error,
            "sensor 'on_failure' threw: alert for run bad (FAILURE, job job) to "
            "command `" +
                command + "` failed: alert command `" + command +
                "` exited with status 1; it wrote nothing; the next tick "
                "delivers it again");
  EXPECT_NE(first[0].log.find("could not alert run bad"), std::string::npos) << first[0].log;
  EXPECT_EQ(read_lines(path("alerts.jsonl")).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(path("command.jsonl")));

  auto second = tick();  // still down: fails again, the file gets no second copy
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].status, TickStatus::kFailure);
  EXPECT_NE(second[0].log.find("already alerted run bad (FAILURE, job job) to file"),
            std::string::npos)
      << second[0].log;
  EXPECT_EQ(read_lines(path("alerts.jsonl")).size(), 1u);

  std::filesystem::remove(broken);
  auto third = tick();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].status, TickStatus::kSkipped);
  EXPECT_EQ(third[0].skip_reason, "alerted 1 run(s)");
  EXPECT_EQ(read_lines(path("alerts.jsonl")).size(), 1u);
  auto delivered = read_lines(path("command.jsonl"));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(delivered[0])["run_id"], "bad");

  auto fourth = tick();  // delivered: not seen again
  ASSERT_EQ(fourth.size(), 1u);
  EXPECT_EQ(fourth[0].skip_reason, "no finished run to alert on");
  EXPECT_EQ(read_lines(path("command.jsonl")).size(), 1u);
}

TEST_F(AlertDaemonTest, AfterARestartAnAlertOfAFailedTickIsDeliveredAgainToEveryDestination) {
  WebhookServer down([](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  open({run_alert_sensor(
      "on_failure", {alert_to_file(path("alerts.jsonl").string()), alert_webhook(down.url())})});
  tick();
  finish_run("bad", EventType::kRunFailure, "job", "boom");
  auto failed = tick();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].error.find("webhook " + down.url() + " answered HTTP 503"), std::string::npos)
      << failed[0].error;

  // A new daemon process: what the failed tick delivered is not remembered (at least once).
  daemon_.reset();
  open({run_alert_sensor("on_failure", {alert_to_file(path("alerts.jsonl").string())})});
  auto again = tick();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].skip_reason, "alerted 1 run(s)");
  EXPECT_EQ(read_lines(path("alerts.jsonl")).size(), 2u);
  EXPECT_EQ(down.bodies().size(), 1u);
}

}  // namespace
}  // namespace cairn
