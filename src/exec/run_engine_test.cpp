#include "exec/run_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <thread>

#include "cairn/cairn.hpp"
#include "exec/materialization_payload.hpp"
#include "recording_sink.hpp"

namespace cairn {
namespace {

using testing::RecordingSink;
using namespace std::chrono_literals;

// A plan computing "down" from a stored materialization `m` of "up".
RunPlan plan_of_down_reading_stored_up(const AssetGraph& graph, MaterializationRecord m) {
  RunPlan plan;
  plan.steps = {PlannedStep{*graph.find("down"), "", "down"}};
  plan.inputs = {
      StepInputs{.typed = {{InputSource{InputSource::From::kStored, 0, ""}}}, .after = {}}};
  plan.stored_inputs = {StoredInput{*graph.find("up"), "", std::move(m)}};
  return plan;
}

// Runs a whole Definitions on simulated time with in-memory IO managers.
struct Harness {
  explicit Harness(Definitions d) : defs(std::move(d)), graph(AssetGraph::build(defs)) {}

  RunStatus run(EngineOptions options = {}, RunPlan plan = {}, RunConfig config = {}) {
    if (plan.steps.empty()) {
      plan = plan_everything(PartitionSpace::build(graph, std::chrono::sys_seconds{}, {}));
    }
    RunRecord record;
    record.run_id = "run-1";
    record.tags = {{"who", "test"}};
    RunEngine engine(graph, io, defs.resources, sink, clock, options);
    return engine.execute(record, plan, config);
  }

  int attempt_of(EventType type, const std::string& step) {
    auto events = sink.of_type(type, step);
    if (events.empty()) return -1;
    return nlohmann::json::parse(events.back().payload_json)["attempt"].get<int>();
  }

  Definitions defs;
  AssetGraph graph;
  IOManagers io{{"fs", make_memory_io_manager()}, {"memory", make_memory_io_manager()}};
  RecordingSink sink;
  FakeClock clock;
};

TEST(RunEngine, ChainAndFanOutPassTypedValuesDownstream) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  auto a = asset<int>("a").compute([](Context&) { return 2; });
  auto b = asset<int>("b").compute([](Context&, const int& x) { return x + 1; }, a);
  auto c = asset<std::string>("c").compute(
      [](Context&, const int& x) { return std::string(static_cast<std::size_t>(x), 'c'); }, a);
  auto d = asset<int>("d").compute(
      [seen](Context&, const int& x, const std::string& s) {
        *seen = x * 100 + static_cast<int>(s.size());
        return seen->load();
      },
      b, c);
  Harness h({.assets = {a, b, c, d}});
  EXPECT_EQ(h.run(), RunStatus::kSuccess);
  EXPECT_EQ(seen->load(), 302);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSuccess).size(), 4u);
  EXPECT_EQ(h.sink.of_type(EventType::kAssetMaterialization).size(), 4u);
  EXPECT_LT(h.sink.index_of(EventType::kStepSuccess, "a"),
            h.sink.index_of(EventType::kStepStart, "b"));
  EXPECT_LT(h.sink.index_of(EventType::kStepSuccess, "c"),
            h.sink.index_of(EventType::kStepStart, "d"));
  auto all = h.sink.events();
  EXPECT_EQ(all.front().type, EventType::kRunStart);
  EXPECT_EQ(all.back().type, EventType::kRunSuccess);
}

TEST(RunEngine, IndependentStepsRunInParallel) {
  struct Rendezvous {
    std::mutex m;
    std::condition_variable cv;
    int arrived = 0;
  };
  auto meet = std::make_shared<Rendezvous>();
  // Each step waits (real time, generously bounded) until the other has started: it can only
  // succeed if both run at once.
  auto wait_for_other = [meet](Context&) {
    std::unique_lock lock(meet->m);
    ++meet->arrived;
    meet->cv.notify_all();
    if (!meet->cv.wait_for(lock, 20s, [&] { return meet->arrived >= 2; })) {
      throw std::runtime_error("the other step never started: no parallelism");
    }
    return 1;
  };
  auto x = asset<int>("x").compute(wait_for_other);
  auto y = asset<int>("y").compute(wait_for_other);
  Harness h({.assets = {x, y}});
  EngineOptions options;
  options.max_concurrent = 2;
  EXPECT_EQ(h.run(options), RunStatus::kSuccess);
}

