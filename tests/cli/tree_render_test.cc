// Tests for rendering expand trees and check traces as text (tools/rebac/tree_render.h), with
// hand-built protos: what `rebac permission expand` and `permission check --explain` print.
#include "tools/rebac/tree_render.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

template <typename Message>
Message FromText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

TEST(TextTreeTest, DrawsConnectorsAndKeepsMultiLineTextTogether) {
  TextTree root("root");
  TextTree& a = root.AddChild("a");
  a.AddChild("a1");
  a.AddChild("a2\nsecond line");
  root.AddChild("b").AddChild("b1");
  EXPECT_EQ(root.Render(),
            "root\n"
            "├── a\n"
            "│   ├── a1\n"
            "│   └── a2\n"
            "│       second line\n"
            "└── b\n"
            "    └── b1\n");
}

TEST(RenderCheckTraceTest, EmptyDebugInformationSaysSo) {
  EXPECT_EQ(RenderCheckTrace(v1::DebugInformation()), "no trace returned by the server\n");
}

TEST(RenderCheckTraceTest, NestedTraceWithResultsDurationsAndSubject) {
  auto debug = FromText<v1::DebugInformation>(R"pb(
    check {
      resource { object_type: "document" object_id: "1" }
      permission: "view"
      permission_type: PERMISSION_TYPE_PERMISSION
      subject { object { object_type: "user" object_id: "tom" } }
      result: PERMISSIONSHIP_HAS_PERMISSION
      duration { nanos: 1500000 }
      sub_problems {
        traces {
          resource { object_type: "document" object_id: "1" }
          permission: "viewer"
          permission_type: PERMISSION_TYPE_RELATION
          subject { object { object_type: "user" object_id: "tom" } }
          result: PERMISSIONSHIP_NO_PERMISSION
          sub_problems {}
        }
        traces {
          resource { object_type: "document" object_id: "1" }
          permission: "editor"
          permission_type: PERMISSION_TYPE_RELATION
          subject { object { object_type: "user" object_id: "tom" } }
          result: PERMISSIONSHIP_HAS_PERMISSION
          was_cached_result: true
        }
      }
    }
  )pb");
  EXPECT_EQ(RenderCheckTrace(debug),
            "✓ document:1 view (1.5ms)\n"
            "├── ⨉ document:1 viewer (relation)\n"
            "└── ✓ document:1 editor (relation) (cached)\n"
            "    └── user:tom\n");
}

TEST(RenderCheckTraceTest, CaveatEvaluations) {
  auto debug = FromText<v1::DebugInformation>(R"pb(
    check {
      resource { object_type: "document" object_id: "1" }
      permission: "view"
      subject { object { object_type: "user" object_id: "tom" } }
      result: PERMISSIONSHIP_CONDITIONAL_PERMISSION
      caveat_evaluation_info {
        expression: "day != \"sunday\""
        caveat_name: "is_weekday"
        result: RESULT_MISSING_SOME_CONTEXT
        partial_caveat_info { missing_required_context: "day" }
      }
      sub_problems {
        traces {
          resource { object_type: "document" object_id: "2" }
          permission: "view"
          subject { object { object_type: "user" object_id: "tom" } }
          result: PERMISSIONSHIP_CONDITIONAL_PERMISSION
          caveat_evaluation_info {
            expression: "level >= 3"
            caveat_name: "clearance"
            result: RESULT_FALSE
            context {
              fields {
                key: "level"
                value { number_value: 1 }
              }
            }
          }
        }
      }
    }
  )pb");
  EXPECT_EQ(RenderCheckTrace(debug),
            "? document:1 view\n"
            "├── ? day != \"sunday\" is_weekday\n"
            "│   └── missing context: day\n"
            "└── ⨉ document:2 view\n"
            "    └── ⨉ level >= 3 clearance\n"
            "        └── context: {\"level\":1}\n");
}

TEST(RenderCheckTraceTest, CaveatWithoutExpressionOrName) {
  auto debug = FromText<v1::DebugInformation>(R"pb(
    check {
      resource { object_type: "document" object_id: "1" }
      permission: "view"
      result: PERMISSIONSHIP_CONDITIONAL_PERMISSION
      caveat_evaluation_info {
        result: RESULT_MISSING_SOME_CONTEXT
        partial_caveat_info { missing_required_context: "now" }
      }
    }
  )pb");
  EXPECT_EQ(RenderCheckTrace(debug),
            "? document:1 view\n"
            "└── ? caveat\n"
            "    └── missing context: now\n");
}

TEST(RenderExpandTreeTest, OperationsAndLeaves) {
  auto tree = FromText<v1::PermissionRelationshipTree>(R"pb(
    expanded_object { object_type: "document" object_id: "1" }
    expanded_relation: "view"
    intermediate {
      operation: OPERATION_UNION
      children {
        expanded_object { object_type: "document" object_id: "1" }
        expanded_relation: "viewer"
        leaf {
          subjects { object { object_type: "user" object_id: "tom" } }
          subjects {
            object { object_type: "team" object_id: "eng" }
            optional_relation: "member"
          }
        }
      }
      children {
        expanded_object { object_type: "document" object_id: "1" }
        expanded_relation: "nothing"
        leaf {}
      }
    }
  )pb");
  EXPECT_EQ(RenderExpandTree(tree),
            "document:1#view\n"
            "└── union\n"
            "    ├── document:1#viewer\n"
            "    │   ├── user:tom\n"
            "    │   └── team:eng#member\n"
            "    └── document:1#nothing\n"
            "        └── (no subjects)\n");
}

}  // namespace
}  // namespace rebac::cli
