#include "tools/rebac/tree_render.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/rebac/json_struct.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

std::string ObjectText(const v1::ObjectReference& object) {
  return absl::StrCat(object.object_type(), ":", object.object_id());
}

std::string SubjectText(const v1::SubjectReference& subject) {
  std::string out = ObjectText(subject.object());
  if (!subject.optional_relation().empty()) absl::StrAppend(&out, "#", subject.optional_relation());
  return out;
}

// Adds `tree` under `parent`; the top call passes `parent` == nullptr and `root`, which then
// takes the expanded resource#relation as its own text.
void AddExpandNode(const v1::PermissionRelationshipTree& tree, TextTree* parent, TextTree* root) {
  TextTree* node = parent != nullptr ? parent : root;
  if (tree.has_expanded_object()) {
    std::string text =
        absl::StrCat(ObjectText(tree.expanded_object()), "#", tree.expanded_relation());
    if (parent == nullptr) {
      root->set_text(std::move(text));
    } else {
      node = &parent->AddChild(std::move(text));
    }
  }
  if (tree.has_intermediate()) {
    const char* name = "union";
    switch (tree.intermediate().operation()) {
      case v1::AlgebraicSubjectSet::OPERATION_INTERSECTION:
        name = "intersection";
        break;
      case v1::AlgebraicSubjectSet::OPERATION_EXCLUSION:
        name = "exclusion";
        break;
      default:
        break;
    }
    TextTree& operation = node->AddChild(name);
    for (const v1::PermissionRelationshipTree& child : tree.intermediate().children()) {
      AddExpandNode(child, &operation, nullptr);
    }
  } else if (tree.has_leaf()) {
    if (tree.leaf().subjects().empty()) node->AddChild("(no subjects)");
    for (const v1::SubjectReference& subject : tree.leaf().subjects()) {
      node->AddChild(SubjectText(subject));
    }
  }
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  absl::Duration d = absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos());
  return absl::FormatDuration(d);
}

// Adds the step under `parent`, or makes `root` the step when `parent` is nullptr.
void AddCheckStep(const v1::CheckDebugTrace& trace, TextTree* parent, TextTree* root) {
  const char* mark = "∵";
  switch (trace.result()) {
    case v1::CheckDebugTrace::PERMISSIONSHIP_HAS_PERMISSION:
      mark = "✓";
      break;
    case v1::CheckDebugTrace::PERMISSIONSHIP_NO_PERMISSION:
      mark = "⨉";
      break;
    case v1::CheckDebugTrace::PERMISSIONSHIP_CONDITIONAL_PERMISSION:
      mark = "?";
      if (trace.caveat_evaluation_info().result() == v1::CaveatEvalInfo::RESULT_FALSE) mark = "⨉";
      break;
    default:
      break;
  }
  std::string line = absl::StrCat(mark, " ", ObjectText(trace.resource()), " ", trace.permission());
  if (trace.permission_type() == v1::CheckDebugTrace::PERMISSION_TYPE_RELATION) {
    absl::StrAppend(&line, " (relation)");
  }
  if (trace.has_was_cached_result() && trace.was_cached_result()) {
    absl::StrAppend(&line, " (cached)");
  }
  if (trace.has_duration()) absl::StrAppend(&line, " (", FormatDuration(trace.duration()), ")");
  TextTree* step_node = root;
  if (parent == nullptr) {
    root->set_text(std::move(line));
  } else {
    step_node = &parent->AddChild(std::move(line));
  }
  TextTree& step = *step_node;

  if (trace.has_caveat_evaluation_info()) {
    const v1::CaveatEvalInfo& info = trace.caveat_evaluation_info();
    const char* indicator = "∵";
    switch (info.result()) {
      case v1::CaveatEvalInfo::RESULT_TRUE:
        indicator = "✓";
        break;
      case v1::CaveatEvalInfo::RESULT_FALSE:
        indicator = "⨉";
        break;
      case v1::CaveatEvalInfo::RESULT_MISSING_SOME_CONTEXT:
        indicator = "?";
        break;
      default:
        break;
    }
    // "EXPRESSION NAME"; whichever the server filled, or just "caveat".
    std::string what = absl::StrCat(info.expression(), " ", info.caveat_name());
    if (info.expression().empty() || info.caveat_name().empty()) {
      what = absl::StrCat(info.expression(), info.caveat_name());
    }
    if (what.empty()) what = "caveat";
    TextTree& caveat = step.AddChild(absl::StrCat(indicator, " ", what));
    if (!info.context().fields().empty()) {
      caveat.AddChild(absl::StrCat("context: ", StructToJson(info.context())));
    } else if (info.result() != v1::CaveatEvalInfo::RESULT_MISSING_SOME_CONTEXT) {
      caveat.AddChild("(no matching context found)");
    }
    if (info.result() == v1::CaveatEvalInfo::RESULT_MISSING_SOME_CONTEXT) {
      caveat.AddChild(
          absl::StrCat("missing context: ",
                       absl::StrJoin(info.partial_caveat_info().missing_required_context(), ", ")));
    }
  }

  if (trace.has_sub_problems()) {
    for (const v1::CheckDebugTrace& sub : trace.sub_problems().traces())
      AddCheckStep(sub, &step, nullptr);
  } else if (trace.result() == v1::CheckDebugTrace::PERMISSIONSHIP_HAS_PERMISSION &&
             trace.has_subject()) {
    step.AddChild(SubjectText(trace.subject()));
  }
}

}  // namespace

TextTree& TextTree::AddChild(std::string text) {
  children_.emplace_back(std::move(text));
  return children_.back();
}

std::string TextTree::Render() const {
  std::string out;
  if (!text_.empty()) absl::StrAppend(&out, text_, "\n");
  RenderChildren("", &out);
  return out;
}

void TextTree::RenderChildren(const std::string& prefix, std::string* out) const {
  for (size_t i = 0; i < children_.size(); ++i) {
    const bool last = i + 1 == children_.size();
    const std::string continuation = absl::StrCat(prefix, last ? "    " : "│   ");
    std::vector<absl::string_view> lines = absl::StrSplit(children_[i].text_, '\n');
    for (size_t k = 0; k < lines.size(); ++k) {
      absl::StrAppend(out, k == 0 ? absl::StrCat(prefix, last ? "└── " : "├── ") : continuation,
                      lines[k], "\n");
    }
    children_[i].RenderChildren(continuation, out);
  }
}

std::string RenderExpandTree(const v1::PermissionRelationshipTree& tree) {
  TextTree root;
  AddExpandNode(tree, nullptr, &root);
  return root.Render();
}

std::string RenderCheckTrace(const v1::DebugInformation& debug) {
  if (!debug.has_check()) return "no trace returned by the server\n";
  TextTree root;
  AddCheckStep(debug.check(), nullptr, &root);
  return root.Render();
}

}  // namespace rebac::cli