TEST(RunEngine, MaxConcurrentBoundsRunningSteps) {
  auto running = std::make_shared<std::atomic<int>>(0);
  auto peak = std::make_shared<std::atomic<int>>(0);
  auto work = [running, peak](Context&) {
    int now = ++*running;
    int seen = peak->load();
    while (now > seen && !peak->compare_exchange_weak(seen, now)) {
    }
    for (int i = 0; i < 2000; ++i) std::this_thread::yield();
    --*running;
    return 0;
  };
  std::vector<AssetRef> assets;
  for (int i = 0; i < 12; ++i) assets.push_back(asset<int>("s" + std::to_string(i)).compute(work));
  Harness h({.assets = assets});
  EngineOptions options;
  options.max_concurrent = 1;
  EXPECT_EQ(h.run(options), RunStatus::kSuccess);
  EXPECT_EQ(peak->load(), 1);
}

TEST(RunEngine, FailureSkipsDownstreamWhileIndependentBranchesFinish) {
  auto a = asset<int>("a").compute([](Context&) { return 1; });
  auto b = asset<int>("b").compute(
      [](Context&, const int&) -> int { throw std::runtime_error("boom: disk full"); }, a);
  auto c = asset<int>("c").compute([](Context&, const int& x) { return x; }, b);
  auto c2 = asset<int>("c2").after(c).compute([](Context&) { return 0; });
  auto d = asset<int>("d").compute([](Context&, const int& x) { return x; }, a);
  Harness h({.assets = {a, b, c, c2, d}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  auto failures = h.sink.of_type(EventType::kStepFailure);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].step_key, "b");
  EXPECT_EQ(failures[0].message, "boom: disk full");
  ASSERT_EQ(h.sink.of_type(EventType::kStepSkipped, "c").size(), 1u);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSkipped, "c")[0].message, "upstream 'b' failed");
  EXPECT_EQ(h.sink.of_type(EventType::kStepSkipped, "c2").size(), 1u);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSuccess, "d").size(), 1u);
  EXPECT_EQ(h.sink.of_type(EventType::kStepStart, "c").size(), 0u);
  auto end = h.sink.of_type(EventType::kRunFailure);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_NE(end[0].message.find("b"), std::string::npos);
}

TEST(RunEngine, RetriesWithExponentialBackoffOnSimulatedTime) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto flaky = asset<int>("flaky")
                   .retry({.max_attempts = 4, .delay = 1000ms, .backoff = Backoff::kExponential})
                   .compute([calls](Context& ctx) {
                     ++*calls;
                     if (ctx.attempt() < 3) throw std::runtime_error("HTTP 503");
                     return ctx.attempt();
                   });
  Harness h({.assets = {flaky}});
  TimePoint t0 = h.clock.now();
  EXPECT_EQ(h.run(), RunStatus::kSuccess);
  EXPECT_EQ(calls->load(), 3);
  auto retries = h.sink.of_type(EventType::kStepRetry);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].message, "HTTP 503");
  EXPECT_EQ(nlohmann::json::parse(retries[0].payload_json)["delay_ms"], 1000);
  EXPECT_EQ(nlohmann::json::parse(retries[1].payload_json)["delay_ms"], 2000);
  auto starts = h.sink.of_type(EventType::kStepStart);
  ASSERT_EQ(starts.size(), 3u);
  double base = to_epoch_seconds(t0);
  EXPECT_DOUBLE_EQ(starts[0].timestamp, base);
  EXPECT_DOUBLE_EQ(starts[1].timestamp, base + 1.0);
  EXPECT_DOUBLE_EQ(starts[2].timestamp, base + 3.0);
  EXPECT_EQ(h.attempt_of(EventType::kStepSuccess, "flaky"), 3);
}

