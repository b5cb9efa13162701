// Rendering the server's trees as indented text, as zed prints them:
//
//   document:1#view
//   └── union
//       ├── document:1#viewer
//       │   └── user:tom
//       └── ...
//
// RenderExpandTree prints an ExpandPermissionTree answer; RenderCheckTrace prints the
// DebugInformation of a CheckPermission made with `with_tracing` (what `--explain` shows).
// Pure functions of the protos: no I/O, no colours.
#ifndef REBACD_TOOLS_REBAC_TREE_RENDER_H_
#define REBACD_TOOLS_REBAC_TREE_RENDER_H_

#include <string>
#include <utility>
#include <vector>

#include "authzed/api/v1/core.pb.h"
#include "authzed/api/v1/debug.pb.h"

namespace rebac::cli {

// A tree of text lines; Render() draws it with box-drawing connectors.
class TextTree {
 public:
  explicit TextTree(std::string text = "") : text_(std::move(text)) {}

  void set_text(std::string text) { text_ = std::move(text); }

  // Adds a child and returns it (valid until the next AddChild on this node).
  TextTree& AddChild(std::string text);

  // The root's line(s) without a connector, then each child, indented. Multi-line texts keep
  // their lines together under one connector.
  std::string Render() const;

 private:
  void RenderChildren(const std::string& prefix, std::string* out) const;

  std::string text_;
  std::vector<TextTree> children_;
};

// "document:1#view" then the tree: union/intersection/exclusion nodes, each child's
// `type:id#relation`, and leaf subjects as `user:tom` or `group:eng#member`.
std::string RenderExpandTree(const authzed::api::v1::PermissionRelationshipTree& tree);

// One line per step: "✓ document:1 view (1.2ms)" (⨉ no permission, ? missing context,
// ∵ unspecified), then its caveat evaluation (expression, caveat name, context or missing
// names), then its sub-problems; a permitted leaf step ends with its subject. Returns
// "no trace returned by the server\n" when `debug` has no check trace.
std::string RenderCheckTrace(const authzed::api::v1::DebugInformation& debug);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_TREE_RENDER_H_
