#include "graph/caveat_expression.h"

#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <string_view>

#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "graph/error_reason.h"
#include "schema/caveats/convert.h"
#include "schema/caveats/evaluate.h"
#include "schema/caveats/struct_adapter.h"

namespace rebac::graph {
namespace {

namespace cav = schema::caveats;

CaveatExpr Join(CaveatNode::Op op, const CaveatExpr& a, const CaveatExpr& b) {
  auto node = std::make_shared<CaveatNode>();
  node->op = op;
  // Flatten runs of the same operator, as SpiceDB's caveatOr / caveatAnd do.
  for (const CaveatExpr* side : {&a, &b}) {
    if ((*side)->op == op) {
      node->children.insert(node->children.end(), (*side)->children.begin(),
                            (*side)->children.end());
    } else {
      node->children.push_back(*side);
    }
  }
  return node;
}

CaveatExpr Invert(const CaveatExpr& a) {
  auto node = std::make_shared<CaveatNode>();
  node->op = CaveatNode::Op::kNot;
  node->children.push_back(a);
  return node;
}

}  // namespace

CaveatExpr Caveat(std::string name, std::string context) {
  auto node = std::make_shared<CaveatNode>();
  node->op = CaveatNode::Op::kCaveat;
  node->caveat_name = std::move(name);
  node->context = std::move(context);
  return node;
}

Membership Membership::Granted(const storage::RelationshipValue& value) {
  if (value.caveat_name.empty()) return Yes();
  return If(Caveat(value.caveat_name, value.caveat_context));
}

Membership Membership::GrantedEncoded(absl::string_view encoded_value) {
  if (encoded_value.empty()) return Yes();
  storage::RelationshipValue value;
  if (!storage::DecodeValue(encoded_value, &value)) return Yes();
  return Granted(value);
}

std::string Signature(const CaveatExpr& expression) {
  if (expression == nullptr) return "";
  const CaveatNode& node = *expression;
  switch (node.op) {
    case CaveatNode::Op::kCaveat:
      // Length-prefixed: names and serialized contexts may hold any byte.
      return absl::StrCat("c", node.caveat_name.size(), ":", node.caveat_name, node.context.size(),
                          ":", node.context);
    case CaveatNode::Op::kNot:
      return absl::StrCat("!(", Signature(node.children.empty() ? nullptr : node.children[0]), ")");
    case CaveatNode::Op::kAnd:
    case CaveatNode::Op::kOr: {
      std::string out = node.op == CaveatNode::Op::kAnd ? "&(" : "|(";
      for (const CaveatExpr& child : node.children) absl::StrAppend(&out, Signature(child), ",");
      out.push_back(')');
      return out;
    }
  }
  return "";
}

Membership AnyOf(const Membership& a, const Membership& b) {
  if (a.yes() || b.yes()) return Membership::Yes();
  if (a.no()) return b;
  if (b.no()) return a;
  return Membership::If(Join(CaveatNode::Op::kOr, a.condition(), b.condition()));
}

Membership AllOf(const Membership& a, const Membership& b) {
  if (a.no() || b.no()) return Membership::No();
  if (a.yes()) return b;
  if (b.yes()) return a;
  return Membership::If(Join(CaveatNode::Op::kAnd, a.condition(), b.condition()));
}

Membership Excluding(const Membership& base, const Membership& excluded) {
  if (base.no() || excluded.yes()) return Membership::No();
  if (excluded.no()) return base;
  CaveatExpr not_excluded = Invert(excluded.condition());
  if (base.yes()) return Membership::If(std::move(not_excluded));
  return Membership::If(Join(CaveatNode::Op::kAnd, base.condition(), not_excluded));
}

CaveatRunner::CaveatRunner(const schema::CompiledSchema& schema, cav::ValueMap request_context)
    : schema_(schema), request_context_(std::move(request_context)) {}

absl::StatusOr<CaveatOutcome> CaveatRunner::RunLeaf(const CaveatNode& leaf) {
  std::string key = absl::StrCat(leaf.caveat_name, absl::string_view("\0", 1), leaf.context);
  if (auto it = leaf_cache_.find(key); it != leaf_cache_.end()) return it->second;

  const schema::Caveat* caveat = schema_.FindCaveat(leaf.caveat_name);
  if (caveat == nullptr || caveat->compiled == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("caveat with name `", leaf.caveat_name, "` not found"),
                           "ERROR_REASON_UNKNOWN_CAVEAT", {{"caveat_name", leaf.caveat_name}});
  }
  // The written context takes precedence over the request's (SpiceDB: run.go).
  cav::ValueMap merged = request_context_;
  if (!leaf.context.empty()) {
    google::protobuf::Struct stored;
    if (!stored.ParseFromString(leaf.context)) {
      return absl::DataLossError(
          absl::StrCat("the stored context of caveat `", leaf.caveat_name, "` does not parse"));
    }
    absl::StatusOr<cav::ValueMap> fields = cav::FromStruct(stored);
    if (!fields.ok()) return fields.status();
    for (auto& [name, value] : *fields) merged.insert_or_assign(name, std::move(value));
  }
  std::string parameter;
  absl::StatusOr<cav::Context> typed = cav::ConvertContext(
      caveat->compiled->parameters(), merged, cav::UnknownParameters::kSkip, &parameter);
  if (!typed.ok()) {
    std::map<std::string, std::string> metadata = {{"caveat_name", leaf.caveat_name}};
    if (!parameter.empty()) metadata["parameter_name"] = parameter;
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("type error for parameters for caveat `", leaf.caveat_name,
                                        "`: ", typed.status().message()),
                           "ERROR_REASON_CAVEAT_PARAMETER_TYPE_ERROR", metadata);
  }
  absl::StatusOr<cav::EvalResult> evaluated = cav::Evaluate(*caveat->compiled, *typed);
  if (!evaluated.ok()) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("evaluation error for caveat ", leaf.caveat_name, ": ",
                                        evaluated.status().message()),
                           "ERROR_REASON_CAVEAT_EVALUATION_ERROR",
                           {{"caveat_name", leaf.caveat_name}});
  }
  CaveatOutcome outcome;
  switch (evaluated->kind) {
    case cav::EvalResult::Kind::kTrue:
      outcome.kind = CaveatOutcome::Kind::kTrue;
      break;
    case cav::EvalResult::Kind::kFalse:
      outcome.kind = CaveatOutcome::Kind::kFalse;
      break;
    case cav::EvalResult::Kind::kUnknown:
      outcome.kind = CaveatOutcome::Kind::kPartial;
      outcome.missing = evaluated->missing;
      break;
  }
  leaf_cache_.emplace(std::move(key), outcome);
  return outcome;
}

