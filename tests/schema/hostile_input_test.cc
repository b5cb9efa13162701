// Hostile and malformed input: Compile() must return (accept or refuse), never crash, never
// recurse without bound, and stay fast on large input.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"
#include "tests/schema/schema_corpus.h"

namespace rebac::schema {
namespace {

using ::testing::HasSubstr;

std::string Repeat(const std::string& piece, int count) {
  std::string out;
  out.reserve(piece.size() * count);
  for (int i = 0; i < count; ++i) out += piece;
  return out;
}

std::string PermissionSchema(const std::string& expression) {
  return absl::StrCat("definition doc {\n\trelation aaa: doc\n\tpermission perm = ", expression,
                      "\n}");
}

// Deterministic generator, so that failures reproduce.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

// Whatever Compile() says, a schema it accepts must print to text that compiles and reprints
// identically.
void ExpectConsistent(const std::string& text) {
  CompileResult result = Compile(text);
  if (!result.ok()) {
    EXPECT_GE(result.error().line, 1);
    EXPECT_GE(result.error().column, 1);
    EXPECT_FALSE(result.error().message.empty());
    return;
  }
  const std::string printed = Print(*result.schema());
  CompileResult again = Compile(printed);
  ASSERT_TRUE(again.ok()) << "printed text does not compile: " << again.error().ToString()
                          << "\n--- input ---\n"
                          << text << "\n--- printed ---\n"
                          << printed;
  EXPECT_EQ(Print(*again.schema()), printed);
}

TEST(HostileInputTest, DeepParenthesesAreRefused) {
  CompileResult result =
      Compile(PermissionSchema(Repeat("(", 100000) + "aaa" + Repeat(")", 100000)));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, SchemaError::Kind::kParse);
  EXPECT_THAT(result.error().message, HasSubstr("maximum depth of 1000"));
}

TEST(HostileInputTest, NestingBelowTheLimitCompiles) {
  std::string expression = "aaa";
  for (int i = 0; i < 400; ++i) expression = absl::StrCat("(", expression, " - aaa)");
  CompileResult result = Compile(PermissionSchema(expression));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  ExpectConsistent(PermissionSchema(expression));
}

TEST(HostileInputTest, LongExclusionChainIsRefusedNotOverflowed) {
  CompileResult result = Compile(PermissionSchema("aaa" + Repeat(" - aaa", 200000)));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("maximum depth of 1000"));
}

TEST(HostileInputTest, RightNestedExclusionsAreRefused) {
  std::string expression = "aaa";
  for (int i = 0; i < 1200; ++i) expression = absl::StrCat("aaa - (", expression, ")");
  CompileResult result = Compile(PermissionSchema(expression));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("maximum depth of 1000"));
}

TEST(HostileInputTest, LongUnionIsFlatAndFine) {
  CompileResult result = Compile(PermissionSchema("aaa" + Repeat(" + aaa & aaa", 100000)));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const RewriteNode& rewrite =
      result.schema()->FindDefinition("doc")->FindRelation("perm")->rewrite;
  EXPECT_EQ(rewrite.kind, RewriteNode::Kind::kIntersection);
  EXPECT_EQ(rewrite.children.size(), 100001);
}

TEST(HostileInputTest, DeepCaveatTypeIsRefused) {
  CompileResult result =
      Compile("caveat c(x " + Repeat("list<", 50000) + "int" + Repeat(">", 50000) + ") { x }");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("maximum depth of 1000"));
}

TEST(HostileInputTest, LongSubjectRelationChainDoesNotOverflow) {
  // def0#rel allows def1#rel, ..., the last allows user:*: the wildcard search walks 20000
  // definitions deep.
  constexpr int kCount = 20000;
  std::string text = "definition user {}\n";
  for (int i = 0; i < kCount; ++i) {
    absl::StrAppend(&text, "definition def", i, " {\n\trelation rel: ",
                    i + 1 < kCount ? absl::StrCat("def", i + 1, "#rel") : "user:*", "\n}\n");
  }
  CompileResult result = Compile(text);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, SchemaError::Kind::kType);
  EXPECT_THAT(result.error().message,
              HasSubstr("wildcard relations cannot be transitively included"));
  EXPECT_EQ(result.error().line, 3);
}

