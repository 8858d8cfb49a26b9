#pragma once
/// @file asset.hpp
/// Defining assets: plain functions returning a value, with typed upstream handles.
///
/// @code
///   auto numbers = cairn::asset<std::vector<double>>("numbers")
///       .group("demo")
///       .describe("A few numbers")
///       .compute([](cairn::Context&) { return std::vector<double>{1, 2, 3}; });
///
///   auto total = cairn::asset<double>("total")
///       .compute([](cairn::Context& ctx, const std::vector<double>& xs) {
///         ctx.add_metadata("count", static_cast<std::int64_t>(xs.size()));
///         return std::accumulate(xs.begin(), xs.end(), 0.0);
///       }, numbers);
/// @endcode
/// The compute function receives `Context&`, then the asset's config if it declared one with
/// `.config<C>()`, then one `const Dep&` per upstream handle, in the order the handles are given.
/// A wrong type or count is a compile error; a cycle cannot be written, since a handle must
/// exist before it can be used.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "cairn/automation.hpp"
#include "cairn/check.hpp"
#include "cairn/codec.hpp"
#include "cairn/config.hpp"
#include "cairn/context.hpp"
#include "cairn/partitions.hpp"
#include "cairn/retry_policy.hpp"

namespace cairn {

/// The type-erased definition of one asset, as the graph, planner and engine see it.
/// Built by AssetBuilder; immutable once built.
struct AssetDefinition {
  using ComputeFn =
      std::function<AnyValue(Context&, const AnyValue& config, std::span<const AnyValue> inputs)>;
  /// Builds the value of a fan-in input (Partitioned<T>) from the upstream's partition values.
  using CollectFn = AnyValue (*)(std::vector<std::pair<std::string, AnyValue>>&& parts);

  /// How one typed dependency (same index in `deps`) maps partitions.
  struct DependencyPartitions {
    PartitionMapping mapping{};
    CollectFn collect = nullptr;  ///< set for PartitionMapping::Kind::kAll
  };

  // Defined out of line (core/asset_definition.cpp): every pipeline file that defines an asset
  // would otherwise compile these members' copy and destruction code again.
  AssetDefinition();
  AssetDefinition(const AssetDefinition&);
  AssetDefinition(AssetDefinition&&) noexcept;
  AssetDefinition& operator=(const AssetDefinition&);
  AssetDefinition& operator=(AssetDefinition&&) noexcept;
  ~AssetDefinition();

  std::string key;
  std::string group = "default";
  std::string description;
  std::map<std::string, std::string> tags;
  std::string code_version;
  std::vector<std::string> deps;  ///< typed upstream keys, in compute-argument order
  std::vector<DependencyPartitions> dep_partitions;  ///< parallel to `deps`
  std::vector<std::string> after;                    ///< ordering-only upstream keys
  RetryPolicy retry;
  std::chrono::milliseconds timeout{0};  ///< 0: no timeout
  std::vector<std::string> required_resources;
  std::string io_manager = "fs";
  const std::type_info* value_type = nullptr;
  ValueCodec codec;
  std::optional<ConfigSpec> config;  ///< set when the asset declared `.config<C>()`
  std::optional<PartitionsDefinition> partitions;
  std::vector<CheckDefinition> checks;
  /// Returns the current data version of the thing the asset reads (e.g. a file's hash), without
  /// computing the asset; recorded as an observation.
  std::function<std::string(Context&)> observe;
  std::optional<AutomationCondition> automation;
  std::string pool;  ///< steps of this asset count against this pool's limit across runs
  ComputeFn compute;
  const char* source_file = "";  ///< from std::source_location: static storage
  std::uint32_t source_line = 0;
};

/// Any asset handle, whatever its value type; what Definitions::assets holds.
class AssetRef {
 public:
  explicit AssetRef(std::shared_ptr<const AssetDefinition> def) : def_(std::move(def)) {}
  const AssetDefinition& definition() const { return *def_; }
  const std::shared_ptr<const AssetDefinition>& shared() const { return def_; }
  const std::string& key() const { return def_->key; }

 private:
  std::shared_ptr<const AssetDefinition> def_;
};

/// A typed upstream with an explicit partition mapping, made by Asset<T>::offset(),
/// all_partitions(), mapped() or partition(); pass it to compute() like the handle itself.
/// `V` is what the compute function receives: T, or Partitioned<T> for all_partitions().
template <class V>
class Dependency {
 public:
  using value_type = V;
  Dependency(std::string key, PartitionMapping mapping, AssetDefinition::CollectFn collect)
      : key_(std::move(key)), mapping_(std::move(mapping)), collect_(collect) {}
  const std::string& key() const { return key_; }
  const PartitionMapping& mapping() const { return mapping_; }
  AssetDefinition::CollectFn collect() const { return collect_; }