absl::StatusOr<CaveatOutcome> CaveatRunner::Run(const CaveatExpr& expression) {
  if (expression == nullptr) return absl::InternalError("empty caveat expression");
  const CaveatNode& node = *expression;
  if (node.op == CaveatNode::Op::kCaveat) return RunLeaf(node);
  if (node.op == CaveatNode::Op::kNot) {
    if (node.children.size() != 1) return absl::InternalError("`not` without one operand");
    absl::StatusOr<CaveatOutcome> inner = Run(node.children[0]);
    if (!inner.ok()) return inner;
    if (inner->kind == CaveatOutcome::Kind::kTrue)
      inner->kind = CaveatOutcome::Kind::kFalse;
    else if (inner->kind == CaveatOutcome::Kind::kFalse)
      inner->kind = CaveatOutcome::Kind::kTrue;
    return inner;
  }
  // and / or: the first decisive child answers; otherwise partial children leave it open.
  const bool is_and = node.op == CaveatNode::Op::kAnd;
  const CaveatOutcome::Kind decisive =
      is_and ? CaveatOutcome::Kind::kFalse : CaveatOutcome::Kind::kTrue;
  bool partial = false;
  absl::btree_set<std::string> missing;
  for (const CaveatExpr& child : node.children) {
    absl::StatusOr<CaveatOutcome> result = Run(child);
    if (!result.ok()) return result;
    if (result->kind == decisive) return CaveatOutcome{decisive, {}};
    if (result->kind == CaveatOutcome::Kind::kPartial) {
      partial = true;
      missing.insert(result->missing.begin(), result->missing.end());
    }
  }
  if (!partial) {
    return CaveatOutcome{is_and ? CaveatOutcome::Kind::kTrue : CaveatOutcome::Kind::kFalse, {}};
  }
  return CaveatOutcome{CaveatOutcome::Kind::kPartial,
                       std::vector<std::string>(missing.begin(), missing.end())};
}

}  // namespace rebac::graph
