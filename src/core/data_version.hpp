#pragma once
// Data versions (docs/staleness.md): the identity of what a materialization produced. By default
// it is derived from what went into the computation — the asset's code version, its config and
// its inputs' data versions — so two materializations computed from the same things have the
// same version and downstream assets stay up to date across a recomputation. User code may
// replace it with a hash of the content (Context::set_data_version).
//
// Design note: the hash is our own, not std::hash (which differs between standard libraries and
// releases) and not a third-party one. Versions are persisted and compared across processes and
// cairn versions, so the function must never change for the same input: the byte layout below
// (a domain tag, then every field as an 8-byte little-endian length and its bytes) is part of
// the stored format. Two 64-bit lanes with different seeds give 128 bits, enough that an
// accidental collision between versions of one step never happens in practice; it is not a
// cryptographic hash and does not need to be (nobody is adversarial about their own data).

#include <span>
#include <string>
#include <string_view>

#include "core/storage.hpp"

namespace cairn {

/// The data version of a materialization computed by code `code_version` with config hash
/// `config_hash` (config_hash(), "" for none) from `inputs`: 32 lowercase hex digits.
/// Deterministic across processes and platforms, and independent of the order of `inputs` (they
/// are sorted by asset key, partition key, then data version).
///
/// @code
///   std::vector<cairn::InputVersion> inputs{{"credit/raw", "2025-01-01", raw_version}};
///   std::string v = cairn::derive_data_version("3", cairn::config_hash(config_json), inputs);
/// @endcode
std::string derive_data_version(std::string_view code_version, std::string_view config_hash,
                                std::span<const InputVersion> inputs);

/// The hash of a canonical config JSON text (keys sorted, no insignificant whitespace — the
/// caller canonicalizes): 32 lowercase hex digits, or "" when `canonical_config_json` is empty
/// (the asset has no config).
std::string config_hash(std::string_view canonical_config_json);

/// A streaming 128-bit hash of byte strings, each framed by its length (so "ab"+"c" and
/// "a"+"bc" differ). Used by the two functions above; exposed for tests and for other stable
/// fingerprints.
class StableHash {
 public:
  StableHash();
  /// Adds one field: its length, then its bytes.
  StableHash& add(std::string_view field);
  /// 32 lowercase hex digits. Does not change the state: more fields may follow.
  std::string hex() const;

 private:
  void mix_word(std::uint64_t word);

  std::uint64_t lane_a_;
  std::uint64_t lane_b_;
  std::uint64_t words_ = 0;
};

}  // namespace cairn
