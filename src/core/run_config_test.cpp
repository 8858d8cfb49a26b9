#include "core/run_config.hpp"

#include <gtest/gtest.h>

#include "cairn/cairn.hpp"

namespace cairn {
namespace {

struct TrainConfig {
  double learning_rate = 0.1;
  std::int64_t rounds = 100;
  std::string objective = "binary:logistic";
  bool early_stopping = true;
  std::vector<double> thresholds{0.5};
  std::vector<std::string> features;
};

void describe_config(ConfigSchema<TrainConfig>& s) {
  s.field("learning_rate", &TrainConfig::learning_rate, "shrinkage");
  s.field("rounds", &TrainConfig::rounds);
  s.field("objective", &TrainConfig::objective);
  s.field("early_stopping", &TrainConfig::early_stopping);
  s.field("thresholds", &TrainConfig::thresholds);
  s.field("features", &TrainConfig::features);
}

class RunConfigTest : public ::testing::Test {
 protected:
  Asset<int> train = asset<int>("train").config<TrainConfig>().compute(
      [](Context&, const TrainConfig& c) { return static_cast<int>(c.rounds); });
  Asset<int> plain = asset<int>("plain").compute([](Context&) { return 0; });
  std::vector<const AssetDefinition*> defs{&train.definition(), &plain.definition()};

  RunConfig resolve(std::vector<ConfigSource> sources) { return resolve_run_config(sources, defs); }

  std::string error_of(std::vector<ConfigSource> sources) {
    try {
      resolve(std::move(sources));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(RunConfigTest, DefaultsComeFromTheStruct) {
  RunConfig config = resolve({});
  const auto& c = config.by_asset.at("train").as<TrainConfig>();
  EXPECT_DOUBLE_EQ(c.learning_rate, 0.1);
  EXPECT_EQ(c.rounds, 100);
  EXPECT_EQ(config.json_text, "{}");
  EXPECT_FALSE(config.by_asset.contains("plain"));
}

TEST_F(RunConfigTest, LaterSourcesOverrideEarlierOnesFieldByField) {
  RunConfig config =
      resolve({{"job 'nightly'",
                R"({"assets": {"train": {"rounds": 50, "objective": "reg:squarederror"}}})"},
               {"run.json", R"({"assets": {"train": {"rounds": 75, "learning_rate": 1,
                                             "thresholds": [0.2, 1], "features": ["a", "b"]}}})"}});
  const auto& c = config.by_asset.at("train").as<TrainConfig>();
  EXPECT_EQ(c.rounds, 75);
  EXPECT_EQ(c.objective, "reg:squarederror");
  EXPECT_DOUBLE_EQ(c.learning_rate, 1.0);  // an integer is accepted for a float field
  EXPECT_EQ(c.thresholds, (std::vector<double>{0.2, 1.0}));
  EXPECT_EQ(c.features, (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(config.json_text.find("\"rounds\":75"), std::string::npos);
}

TEST_F(RunConfigTest, SyntaxErrorsNameTheSourceLineAndColumn) {
  std::string e =
      error_of({{"bad.json", "{\n  \"assets\": {\n    \"train\": {\"rounds\": 5,}\n  }\n}"}});
  EXPECT_NE(e.find("bad.json"), std::string::npos) << e;
  EXPECT_NE(e.find("line 3"), std::string::npos) << e;
  EXPECT_NE(e.find("column"), std::string::npos) << e;
}

TEST_F(RunConfigTest, UnknownAssetsAndFieldsAreRejectedWithSuggestions) {
  std::string e = error_of({{"c.json", R"({"assets": {"trian": {}}})"}});
  EXPECT_NE(e.find("asset 'trian': no such asset (did you mean 'train'?)"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"assets": {"train": {"round": 3}}})"}});
  EXPECT_NE(e.find("unknown field 'round' (did you mean 'rounds'?)"), std::string::npos) << e;
  EXPECT_NE(e.find("learning_rate (float)"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"assets": {"plain": {"x": 1}}})"}});
  EXPECT_NE(e.find("declares no config"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"asets": {}})"}});
  EXPECT_NE(e.find("unknown top-level key 'asets'"), std::string::npos) << e;
  e = error_of({{"c.json", R"([1, 2])"}});
  EXPECT_NE(e.find("must be a JSON object"), std::string::npos) << e;
}

TEST_F(RunConfigTest, WrongTypesAreRejected) {
  std::string e = error_of({{"c.json", R"({"assets": {"train": {"rounds": "ten"}}})"}});
  EXPECT_NE(e.find("field 'rounds' must be int, got a string (\"ten\")"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"assets": {"train": {"rounds": 2.5}}})"}});
  EXPECT_NE(e.find("must be int, got a number"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"assets": {"train": {"early_stopping": 1}}})"}});
  EXPECT_NE(e.find("must be bool"), std::string::npos) << e;
  e = error_of({{"c.json", R"({"assets": {"train": {"thresholds": [1, "x"]}}})"}});
  EXPECT_NE(e.find("must be float[]"), std::string::npos) << e;
}

}  // namespace
}  // namespace cairn
