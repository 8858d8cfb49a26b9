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

#include "cairn/codec.hpp"
#include "cairn/config.hpp"
#include "cairn/context.hpp"
#include "cairn/retry_policy.hpp"

namespace cairn {

/// The type-erased definition of one asset, as the graph, planner and engine see it.
/// Built by AssetBuilder; immutable once built.
struct AssetDefinition {
  using ComputeFn =
      std::function<AnyValue(Context&, const AnyValue& config, std::span<const AnyValue> inputs)>;

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
  std::vector<std::string> deps;   ///< typed upstream keys, in compute-argument order
  std::vector<std::string> after;  ///< ordering-only upstream keys
  RetryPolicy retry;
  std::chrono::milliseconds timeout{0};  ///< 0: no timeout
  std::vector<std::string> required_resources;
  std::string io_manager = "fs";
  const std::type_info* value_type = nullptr;
  ValueCodec codec;
  std::optional<ConfigSpec> config;  ///< set when the asset declared `.config<C>()`
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

/// A typed handle to an asset producing `T`; pass it to a downstream asset's compute().
template <class T>
class Asset : public AssetRef {
 public:
  using value_type = T;
  using AssetRef::AssetRef;
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

  /// Finishes the definition. `fn` is called as fn(Context&, [const Cfg&,] const Deps&...).
  template <class F, class... Deps>
  Asset<T> compute(F fn, const Asset<Deps>&... upstream) const {
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

 private:
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