TEST(RunEngine, ExhaustedRetriesFailTheStep) {
  auto always =
      asset<int>("always").retry({.max_attempts = 2, .delay = 10ms}).compute([](Context&) -> int {
        throw std::runtime_error("still down");
      });
  Harness h({.assets = {always}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  EXPECT_EQ(h.sink.of_type(EventType::kStepRetry).size(), 1u);
  EXPECT_EQ(h.attempt_of(EventType::kStepFailure, "always"), 2);
}

TEST(RunEngine, RetryDelaysFollowThePolicy) {
  RetryPolicy p{.max_attempts = 10, .delay = 100ms, .backoff = Backoff::kConstant};
  EXPECT_EQ(retry_delay(p, 2), 100ms);
  EXPECT_EQ(retry_delay(p, 5), 100ms);
  p.backoff = Backoff::kLinear;
  EXPECT_EQ(retry_delay(p, 2), 100ms);
  EXPECT_EQ(retry_delay(p, 4), 300ms);
  p.backoff = Backoff::kExponential;
  EXPECT_EQ(retry_delay(p, 2), 100ms);
  EXPECT_EQ(retry_delay(p, 5), 800ms);
  p.max_delay = 500ms;
  EXPECT_EQ(retry_delay(p, 5), 500ms);
}

TEST(RunEngine, JitterIsBoundedAndReproducibleForASeed) {
  auto delay_with_seed = [](std::uint64_t seed) {
    auto flaky = asset<int>("flaky")
                     .retry({.max_attempts = 2, .delay = 1000ms, .jitter = 0.5})
                     .compute([](Context& ctx) {
                       if (ctx.attempt() == 1) throw std::runtime_error("once");
                       return 1;
                     });
    Harness h({.assets = {flaky}});
    EngineOptions options;
    options.jitter_seed = seed;
    EXPECT_EQ(h.run(options), RunStatus::kSuccess);
    return nlohmann::json::parse(h.sink.of_type(EventType::kStepRetry)[0].payload_json)["delay_ms"]
        .get<int>();
  };
  int first = delay_with_seed(7);
  EXPECT_GE(first, 1000);
  EXPECT_LE(first, 1500);
  EXPECT_EQ(delay_with_seed(7), first);
}

TEST(RunEngine, TimeoutFailsAStepAndAsksItToStop) {
  auto saw_stop = std::make_shared<std::atomic<bool>>(false);
  auto stuck = asset<int>("stuck").timeout(5s).compute([saw_stop](Context& ctx) {
    while (!ctx.is_cancelled()) std::this_thread::yield();
    *saw_stop = true;
    return 1;
  });
  auto after = asset<int>("after").compute([](Context&, const int& x) { return x; }, stuck);
  Harness h({.assets = {stuck, after}});
  TimePoint t0 = h.clock.now();
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  EXPECT_TRUE(saw_stop->load());
  auto failures = h.sink.of_type(EventType::kStepFailure, "stuck");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(failures[0].payload_json)["kind"], "timeout");
  EXPECT_NE(failures[0].message.find("5000 ms"), std::string::npos) << failures[0].message;
  EXPECT_DOUBLE_EQ(failures[0].timestamp, to_epoch_seconds(t0 + 5s));
  // The late result is discarded: no materialization, no success.
  EXPECT_TRUE(h.sink.of_type(EventType::kAssetMaterialization, "stuck").empty());
  EXPECT_TRUE(h.sink.of_type(EventType::kStepSuccess, "stuck").empty());
  EXPECT_EQ(h.sink.of_type(EventType::kStepSkipped, "after").size(), 1u);
}

TEST(RunEngine, CancellationStopsRunningStepsAndSkipsTheRest) {
  auto started = std::make_shared<std::atomic<bool>>(false);
  auto blocker = asset<int>("blocker").compute([started](Context& ctx) {
    *started = true;
    while (true) {
      ctx.throw_if_cancelled();
      std::this_thread::yield();
    }
    return 0;
  });
  auto downstream =
      asset<int>("downstream").compute([](Context&, const int& x) { return x; }, blocker);
  auto other = asset<int>("other").compute([](Context&) { return 1; });
  Harness h({.assets = {blocker, downstream, other}});
  EngineOptions options;
  options.max_concurrent = 1;  // `other` waits in the ready queue
  options.should_cancel = [started] { return started->load(); };
  EXPECT_EQ(h.run(options), RunStatus::kCanceled);
  auto failure = h.sink.of_type(EventType::kStepFailure, "blocker");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(failure[0].payload_json)["kind"], "canceled");
  EXPECT_EQ(h.sink.of_type(EventType::kStepSkipped, "downstream").size(), 1u);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSkipped, "other").size(), 1u);
  EXPECT_TRUE(h.sink.of_type(EventType::kStepStart, "other").empty());
  EXPECT_EQ(h.sink.of_type(EventType::kRunCanceling).size(), 1u);
  EXPECT_EQ(h.sink.events().back().type, EventType::kRunCanceled);
}