TEST(HostileInputTest, LargeSchemaCompilesQuickly) {
  std::string text = "definition user {}\n";
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&text, "/** doc ", i, " */\ndefinition doc", i,
                    " {\n\trelation viewer: user | user:*\n\trelation parent: doc", i,
                    "\n\tpermission view = viewer + parent->view - nil\n}\n");
  }
  ASSERT_GT(text.size(), 2u << 20);
  const auto start = std::chrono::steady_clock::now();
  CompileResult result = Compile(text);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  const std::string printed = Print(*result.schema());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.schema()->definitions().size(), 20001);
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  EXPECT_EQ(Print(*Compile(printed).schema()), printed);
}

TEST(HostileInputTest, TruncatedInputs) {
  for (const std::string& text : std::vector<std::string>{"/*",
                                                          "/**",
                                                          "\"",
                                                          "'",
                                                          "'''",
                                                          "caveat c(x int) { \"",
                                                          "definition",
                                                          "definition a",
                                                          "definition a {",
                                                          "definition a { relation",
                                                          "definition a { permission p = (",
                                                          "caveat",
                                                          "caveat c(",
                                                          "caveat c(x",
                                                          "caveat c(x list<",
                                                          "caveat c(x int) {",
                                                          "use",
                                                          "definition a { relation b: c with",
                                                          "definition a { relation b: c:",
                                                          std::string("\0\0\0", 3),
                                                          "definition a { permission p = b.",
                                                          "}}}}",
                                                          "((((",
                                                          "-> ->"}) {
    SCOPED_TRACE(text);
    CompileResult result = Compile(text);
    EXPECT_FALSE(result.ok());
  }
}

TEST(HostileInputTest, RandomBytesNeverCrash) {
  Random random(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text(random.Below(200), '\0');
    for (char& c : text) c = static_cast<char>(random.Below(256));
    ExpectConsistent(text);
  }
}

TEST(HostileInputTest, RandomTokenSoupNeverCrashes) {
  static const std::vector<std::string> kPieces = {"definition ", "caveat ",
                                                   "relation ",   "permission ",
                                                   "use ",        "expiration ",
                                                   "and ",        "with ",
                                                   "nil ",        "user",
                                                   "doc",         "aaa",
                                                   "bbb",         "/",
                                                   "{",           "}",
                                                   "(",           ")",
                                                   ":",           "*",
                                                   "#",           "...",
                                                   "|",           "+",
                                                   "&",           "-",
                                                   "->",          ".any(",
                                                   ".all(",       "=",
                                                   ";",           "\n",
                                                   " ",           "//c\n",
                                                   "/**d*/",      "<",
                                                   ">",           ",",
                                                   "int",         "list",
                                                   "\"s\"",       "'",
                                                   "x == 1",      "\t",
                                                   "\r\n",        "$"};
  Random random(7);
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    const size_t count = random.Below(60);
    for (size_t i = 0; i < count; ++i) text += kPieces[random.Below(kPieces.size())];
    ExpectConsistent(text);
  }
}

TEST(HostileInputTest, MutatedCorpusStaysConsistent) {
  static const std::string kAlphabet = "{}()<>:;|+&-*#/.=,\n \t\"'abcdeuxz_019$";
  Random random(1234);
  for (const testing::CorpusEntry& entry : testing::AcceptedSchemas()) {
    for (int round = 0; round < 150; ++round) {
      std::string text = entry.text;
      const size_t edits = 1 + random.Below(4);
      for (size_t e = 0; e < edits; ++e) {
        const size_t at = text.empty() ? 0 : random.Below(text.size() + 1);
        switch (random.Below(3)) {
          case 0:
            if (at < text.size()) text.erase(at, 1 + random.Below(5));
            break;
          case 1:
            text.insert(at, 1, kAlphabet[random.Below(kAlphabet.size())]);
            break;
          default:
            if (at < text.size()) text[at] = kAlphabet[random.Below(kAlphabet.size())];
            break;
        }
      }
      SCOPED_TRACE(text);
      ExpectConsistent(text);
    }
  }
}

}  // namespace
}  // namespace rebac::schema
