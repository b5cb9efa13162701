#include "tools/rebac/source_excerpt.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace rebac::cli {
namespace {

std::optional<int> MetadataInt(const std::map<std::string, std::string>& metadata,
                               const std::string& key) {
  auto it = metadata.find(key);
  int value = 0;
  if (it == metadata.end() || !absl::SimpleAtoi(it->second, &value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

// Whitespace as wide as the first column-1 characters of `line`, tabs kept as tabs.
std::string CaretPad(absl::string_view line, int column) {
  size_t before = std::min(static_cast<size_t>(std::max(column, 1) - 1), line.size());
  std::string pad;
  for (size_t i = 0; i < before; ++i) pad += line[i] == '\t' ? '\t' : ' ';
  return pad;
}

}  // namespace

std::optional<SourcePosition> FindErrorPosition(
    absl::string_view message, const std::map<std::string, std::string>& metadata) {
  static const std::regex kLineColumn(R"(line (\d+), column (\d+))");
  std::string text(message);
  std::smatch match;
  if (std::regex_search(text, match, kLineColumn)) {
    SourcePosition position;
    if (absl::SimpleAtoi(match[1].str(), &position.line) &&
        absl::SimpleAtoi(match[2].str(), &position.column) && position.line > 0) {
      position.column = std::max(position.column, 1);
      return position;
    }
  }
  std::optional<int> line = MetadataInt(metadata, "start_line_number");
  std::optional<int> column = MetadataInt(metadata, "start_column_position");
  if (line.has_value()) {
    return SourcePosition{*line + 1, column.value_or(0) + 1};
  }
  return std::nullopt;
}

std::string RenderExcerpt(absl::string_view source, absl::string_view name,
                          SourcePosition position) {
  std::string out = absl::StrCat("  --> ", name, ":", position.line, ":", position.column, "\n");
  std::vector<absl::string_view> lines = absl::StrSplit(source, '\n');
  if (position.line < 1 || position.line > static_cast<int>(lines.size())) return out;
  absl::string_view line = lines[position.line - 1];
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::string number = absl::StrCat(position.line);
  std::string gutter(number.size(), ' ');
  absl::StrAppend(&out, " ", number, " | ", line, "\n");
  absl::StrAppend(&out, " ", gutter, " | ", CaretPad(line, position.column), "^\n");
  return out;
}

std::string RenderCaret(absl::string_view text, int column) {
  return absl::StrCat("  ", text, "\n  ", CaretPad(text, column), "^\n");
}

}  // namespace rebac::cli
