#include "graph/selection.hpp"
#include "compute_functions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cairn/error.hpp"

namespace cairn {
namespace {

using testing::leaf;
using testing::pass;
using testing::sum;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

/// Definitions holding just these assets.
Definitions definitions(std::vector<AssetRef> assets) {
  Definitions defs;
  defs.assets = std::move(assets);
  return defs;
}

std::vector<std::string> select(const AssetGraph& g, std::string_view expression) {
  std::vector<std::string> keys;
  for (NodeId id : resolve_selection(g, expression)) keys.push_back(g.key(id));
  return keys;
}

std::string selection_error(const AssetGraph& g, std::string_view expression) {
  try {
    resolve_selection(g, expression);
  } catch (const SelectionError& e) {
    return e.what();
  }
  ADD_FAILURE() << "resolve_selection(\"" << expression << "\") did not throw SelectionError";
  return "";
}

/// raw -> clean -> features -> model ..(after).. report, and an unrelated `other`. Listed out of
/// topological order, so that results must be sorted to come out right.
class Selection : public ::testing::Test {
 protected:
  static AssetGraph make_graph() {
    auto raw = asset<int>("credit/raw").group("credit").tag("team", "data").compute(leaf);
    auto clean = asset<int>("credit/clean")
                     .group("credit")
                     .tag("team", "data")
                     .tag("tier", "gold")
                     .compute(pass, raw);
    auto features = asset<int>("credit/features").group("credit").compute(pass, clean);
    auto model =
        asset<int>("training/model").group("training").tag("team", "ml").compute(pass, features);
    auto report = asset<int>("report").group("reporting").after(model).compute(leaf);
    auto other = asset<int>("other").compute(leaf);
    return AssetGraph::build(definitions({report, model, other, features, clean, raw}));
  }

  std::vector<std::string> select(std::string_view expression) const {
    return cairn::select(graph_, expression);
  }
  std::string error(std::string_view expression) const {
    return selection_error(graph_, expression);
  }

