// Permission expressions compile to the rewrite trees SpiceDB builds: its precedence (`+` over
// `&` over `-`, all left-associative) and its flattening of unions and intersections.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"

namespace rebac::schema {
namespace {

// Renders a rewrite tree as an s-expression: (+ a b), (& a b), (- a b), a->b, a.all(b), nil.
std::string Render(const RewriteNode& node) {
  switch (node.kind) {
    case RewriteNode::Kind::kNil:
      return "nil";
    case RewriteNode::Kind::kSelf:
      return "self";
    case RewriteNode::Kind::kComputedUserset:
      return node.relation;
    case RewriteNode::Kind::kArrow:
      if (!node.arrow_is_function) return absl::StrCat(node.relation, "->", node.arrow_target);
      return absl::StrCat(
          node.relation,
          node.arrow_function == RewriteNode::ArrowFunction::kAll ? ".all(" : ".any(",
          node.arrow_target, ")");
    default:
      break;
  }
  std::string out = node.kind == RewriteNode::Kind::kUnion          ? "(+"
                    : node.kind == RewriteNode::Kind::kIntersection ? "(&"
                                                                    : "(-";
  for (const RewriteNode& child : node.children) absl::StrAppend(&out, " ", Render(child));
  return out + ")";
}

struct PrecedenceCase {
  std::string expression;
  std::string tree;
};

class PrecedenceTest : public ::testing::TestWithParam<PrecedenceCase> {};

TEST_P(PrecedenceTest, BuildsSpiceDBTree) {
  const std::string schema = absl::StrCat(R"(definition user {}
definition doc {
	relation aaa: user
	relation bbb: user
	relation ccc: user
	relation ddd: user
	relation eee: user
	permission perm = )",
                                          GetParam().expression, "\n}");
  CompileResult result = Compile(schema);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const Relation* perm = result.schema()->FindDefinition("doc")->FindRelation("perm");
  ASSERT_NE(perm, nullptr);
  EXPECT_EQ(Render(perm->rewrite), GetParam().tree);
}

INSTANTIATE_TEST_SUITE_P(
    Precedence, PrecedenceTest,
    ::testing::ValuesIn(std::vector<PrecedenceCase>{
        // `-` binds loosest: it splits first.
        {"aaa - bbb + ccc", "(- aaa (+ bbb ccc))"},
        {"aaa + bbb - ccc", "(- (+ aaa bbb) ccc)"},
        {"aaa - bbb & ccc", "(- aaa (& bbb ccc))"},
        {"aaa & bbb - ccc", "(- (& aaa bbb) ccc)"},
        // `+` binds tighter than `&`.
        {"aaa & bbb + ccc", "(& aaa (+ bbb ccc))"},
        {"aaa + bbb & ccc", "(& (+ aaa bbb) ccc)"},
        {"aaa + bbb & ccc - ddd + eee", "(- (& (+ aaa bbb) ccc) (+ ddd eee))"},
        // Left associativity; exclusions stay binary.
        {"aaa - bbb - ccc", "(- (- aaa bbb) ccc)"},
        {"aaa - bbb - ccc - ddd", "(- (- (- aaa bbb) ccc) ddd)"},
        {"aaa - (bbb - ccc)", "(- aaa (- bbb ccc))"},
        // Unions and intersections are flattened, even across parentheses.
        {"aaa + bbb + ccc", "(+ aaa bbb ccc)"},
        {"(aaa + bbb) + (ccc + ddd)", "(+ aaa bbb ccc ddd)"},
        {"aaa & (bbb & ccc) & ddd", "(& aaa bbb ccc ddd)"},
        {"aaa + (bbb - ccc) + ddd", "(+ aaa (- bbb ccc) ddd)"},
        {"aaa + bbb + (ddd & (eee - ccc) & bbb) + ccc", "(+ aaa bbb (& ddd (- eee ccc) bbb) ccc)"},
        {"(aaa - bbb) & ccc", "(& (- aaa bbb) ccc)"},
        {"(aaa & bbb) + ccc", "(+ (& aaa bbb) ccc)"},
        // A lone operand is a union of one, as SpiceDB compiles it.
        {"aaa", "(+ aaa)"},
        {"(((aaa)))", "(+ aaa)"},
        {"nil", "(+ nil)"},
        {"aaa->bbb", "(+ aaa->bbb)"},
        {"aaa + nil + bbb", "(+ aaa nil bbb)"},
        {"((aaa->bbb) + nil) - ddd", "(- (+ aaa->bbb nil) ddd)"},
        // Arrows bind tighter than any operator.
        {"aaa->bbb + ccc.any(ddd) & eee.all(aaa)", "(& (+ aaa->bbb ccc.any(ddd)) eee.all(aaa))"},
        {"aaa.all(bbb) - ccc->ddd", "(- aaa.all(bbb) ccc->ddd)"},
    }));

}  // namespace
}  // namespace rebac::schema
