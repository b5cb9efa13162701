// Tests for the rebac CLI's error-position helpers (tools/rebac/source_excerpt.h).
#include "tools/rebac/source_excerpt.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace rebac::cli {
namespace {

TEST(FindErrorPositionTest, ReadsTheMessage) {
  std::optional<SourcePosition> position = FindErrorPosition(
      "parse error in `schema`, line 4, column 19: Expected one of: [TokenTypeColon]", {});
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(*position, (SourcePosition{4, 19}));
}

TEST(FindErrorPositionTest, MessageWinsOverMetadata) {
  std::map<std::string, std::string> metadata = {{"start_line_number", "0"},
                                                 {"start_column_position", "0"}};
  std::optional<SourcePosition> position =
      FindErrorPosition("error, line 2, column 3: nope", metadata);
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(*position, (SourcePosition{2, 3}));
}

TEST(FindErrorPositionTest, MetadataIsZeroBased) {
  std::map<std::string, std::string> metadata = {
      {"start_line_number", "3"}, {"start_column_position", "18"}, {"source_code", "user"}};
  std::optional<SourcePosition> position = FindErrorPosition("Expected ':'", metadata);
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(*position, (SourcePosition{4, 19}));
}

TEST(FindErrorPositionTest, NothingToFind) {
  EXPECT_FALSE(FindErrorPosition("object definition `foo` not found", {}).has_value());
  EXPECT_FALSE(FindErrorPosition("x", {{"start_line_number", "x"}}).has_value());
}

TEST(RenderExcerptTest, CaretUnderTheColumn) {
  std::string source = "definition user {}\n\ndefinition document {\n  relation viewer user\n}\n";
  EXPECT_EQ(RenderExcerpt(source, "bad.zed", {4, 19}),
            "  --> bad.zed:4:19\n"
            " 4 |   relation viewer user\n"
            "   |                   ^\n");
}

TEST(RenderExcerptTest, KeepsTabsAndHandlesCrLf) {
  EXPECT_EQ(RenderExcerpt("a\r\n\tb x\r\n", "f", {2, 4}),
            "  --> f:2:4\n"
            " 2 | \tb x\n"
            "   | \t  ^\n");
}

TEST(RenderExcerptTest, LineOutOfRangeGivesOnlyTheLocation) {
  EXPECT_EQ(RenderExcerpt("one line", "f", {7, 1}), "  --> f:7:1\n");
}

TEST(RenderExcerptTest, ColumnPastTheEndPointsAfterTheLine) {
  EXPECT_EQ(RenderExcerpt("abc", "f", {1, 99}),
            "  --> f:1:99\n"
            " 1 | abc\n"
            "   |    ^\n");
}

TEST(RenderCaretTest, OneLineInput) {
  EXPECT_EQ(RenderCaret("user alice", 5), "  user alice\n      ^\n");
}

}  // namespace
}  // namespace rebac::cli