 private:
  std::string key_;
  PartitionMapping mapping_;
  AssetDefinition::CollectFn collect_;
};

/// A typed handle to an asset producing `T`; pass it to a downstream asset's compute().
template <class T>
class Asset : public AssetRef {
 public:
  using value_type = T;
  using AssetRef::AssetRef;

  PartitionMapping mapping() const { return {}; }
  AssetDefinition::CollectFn collect() const { return nullptr; }

  /// Time windows: the partition `windows` windows away from the downstream's (-1: the
  /// previous day of a daily asset).
  Dependency<T> offset(int windows) const {
    return {key(), PartitionMapping{.kind = PartitionMapping::Kind::kOffset, .offset = windows},
            nullptr};
  }
  /// Every materialized partition of this asset, as a Partitioned<T> (fan-in).
  Dependency<Partitioned<T>> all_partitions() const {
    return {key(), PartitionMapping{.kind = PartitionMapping::Kind::kAll},
            [](std::vector<std::pair<std::string, AnyValue>>&& parts) {
              Partitioned<T> out;
              out.parts.reserve(parts.size());
              for (auto& [k, v] : parts) out.parts.emplace_back(std::move(k), v.template as<T>());
              return AnyValue::of<Partitioned<T>>(std::move(out));
            }};
  }
  /// Explicit downstream key -> upstream key.
  Dependency<T> mapped(std::map<std::string, std::string> downstream_to_upstream) const {
    return {key(),
            PartitionMapping{.kind = PartitionMapping::Kind::kStatic,
                             .static_map = std::move(downstream_to_upstream)},
            nullptr};
  }
  /// Always the upstream partition `key` (e.g. the reference day of a drift computation).
  Dependency<T> partition(std::string upstream_key) const {
    return {key(),
            PartitionMapping{.kind = PartitionMapping::Kind::kSingle,
                             .single_key = std::move(upstream_key)},
            nullptr};
  }
};

/// Marks "this asset declares no config".
struct NoConfig {};

void validate_asset_key(const std::string& key);  // throws DefinitionError

template <class T, class Cfg = NoConfig>
class AssetBuilder {
 public:
  AssetBuilder(std::string key, std::source_location where) {
    validate_asset_key(key);
    def_.key = std::move(key);
    def_.value_type = &typeid(T);
    def_.codec = value_codec_for<T>();
    def_.source_file = where.file_name();
    def_.source_line = where.line();
  }

  /// The group the asset is shown in and selected by (`group:NAME`). Default: "default".
  AssetBuilder& group(std::string name) { return set(def_.group, std::move(name)); }
  AssetBuilder& describe(std::string text) { return set(def_.description, std::move(text)); }
  /// A tag, selectable with `tag:KEY=VALUE`.
  AssetBuilder& tag(std::string key, std::string value) {
    def_.tags[std::move(key)] = std::move(value);
    return *this;
  }
  /// Bump when the computation changes meaning; recorded with each materialization.
  AssetBuilder& code_version(std::string version) {
    return set(def_.code_version, std::move(version));
  }
  AssetBuilder& retry(RetryPolicy policy) { return set(def_.retry, policy); }
  /// The step fails once it has run for longer than `limit` (in-process steps are asked to stop
  /// through Context::is_cancelled()).
  template <class Rep, class Period>
  AssetBuilder& timeout(std::chrono::duration<Rep, Period> limit) {
    def_.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(limit);
    return *this;
  }
  AssetBuilder& require_resource(std::string key) {
    def_.required_resources.push_back(std::move(key));
    return *this;
  }
  /// The IO manager (a key of Definitions::io_managers, or "fs" / "memory") storing the value.
  AssetBuilder& io_manager(std::string key) { return set(def_.io_manager, std::move(key)); }
  /// Partitions the asset: each partition is a step of its own (docs/partitions.md).
  AssetBuilder& partitioned(PartitionsDefinition partitions) {
    def_.partitions = std::move(partitions);
    return *this;
  }
  /// Attaches a check run on the value after each materialization (cairn/check.hpp). `fn` is
  /// called as fn(Context&, const T&) and returns a CheckResult.
  template <class F>
  AssetBuilder& check(std::string name, F fn) {
    return add_check(std::move(name), std::move(fn), false);
  }
  /// The same, blocking: a failure of severity error stops everything downstream in the run.
  template <class F>
  AssetBuilder& check(std::string name, F fn, Blocking) {
    return add_check(std::move(name), std::move(fn), true);
  }
  /// How to observe the asset's source without computing it: `fn(Context&)` returns a data
  /// version (e.g. a hash of the input file); a new version makes the asset stale.
  AssetBuilder& observe(std::function<std::string(Context&)> fn) {
    def_.observe = std::move(fn);
    return *this;
  }
  /// Lets the daemon materialize the asset by itself (cairn/automation.hpp).
  AssetBuilder& automation(AutomationCondition condition) {
    def_.automation = std::move(condition);
    return *this;
  }
  /// Steps of this asset take a slot of `pool` (Definitions::pools) while they run, across
  /// every run of the instance, e.g. "gpu" with a limit of 1.
  AssetBuilder& pool(std::string name) { return set(def_.pool, std::move(name)); }
  /// Runs after `upstream` without receiving its value (an ordering-only dependency).
  AssetBuilder& after(const AssetRef& upstream) { return after(upstream.key()); }
  /// Ordering-only dependency by key, for an asset defined elsewhere; checked when Definitions
  /// are loaded.
  AssetBuilder& after(std::string upstream_key) {
    def_.after.push_back(std::move(upstream_key));
    return *this;
  }