  AssetGraph graph_ = make_graph();
};

TEST_F(Selection, Key) {
  EXPECT_THAT(select("credit/features"), ElementsAre("credit/features"));
}

TEST_F(Selection, StarAloneSelectsEverythingInTopologicalOrder) {
  EXPECT_THAT(select("*"), ElementsAre("other", "credit/raw", "credit/clean", "credit/features",
                                       "training/model", "report"));
}

TEST_F(Selection, AllUpstream) {
  EXPECT_THAT(select("*training/model"),
              ElementsAre("credit/raw", "credit/clean", "credit/features", "training/model"));
}

TEST_F(Selection, UpstreamLayers) {
  EXPECT_THAT(select("+training/model"), ElementsAre("credit/features", "training/model"));
  EXPECT_THAT(select("++training/model"),
              ElementsAre("credit/clean", "credit/features", "training/model"));
}

TEST_F(Selection, DownstreamFollowsOrderingDependencies) {
  EXPECT_THAT(select("training/model+"), ElementsAre("training/model", "report"));
  EXPECT_THAT(select("*report"), ElementsAre("credit/raw", "credit/clean", "credit/features",
                                             "training/model", "report"));
}

TEST_F(Selection, AllDownstream) {
  EXPECT_THAT(select("credit/clean*"),
              ElementsAre("credit/clean", "credit/features", "training/model", "report"));
}

TEST_F(Selection, BothDirections) {
  EXPECT_THAT(select("+credit/clean+"),
              ElementsAre("credit/raw", "credit/clean", "credit/features"));
  EXPECT_THAT(select("++credit/clean++"),
              ElementsAre("credit/raw", "credit/clean", "credit/features", "training/model"));
  EXPECT_THAT(
      select("*credit/features*"),
      ElementsAre("credit/raw", "credit/clean", "credit/features", "training/model", "report"));
}

TEST_F(Selection, Group) {
  EXPECT_THAT(select("group:credit"), ElementsAre("credit/raw", "credit/clean", "credit/features"));
  EXPECT_THAT(select("group:credit+"),
              ElementsAre("credit/raw", "credit/clean", "credit/features", "training/model"));
  EXPECT_THAT(select("+group:training"), ElementsAre("credit/features", "training/model"));
}

TEST_F(Selection, Tag) {
  EXPECT_THAT(select("tag:team=data"), ElementsAre("credit/raw", "credit/clean"));
  EXPECT_THAT(select("tag:team"), ElementsAre("credit/raw", "credit/clean", "training/model"));
  EXPECT_THAT(select("tag:tier"), ElementsAre("credit/clean"));
  EXPECT_THAT(select("*tag:team=ml"),
              ElementsAre("credit/raw", "credit/clean", "credit/features", "training/model"));
}

TEST_F(Selection, Not) {
  EXPECT_THAT(select("not group:credit"), ElementsAre("other", "training/model", "report"));
  EXPECT_THAT(select("not not credit/raw"), ElementsAre("credit/raw"));
}

TEST_F(Selection, And) {
  EXPECT_THAT(select("group:credit and tag:team=data"), ElementsAre("credit/raw", "credit/clean"));
}

TEST_F(Selection, OrAndCommaAreTheSameAndResultIsInTopologicalOrder) {
  EXPECT_THAT(select("training/model or credit/raw"), ElementsAre("credit/raw", "training/model"));
  EXPECT_THAT(select("training/model, credit/raw"), ElementsAre("credit/raw", "training/model"));
  EXPECT_THAT(select("(report,other)"), ElementsAre("other", "report"));
}

TEST_F(Selection, AndBindsTighterThanOr) {
  EXPECT_THAT(select("credit/raw or credit/clean and tag:tier"),
              ElementsAre("credit/raw", "credit/clean"));
  EXPECT_THAT(select("credit/raw, credit/clean and credit/raw"), ElementsAre("credit/raw"));
}

TEST_F(Selection, NotBindsTighterThanAnd) {
  EXPECT_THAT(select("not credit/raw and group:credit"),
              ElementsAre("credit/clean", "credit/features"));
}

TEST_F(Selection, ParenthesesGroup) {
  EXPECT_THAT(select("(credit/raw or training/model) and group:credit"), ElementsAre("credit/raw"));
  EXPECT_THAT(select("not (credit/raw or group:credit) and tag:team"),
              ElementsAre("training/model"));
}

TEST_F(Selection, AnyWhitespaceSeparatesTokens) {
  EXPECT_THAT(select(" \tcredit/raw\n,\ttraining/model  "),
              ElementsAre("credit/raw", "training/model"));
}

TEST_F(Selection, MatchingNothingIsNotAnError) {
  EXPECT_THAT(select("credit/raw and not credit/raw"), IsEmpty());
  EXPECT_THAT(select("not *"), IsEmpty());
}

TEST(SelectionTraversal, ContinuesThroughAssetsSelectedByTheOtherDirection) {
  // a -> x -> c and x -> y; "*group:g*" from {a, c}: x is upstream of c, and y is reached
  // downstream of a only through x.
  auto a = asset<int>("a").group("g").compute(leaf);
  auto x = asset<int>("x").compute(pass, a);
  auto c = asset<int>("c").group("g").compute(pass, x);
  auto y = asset<int>("y").compute(pass, x);
  AssetGraph g = AssetGraph::build(definitions({a, x, c, y}));
  EXPECT_THAT(select(g, "*group:g*"), ElementsAre("a", "x", "c", "y"));
}

TEST_F(Selection, UnknownAssetSuggestsAndUnderlines) {
  EXPECT_EQ(error("credti/raw or group:credit"),
            "invalid selection: unknown asset 'credti/raw' (did you mean 'credit/raw'?)\n"
            "  credti/raw or group:credit\n"
            "  ^^^^^^^^^^");
}

TEST_F(Selection, CaretUnderlinesTheAtomNotTheTraversalMarks) {
  EXPECT_EQ(error("report or +credti/raw*"),
            "invalid selection: unknown asset 'credti/raw' (did you mean 'credit/raw'?)\n"
            "  report or +credti/raw*\n"
            "             ^^^^^^^^^^");
}

TEST_F(Selection, UnknownGroupListsGroups) {
  EXPECT_EQ(error("group:credti"),
            "invalid selection: unknown group 'credti' (did you mean 'credit'?); the groups are "
            "'credit', 'default', 'reporting', 'training'\n"
            "  group:credti\n"
            "  ^^^^^^^^^^^^");
}

TEST_F(Selection, TagValueNoAssetHas) {
  EXPECT_EQ(error("other or tag:team=dat"),
            "invalid selection: no asset has tag 'team=dat' (did you mean 'data'?); the values of "
            "tag 'team' are 'data', 'ml'\n"
            "  other or tag:team=dat\n"
            "           ^^^^^^^^^^^^");
}

TEST_F(Selection, TagKeyNoAssetHas) {
  EXPECT_EQ(error("tag:owner"),
            "invalid selection: no asset has a tag 'owner'; the tags in use are 'team', 'tier'\n"
            "  tag:owner\n"
            "  ^^^^^^^^^");
}

TEST(SelectionErrors, TagWhenNoAssetHasAnyTag) {
  AssetGraph g = AssetGraph::build(definitions({asset<int>("a").compute(leaf)}));
  EXPECT_THAT(selection_error(g, "tag:x"),
              HasSubstr("no asset has a tag 'x'; no asset has any tag\n"));
}

TEST_F(Selection, TermsWithoutOperator) {
  EXPECT_EQ(error("credit/raw training/model"),
            "invalid selection: expected 'or', ',' or 'and' between terms\n"
            "  credit/raw training/model\n"
            "             ^^^^^^^^^^^^^^");
  EXPECT_EQ(error("(report) (other)"),
            "invalid selection: expected 'or', ',' or 'and' between terms\n"
            "  (report) (other)\n"
            "           ^");
}

TEST_F(Selection, NotWithoutAndSuggestsAndNot) {
  EXPECT_EQ(error("credit/raw not report"),
            "invalid selection: expected 'or', ',' or 'and' between terms (did you mean 'and "
            "not'?)\n"
            "  credit/raw not report\n"
            "             ^^^");
}

TEST_F(Selection, UppercaseOperator) {
  EXPECT_EQ(error("report OR other"),
            "invalid selection: expected 'or', ',' or 'and' between terms; operators are written "
            "in lowercase: 'or'\n"
            "  report OR other\n"
            "         ^^");
}

TEST_F(Selection, UnclosedParenthesis) {
  EXPECT_EQ(error("(credit/raw or report"),
            "invalid selection: unbalanced parentheses: this '(' is never closed; add a ')'\n"
            "  (credit/raw or report\n"
            "  ^");
  EXPECT_EQ(error("report and ((other)"),
            "invalid selection: unbalanced parentheses: this '(' is never closed; add a ')'\n"
            "  report and ((other)\n"
            "             ^");
}

TEST_F(Selection, UnmatchedClosingParenthesis) {
  EXPECT_EQ(error("credit/raw)"),
            "invalid selection: unbalanced parentheses: this ')' has no matching '('\n"
            "  credit/raw)\n"
            "            ^");
  EXPECT_EQ(error(") report"),
            "invalid selection: unbalanced parentheses: this ')' has no matching '('\n"
            "  ) report\n"
            "  ^");
}

TEST_F(Selection, EmptyParentheses) {
  EXPECT_EQ(error("report or ( )"),
            "invalid selection: empty parentheses; put a selection inside them\n"
            "  report or ( )\n"
            "            ^^^");
}

TEST_F(Selection, EmptyExpression) {
  const std::string problem =
      "invalid selection: empty selection; write an asset key, group:NAME, tag:KEY=VALUE or '*' "
      "(see docs/selection.md)\n";
  EXPECT_EQ(error(""), problem + "  \n  ^");
  EXPECT_EQ(error("  "), problem + "    \n  ^");
}

TEST_F(Selection, TrailingOperator) {
  EXPECT_EQ(error("credit/raw or"),
            "invalid selection: expected a term after 'or'\n"
            "  credit/raw or\n"
            "             ^^");
  EXPECT_EQ(error("credit/raw and "),
            "invalid selection: expected a term after 'and'\n"
            "  credit/raw and \n"
            "             ^^^");
  EXPECT_EQ(error("report,"),
            "invalid selection: expected a term after ','\n"
            "  report,\n"
            "        ^");
  EXPECT_EQ(error("not"),
            "invalid selection: expected a term after 'not'\n"
            "  not\n"
            "  ^^^");
  EXPECT_EQ(error("(report or)"),
            "invalid selection: expected a term after 'or', found ')'\n"
            "  (report or)\n"
            "            ^");
}

TEST_F(Selection, LeadingOrDoubledOperator) {
  EXPECT_EQ(error("or report"),
            "invalid selection: expected a term before 'or'\n"
            "  or report\n"
            "  ^^");
  EXPECT_EQ(error("report or and other"),
            "invalid selection: expected a term after 'or', found 'and'\n"
            "  report or and other\n"
            "            ^^^");
}

TEST_F(Selection, InvalidCharacterInKey) {
  EXPECT_EQ(error("report!"),
            "invalid selection: character '!' is not allowed in asset key 'report!'; keys are "
            "segments of letters, digits, '_' and '-' joined by '/', e.g. credit/raw_loans\n"
            "  report!\n"
            "        ^");
  // '+' inside '*...': the marks cannot be combined.
  EXPECT_THAT(error("*+report"), HasSubstr("character '+' is not allowed in asset key '+report'"));
}

TEST_F(Selection, EmptyKeySegment) {
  EXPECT_THAT(error("credit//raw"), HasSubstr("empty segment in asset key 'credit//raw'"));
  EXPECT_THAT(error("credit//raw"), ::testing::EndsWith("\n  credit//raw\n         ^"));
  EXPECT_THAT(error("credit/"), ::testing::EndsWith("\n  credit/\n        ^"));
  EXPECT_THAT(error("/raw"), ::testing::EndsWith("\n  /raw\n  ^"));
}

TEST_F(Selection, UnknownPrefix) {
  EXPECT_EQ(error("groups:credit"),
            "invalid selection: unknown prefix 'groups:'; write group:NAME or tag:KEY=VALUE (did "
            "you mean 'group:'?)\n"
            "  groups:credit\n"
            "  ^^^^^^^");
}

TEST_F(Selection, MarksWithoutAtom) {
  EXPECT_EQ(error("report or ++"),
            "invalid selection: expected an asset key, group:NAME or tag:KEY=VALUE in '++'\n"
            "  report or ++\n"
            "            ^^");
}

TEST_F(Selection, EmptyGroupOrTagName) {
  EXPECT_EQ(error("group:"),
            "invalid selection: expected a group name after 'group:'\n"
            "  group:\n"
            "  ^^^^^^");
  EXPECT_THAT(error("tag:=x"), HasSubstr("expected a tag key after 'tag:'"));
}

TEST_F(Selection, SyntaxErrorsComeBeforeUnknownNames) {
  EXPECT_EQ(error("credti/raw or ("),
            "invalid selection: expected a term after '('\n"
            "  credti/raw or (\n"
            "                ^");
}

TEST_F(Selection, DeepNestingIsAnErrorNotACrash) {
  std::string deep = std::string(500, '(') + "report" + std::string(500, ')');
  EXPECT_THAT(error(deep), HasSubstr("selection is nested too deeply (more than 200 levels"));
  std::string nots;
  for (int i = 0; i < 500; ++i) nots += "not ";
  EXPECT_THAT(error(nots + "report"), HasSubstr("nested too deeply"));
}

TEST_F(Selection, CaretLinesUpAfterTabsAndMultiByteCharacters) {
  EXPECT_EQ(error("report\tother\tx"),
            "invalid selection: expected 'or', ',' or 'and' between terms\n"
            "  report\tother\tx\n"
            "        \t^^^^^");
  EXPECT_EQ(error("other or café"),
            "invalid selection: character 'é' is not allowed in asset key 'café'; keys are "
            "segments of letters, digits, '_' and '-' joined by '/', e.g. credit/raw_loans\n"
            "  other or café\n"
            "              ^");
}

TEST_F(Selection, NewlinesInTheExpressionKeepTheCaretOnOneLine) {
  EXPECT_EQ(error("report or\nrport"),
            "invalid selection: unknown asset 'rport' (did you mean 'report'?)\n"
            "  report or rport\n"
            "            ^^^^^");
}

}  // namespace
}  // namespace cairn
