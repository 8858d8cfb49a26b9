#pragma once
// Stores a trained forecaster (cairn::ml::TrainedModel<M>) as the value of a train_* asset, so
// that evaluate_* can run in a later run than the training: the model's own native file plus
// where train_and_log_model logged it.
//
// Format "trained-model/v1": four lines — the format name, the tracking run id, the artifact
// path, the flavor — then the model file's bytes exactly as M::to_bytes() wrote them (XGBoost
// UBJ, cairn-linear JSON, ...). A text header rather than a wrapper format keeps the model bytes
// untouched: the tail of the stored value is the native file.

#include <cairn/codec.hpp>
#include <cairn/error.hpp>
#include <cairn/ml/model_workflow.hpp>

#include <array>
#include <concepts>
#include <string>
#include <string_view>

namespace demand_forecast {

/// An estimator that can be rebuilt from its to_bytes().
template <class M>
concept LoadableEstimator = cairn::ml::Estimator<M> && requires(std::string_view bytes) {
  { M::from_bytes(bytes) } -> std::same_as<M>;
};

}  // namespace demand_forecast

template <demand_forecast::LoadableEstimator M>
struct cairn::Codec<cairn::ml::TrainedModel<M>> {
  static constexpr const char* name = "trained-model/v1";

  static std::string encode(const cairn::ml::TrainedModel<M>& trained) {
    return std::string(name) + '\n' + trained.tracking_run_id + '\n' + trained.artifact_path +
           '\n' + trained.flavor + '\n' + trained.model.to_bytes();
  }

  static cairn::ml::TrainedModel<M> decode(std::string_view bytes) {
    std::array<std::string_view, 4> lines;
    for (auto& line : lines) {
      const auto end = bytes.find('\n');
      if (end == std::string_view::npos) {
        throw cairn::Error(
            "a stored trained model lacks its four header lines; re-materialize "
            "the train_* asset");
      }
      line = bytes.substr(0, end);
      bytes.remove_prefix(end + 1);
    }
    if (lines[0] != name) {
      throw cairn::Error("a stored trained model has format '" + std::string(lines[0]) +
                         "', not '" + name + "'; re-materialize the train_* asset");
    }
    return {M::from_bytes(bytes), std::string(lines[1]), std::string(lines[2]),
            std::string(lines[3])};
  }
};