  /// Declares a typed config; the compute function then takes `const C&` after the Context.
  /// C needs `void describe_config(cairn::ConfigSchema<C>&)` (see config.hpp).
  template <class C>
  AssetBuilder<T, C> config() const {
    ConfigSchema<C> schema;
    describe_config(schema);
    AssetBuilder<T, C> next(def_);
    next.def_.config = schema.spec(typeid(C).name());
    return next;
  }

  /// Finishes the definition. `fn` is called as fn(Context&, [const Cfg&,] const Deps&...), one
  /// argument per upstream handle (Asset<D>, or a Dependency made from one).
  template <class F, class... Handles>
  Asset<T> compute(F fn, const Handles&... upstream) const {
    return compute_impl<F, typename Handles::value_type...>(std::move(fn), upstream...);
  }

 private:
  template <class F, class... Deps, class... Handles>
  Asset<T> compute_impl(F fn, const Handles&... upstream) const {
    constexpr bool kHasConfig = !std::is_same_v<Cfg, NoConfig>;
    if constexpr (kHasConfig) {
      static_assert(std::is_invocable_v<F&, Context&, const Cfg&, const Deps&...>,
                    "cairn: the compute function must take (cairn::Context&, const Config&, "
                    "const Dep&...) with one parameter per upstream handle, in order, each of "
                    "that handle's value type");
      static_assert(
          std::is_convertible_v<std::invoke_result_t<F&, Context&, const Cfg&, const Deps&...>, T>,
          "cairn: the compute function must return the asset's value type");
    } else {
      static_assert(std::is_invocable_v<F&, Context&, const Deps&...>,
                    "cairn: the compute function must take (cairn::Context&, const Dep&...) "
                    "with one parameter per upstream handle, in order, each of that handle's "
                    "value type");
      static_assert(std::is_convertible_v<std::invoke_result_t<F&, Context&, const Deps&...>, T>,
                    "cairn: the compute function must return the asset's value type");
    }
    auto def = std::make_shared<AssetDefinition>(def_);
    (def->deps.push_back(upstream.key()), ...);
    (def->dep_partitions.push_back({upstream.mapping(), upstream.collect()}), ...);
    def->compute = [fn = std::move(fn)](Context& ctx, const AnyValue& config,
                                        std::span<const AnyValue> inputs) mutable -> AnyValue {
      return [&]<std::size_t... I>(std::index_sequence<I...>)->AnyValue {
        if constexpr (kHasConfig) {
          return AnyValue::of<T>(T(fn(ctx, config.as<Cfg>(), inputs[I].template as<Deps>()...)));
        } else {
          return AnyValue::of<T>(T(fn(ctx, inputs[I].template as<Deps>()...)));
        }
      }
      (std::index_sequence_for<Deps...>{});
    };
    return Asset<T>(std::move(def));
  }

  template <class F>
  AssetBuilder& add_check(std::string name, F fn, bool blocking) {
    static_assert(std::is_invocable_r_v<CheckResult, F&, Context&, const T&>,
                  "cairn: a check function must take (cairn::Context&, const T&) and return a "
                  "cairn::CheckResult");
    def_.checks.push_back(CheckDefinition{
        .name = std::move(name),
        .blocking = blocking,
        .evaluate = [fn = std::move(fn)](Context& ctx, const AnyValue& value) mutable {
          return CheckResult(fn(ctx, value.as<T>()));
        }});
    return *this;
  }

  template <class, class>
  friend class AssetBuilder;
  explicit AssetBuilder(AssetDefinition def) : def_(std::move(def)) {}

  template <class V>
  AssetBuilder& set(V& field, V value) {
    field = std::move(value);
    return *this;
  }

  AssetDefinition def_;
};

/// Starts the definition of an asset producing a `T`. Keys are segments of letters, digits,
/// '_' and '-', joined by '/': "credit/raw_loans".
template <class T>
AssetBuilder<T> asset(std::string key,
                      std::source_location where = std::source_location::current()) {
  return AssetBuilder<T>(std::move(key), where);
}

}  // namespace cairn