TEST(RunEngine, NonStandardExceptionsAreRecorded) {
  auto odd = asset<int>("odd").compute([](Context&) -> int { throw 42; });
  Harness h({.assets = {odd}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  EXPECT_NE(h.sink.of_type(EventType::kStepFailure)[0].message.find("non-standard"),
            std::string::npos);
}

TEST(RunEngine, StoredInputsAreLoadedInsteadOfRecomputed) {
  auto computed = std::make_shared<std::atomic<int>>(0);
  auto up = asset<int>("up").io_manager("memory").compute([computed](Context&) {
    ++*computed;
    return 1;
  });
  auto down = asset<int>("down").compute([](Context&, const int& x) { return x * 7; }, up);
  Harness h({.assets = {up, down}});
  ValueCodec codec = value_codec_for<int>();
  std::string uri = h.io["memory"]->store(ValueRef{"up", "", "older-run", &codec}, AnyValue::of(6));
  MaterializationRecord m;
  m.asset_key = "up";
  m.run_id = "older-run";
  m.payload_json =
      to_json(MaterializationPayload{.uri = uri, .io_manager = "memory", .codec = codec.name});
  RunPlan plan = plan_of_down_reading_stored_up(h.graph, m);
  EXPECT_EQ(h.run({}, plan), RunStatus::kSuccess);
  EXPECT_EQ(computed->load(), 0);
  auto loaded = h.sink.of_type(EventType::kStepInputLoaded, "down");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_NE(loaded[0].message.find("older-run"), std::string::npos);
  auto stored = h.sink.of_type(EventType::kAssetMaterialization, "down");
  auto payload = materialization_payload_from_json(stored[0].payload_json);
  EXPECT_EQ(h.io["fs"]->load(ValueRef{"down", "", "run-1", &codec}, payload.uri).as<int>(), 42);
}

TEST(RunEngine, MissingStoredInputFailsTheStepWithTheReason) {
  auto up = asset<int>("up").compute([](Context&) { return 1; });
  auto down = asset<int>("down").compute([](Context&, const int& x) { return x; }, up);
  Harness h({.assets = {up, down}});
  MaterializationRecord m;
  m.asset_key = "up";
  m.run_id = "gone";
  m.payload_json = to_json(
      MaterializationPayload{.uri = "memory:up@gone", .io_manager = "memory", .codec = "int/text"});
  RunPlan plan = plan_of_down_reading_stored_up(h.graph, m);
  EXPECT_EQ(h.run({}, plan), RunStatus::kFailure);
  auto failure = h.sink.of_type(EventType::kStepFailure, "down");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_NE(failure[0].message.find("cannot load input 'up'"), std::string::npos)
      << failure[0].message;
}

struct Scale {
  double factor = 1.0;
  std::int64_t offset = 0;
};
void describe_config(ConfigSchema<Scale>& s) {
  s.field("factor", &Scale::factor);
  s.field("offset", &Scale::offset);
}

TEST(RunEngine, TypedConfigReachesTheComputeFunction) {
  auto base = asset<int>("base").compute([](Context&) { return 10; });
  auto scaled = asset<double>("scaled").config<Scale>().compute(
      [](Context&, const Scale& s, const int& x) {
        return x * s.factor + static_cast<double>(s.offset);
      },
      base);
  Harness h({.assets = {base, scaled}});
  std::vector<const AssetDefinition*> defs{&h.graph.definition(0), &h.graph.definition(1)};
  std::vector<ConfigSource> sources{{"test", R"({"assets": {"scaled": {"factor": 2.5}}})"}};
  RunConfig config = resolve_run_config(sources, defs);
  EXPECT_EQ(h.run({}, {}, config), RunStatus::kSuccess);
  auto m = h.sink.of_type(EventType::kAssetMaterialization, "scaled");
  auto payload = materialization_payload_from_json(m[0].payload_json);
  ValueCodec codec = value_codec_for<double>();
  EXPECT_DOUBLE_EQ(
      h.io["fs"]->load(ValueRef{"scaled", "", "run-1", &codec}, payload.uri).as<double>(), 25.0);
}

TEST(RunEngine, MetadataAndLogsAreRecorded) {
  auto a = asset<int>("a").code_version("7").compute([](Context& ctx) {
    ctx.add_metadata("rows", std::int64_t{1234});
    ctx.add_metadata("auc", 0.91);
    ctx.add_metadata("note", std::string("first"));
    ctx.add_metadata("note", std::string("replaced"));
    ctx.add_metadata("report", JsonText{R"({"k": [1, 2]})"});
    ctx.add_metadata("plot", PathValue{"/tmp/plot.svg"});
    ctx.log_warning("careful");
    EXPECT_EQ(ctx.run_tags().at("who"), "test");
    return 1;
  });
  Harness h({.assets = {a}});
  EXPECT_EQ(h.run(), RunStatus::kSuccess);
  auto m = h.sink.of_type(EventType::kAssetMaterialization, "a");
  ASSERT_EQ(m.size(), 1u);
  auto payload = materialization_payload_from_json(m[0].payload_json);
  EXPECT_EQ(payload.code_version, "7");
  EXPECT_EQ(std::get<std::int64_t>(payload.metadata.at("rows")), 1234);
  EXPECT_DOUBLE_EQ(std::get<double>(payload.metadata.at("auc")), 0.91);
  EXPECT_EQ(std::get<std::string>(payload.metadata.at("note")), "replaced");
  EXPECT_EQ(nlohmann::json::parse(std::get<JsonText>(payload.metadata.at("report")).text)["k"][1],
            2);
  EXPECT_EQ(std::get<PathValue>(payload.metadata.at("plot")).path, "/tmp/plot.svg");
  auto logs = h.sink.of_type(EventType::kLog, "a");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, LogLevel::kWarning);
  EXPECT_EQ(logs[0].message, "careful");
}

TEST(RunEngine, StepSuccessSeparatesTheAssetsOwnTimeFromTheStep) {
  // Real time: the FakeClock does not move, but the user-code time is measured on the steady
  // clock. A 30 ms compute and a 20 ms check are at least 50 ms of the asset's own work.
  auto slow = asset<int>("slow")
                  .check("slow_check",
                         [](Context&, const int&) {
                           std::this_thread::sleep_for(20ms);
                           return CheckResult{.passed = true};
                         })
                  .compute([](Context&) {
                    std::this_thread::sleep_for(30ms);
                    return 1;
                  });
  Harness h({.assets = {slow}});
  ASSERT_EQ(h.run(), RunStatus::kSuccess);
  auto success = nlohmann::json::parse(h.sink.of_type(EventType::kStepSuccess).at(0).payload_json);
  EXPECT_GE(success["user_code_ms"].get<double>(), 50.0) << success.dump();
}

TEST(RunEngine, InvalidMetadataFailsTheStepClearly) {
  auto a = asset<int>("a").compute([](Context& ctx) {
    ctx.add_metadata("broken", JsonText{"{not json"});
    return 1;
  });
  Harness h({.assets = {a}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  EXPECT_NE(h.sink.of_type(EventType::kStepFailure)[0].message.find("metadata 'broken'"),
            std::string::npos);
}

struct Greeter {
  std::string greet(const std::string& who) const { return "hello " + who; }
};

TEST(RunEngine, ResourcesAreInjectedOnlyWhenDeclared) {
  auto polite = asset<std::string>("polite").require_resource("greeter").compute(
      [](Context& ctx) { return ctx.resource<Greeter>("greeter").greet("world"); });
  auto rude = asset<std::string>("rude").compute(
      [](Context& ctx) { return ctx.resource<Greeter>("greeter").greet("nobody"); });
  auto wrong_type = asset<int>("wrong_type").require_resource("greeter").compute([](Context& ctx) {
    return static_cast<int>(ctx.resource<std::string>("greeter").size());
  });
  Definitions defs{.assets = {polite, rude, wrong_type}};
  defs.resources.emplace("greeter", Resource(std::make_shared<Greeter>()));
  Harness h(std::move(defs));
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSuccess, "polite").size(), 1u);
  auto rude_failure = h.sink.of_type(EventType::kStepFailure, "rude");
  ASSERT_EQ(rude_failure.size(), 1u);
  EXPECT_NE(rude_failure[0].message.find(".require_resource(\"greeter\")"), std::string::npos);
  auto type_failure = h.sink.of_type(EventType::kStepFailure, "wrong_type");
  ASSERT_EQ(type_failure.size(), 1u);
  EXPECT_NE(type_failure[0].message.find("Greeter"), std::string::npos) << type_failure[0].message;
}

TEST(RunEngine, ManyStepsCompleteWithBoundedWorkers) {
  std::vector<AssetRef> assets;
  Asset<int> root = asset<int>("n0").compute([](Context&) { return 0; });
  assets.push_back(root);
  Asset<int> prev = root;
  for (int i = 1; i < 2000; ++i) {
    prev = asset<int>("n" + std::to_string(i))
               .compute([](Context&, const int& x) { return x + 1; }, i % 2 ? root : prev);
    assets.push_back(prev);
  }
  Harness h({.assets = assets});
  EngineOptions options;
  options.max_concurrent = 4;
  EXPECT_EQ(h.run(options), RunStatus::kSuccess);
  EXPECT_EQ(h.sink.of_type(EventType::kStepSuccess).size(), 2000u);
}

}  // namespace
}  // namespace cairn
