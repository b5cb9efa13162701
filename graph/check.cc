#include "graph/check.h"

#include <string_view>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "graph/error_reason.h"

namespace rebac::graph {
namespace {

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

std::string MemoKey(absl::string_view type, absl::string_view id, absl::string_view relation) {
  std::string key;
  key.reserve(type.size() + id.size() + relation.size() + 2);
  key.append(type.data(), type.size()).push_back('\0');
  key.append(id.data(), id.size()).push_back('\0');
  key.append(relation.data(), relation.size());
  return key;
}

Permissionship ToPermissionship(const Membership& m) {
  if (m.yes()) return Permissionship::kHasPermission;
  if (m.no()) return Permissionship::kNoPermission;
  return Permissionship::kConditional;
}

std::string SubjectText(const CheckRequest& r) {
  std::string out = absl::StrCat(r.subject_type, ":", r.subject_id);
  if (!r.subject_relation.empty()) absl::StrAppend(&out, "#", r.subject_relation);
  return out;
}

}  // namespace

Checker::Checker(std::shared_ptr<const schema::CompiledSchema> schema,
                 std::shared_ptr<const storage::Snapshot> snapshot, CheckOptions options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(options) {}

absl::StatusOr<Membership> Checker::CheckMembership(const CheckRequest& request) {
  // Memoized sub-problems are about one subject (caveats are kept as conditions, not
  // evaluated), so they stay valid for the next check of the same subject: CheckBulk items
  // share their work this way.
  if (request.subject_type != request_.subject_type || request.subject_id != request_.subject_id ||
      request.subject_relation != request_.subject_relation) {
    memo_.clear();
    path_dependent_.clear();
  }
  request_ = request;
  on_path_.clear();
  dispatches_ = 0;
  const schema::Definition* definition = schema_->FindDefinition(request.resource_type);
  if (definition == nullptr) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat("object definition `", request.resource_type, "` not found"),
        "ERROR_REASON_UNKNOWN_DEFINITION", {{"definition_name", request.resource_type}});
  }
  if (definition->FindRelation(request.permission) == nullptr) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat("relation/permission `", request.permission, "` not found under definition `",
                     request.resource_type, "`"),
        "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
        {{"definition_name", request.resource_type},
         {"relation_or_permission_name", request.permission}});
  }
  const schema::Definition* subject_definition = schema_->FindDefinition(request.subject_type);
  if (subject_definition == nullptr) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("object definition `", request.subject_type, "` not found"),
                           "ERROR_REASON_UNKNOWN_DEFINITION",
                           {{"definition_name", request.subject_type}});
  }
  if (!request.subject_relation.empty() &&
      subject_definition->FindRelation(request.subject_relation) == nullptr) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat("relation/permission `", request.subject_relation,
                     "` not found under definition `", request.subject_type, "`"),
        "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
        {{"definition_name", request.subject_type},
         {"relation_or_permission_name", request.subject_relation}});
  }
  if (request.subject_id == "*") {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           "cannot perform check on wildcard subject",
                           "ERROR_REASON_WILDCARD_NOT_ALLOWED");
  }
  trace_stack_.clear();
  if (options_.trace) trace_root_ = std::make_shared<CheckTrace>();
  return Dispatch(request.resource_type, request.resource_id, request.permission,
                  options_.max_depth);
}

absl::StatusOr<CheckResult> Checker::Check(const CheckRequest& request) {
  absl::StatusOr<Membership> member = CheckMembership(request);
  if (!member.ok()) return member.status();
  CheckResult result;
  result.trace = std::move(trace_root_);
  if (member->yes()) {
    result.permissionship = Permissionship::kHasPermission;
  } else if (member->conditional()) {
    CaveatRunner runner(*schema_, request.context);
    absl::StatusOr<CaveatOutcome> outcome = runner.Run(member->condition());
    if (!outcome.ok()) return outcome.status();
    switch (outcome->kind) {
      case CaveatOutcome::Kind::kTrue:
        result.permissionship = Permissionship::kHasPermission;
        break;
      case CaveatOutcome::Kind::kFalse:
        break;
      case CaveatOutcome::Kind::kPartial:
        result.permissionship = Permissionship::kConditional;
        result.missing_context = std::move(outcome->missing);
        break;
    }
  }
  if (result.trace != nullptr) {
    // The subject asked about itself is answered before any dispatch: no node was made.
    if (result.trace->resource_type.empty()) {
      result.trace->resource_type = request.resource_type;
      result.trace->resource_id = request.resource_id;
      result.trace->relation = request.permission;
    }
    result.trace->result = result.permissionship;
  }
  return result;
}

std::string Checker::SharedKey(absl::string_view key) const {
  return absl::StrCat(snapshot_->revision(), "\n", request_.subject_type, "\n", request_.subject_id,
                      "\n", request_.subject_relation, "\n", key);
}

absl::Status Checker::MaxDepthExceeded() const {
  ++depth_failures_;
  return ErrorWithReason(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("the check request has exceeded the allowable maximum depth of ",
                   options_.max_depth,
                   ": this usually indicates a recursive or too deep data dependency. Try "
                   "running zed with --explain to see the dependency. Checked ",
                   request_.resource_type, ":", request_.resource_id, "#", request_.permission,
                   " for ", SubjectText(request_)),
      "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
}

absl::StatusOr<Membership> Checker::Dispatch(absl::string_view type, absl::string_view id,
                                             absl::string_view relation, int depth) {
  // The subject is trivially a member of itself (SpiceDB answers this before dispatching).
  if (type == request_.subject_type && id == request_.subject_id &&
      relation == request_.subject_relation) {
    return Membership::Yes();
  }
  if (depth <= 0) return MaxDepthExceeded();
  std::string key = MemoKey(type, id, relation);
  CheckTrace* node = nullptr;
  absl::Time started;
  if (options_.trace) {
    node = trace_stack_.empty() ? trace_root_.get()
                                : &trace_stack_.back()->sub_problems.emplace_back();
    node->resource_type = std::string(type);
    node->resource_id = std::string(id);
    node->relation = std::string(relation);
    started = absl::Now();
  }
  if (auto it = memo_.find(key); it != memo_.end()) {
    if (!path_dependent_.empty() && path_dependent_.contains(key)) ++depth_failures_;
    if (node != nullptr) {
      node->cached = true;
      node->result = ToPermissionship(it->second);
    }
    return it->second;
  }
  // A sub-problem that is already on the current path is a cycle in the data. SpiceDB detects
  // these (its traversal bloom filter) and answers max depth at once instead of walking the
  // cycle 50 times, which on branching cycles would take exponential time.
  if (!on_path_.insert(key).second) return MaxDepthExceeded();
  absl::Cleanup leave_path = [this, &key] { on_path_.erase(key); };
  if ((++dispatches_ & 63) == 0) {
    if (absl::Now() > options_.deadline) {
      return absl::DeadlineExceededError("the check ran past its deadline");
    }
    if (options_.cancelled && options_.cancelled()) {
      return absl::CancelledError("the check was cancelled by the client");
    }
  }

  const schema::Definition* definition = schema_->FindDefinition(Std(type));
  const schema::Relation* rel =
      definition == nullptr ? nullptr : definition->FindRelation(Std(relation));
  // A type reached through data that lacks the relation.
  if (rel == nullptr) return Membership::No();

  const bool shared =
      options_.shared_cache != nullptr && !options_.hint.has_value() && node == nullptr;
  std::string shared_key;
  if (shared) {
    shared_key = SharedKey(key);
    if (std::optional<Membership> hit = options_.shared_cache->Lookup(shared_key, depth)) {
      memo_.emplace(key, *hit);
      return *std::move(hit);
    }
  }
  const uint64_t depth_failures_before = depth_failures_;

  if (node != nullptr) {
    node->is_permission = rel->is_permission;
    trace_stack_.push_back(node);
  }
  absl::StatusOr<Membership> result = EvaluateRelation(*definition, *rel, id, depth);
  if (node != nullptr) {
    trace_stack_.pop_back();
    node->duration = absl::Now() - started;
    if (result.ok()) node->result = ToPermissionship(*result);
  }
  std::move(leave_path).Invoke();
  if (result.ok()) {
    if (depth_failures_ != depth_failures_before) {
      path_dependent_.insert(key);
    } else if (shared) {
      options_.shared_cache->Insert(shared_key, *result, depth);
    }
    memo_.emplace(std::move(key), *result);
  }
  return result;
}

absl::StatusOr<Membership> Checker::EvaluateRelation(const schema::Definition& definition,
                                                     const schema::Relation& relation,
                                                     absl::string_view id, int depth) {
  if (relation.is_permission) return EvaluateRewrite(definition, relation.rewrite, id, depth);
  return EvaluateDirect(definition, relation, id, depth);
}

absl::StatusOr<Membership> Checker::EvaluateDirect(const schema::Definition& definition,
                                                   const schema::Relation& relation,
                                                   absl::string_view id, int depth) {
  // As SpiceDB does: look the subject itself up only when its type#relation is allowed here,
  // and the wildcard only when `type:*` is; then follow every userset edge. A caveated route
  // makes the answer conditional but the walk goes on looking for an unconditional one.
  bool direct_allowed = false;
  bool wildcard_allowed = false;
  // SpiceDB (internal/graph/check.go, checkDirect) reads the subject and its wildcard with
  // "skip caveats" / "skip expiration" when it concludes no such relationship can carry one.
  // It counts the allowed types *of the subject's type* without a caveat (or expiration), the
  // ones for other subject relations included, against the matching ones only; so with
  // `document with c | document#parent` it skips caveats and a caveated `document`
  // relationship is invisible to the check, and with `group | group#member with expiration`
  // it skips expiration and an *expired* `group#member` relationship still counts (SpiceDB
  // v1.54's answers, found by tests/differential with --caveats --expiration). Reproduced
  // exactly: the reference's answers are the contract.
  int matching = 0;
  int same_type_without_caveat = 0;
  int same_type_without_expiration = 0;
  for (const schema::AllowedSubjectType& allowed : relation.allowed) {
    if (allowed.type != request_.subject_type) continue;
    if (allowed.wildcard) {
      wildcard_allowed = true;
      ++matching;
    } else if (allowed.relation == request_.subject_relation) {
      direct_allowed = true;
      ++matching;
    }
    if (allowed.caveat.empty()) ++same_type_without_caveat;
    if (!allowed.expiration) ++same_type_without_expiration;
  }
  const bool skip_caveated = same_type_without_caveat == matching;
  const storage::ExpiredRelationships expired = same_type_without_expiration == matching
                                                    ? storage::ExpiredRelationships::kInclude
                                                    : storage::ExpiredRelationships::kHide;
  auto visible = [&](const storage::RelationshipValue& value) {
    return !(skip_caveated && !value.caveat_name.empty());
  };
  Membership found_so_far = Membership::No();
  if (direct_allowed) {
    auto found = snapshot_->Find(definition.name, id, relation.name, request_.subject_type,
                                 request_.subject_id, request_.subject_relation, expired);
    if (!found.ok()) return found.status();
    if (found->has_value() && visible(**found)) {
      found_so_far = Membership::Granted(**found);
      if (found_so_far.yes()) return found_so_far;
    }
  }
  if (wildcard_allowed) {
    auto found = snapshot_->Find(definition.name, id, relation.name, request_.subject_type, "*", "",
                                 expired);
    if (!found.ok()) return found.status();
    if (found->has_value() && visible(**found)) {
      found_so_far = AnyOf(found_so_far, Membership::Granted(**found));
      if (found_so_far.yes()) return found_so_far;
    }
  }

  // Userset edges, one scan per allowed `type#relation` (duplicates in the list are skipped).
  absl::Status first_error;
  for (size_t i = 0; i < relation.allowed.size(); ++i) {
    const schema::AllowedSubjectType& allowed = relation.allowed[i];
    if (allowed.relation.empty() || allowed.wildcard) continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) {
      seen = relation.allowed[j].type == allowed.type &&
             relation.allowed[j].relation == allowed.relation && !relation.allowed[j].wildcard;
    }
    if (seen) continue;

    std::vector<std::pair<std::string, Membership>> edges;
    absl::Status scan = snapshot_->ForEachSubject(
        definition.name, id, relation.name, absl::string_view(allowed.type),
        absl::string_view(allowed.relation), [&](const storage::RelationshipView& v) {
          edges.emplace_back(std::string(v.subject_id),
                             Membership::GrantedEncoded(v.encoded_value));
          return true;
        });
    if (!scan.ok()) return scan;
    for (const auto& [subject_id, edge] : edges) {
      absl::StatusOr<Membership> member =
          Dispatch(allowed.type, subject_id, allowed.relation, depth - 1);
      if (!member.ok()) {
        if (first_error.ok()) first_error = member.status();
        continue;
      }
      found_so_far = AnyOf(found_so_far, AllOf(edge, *member));
      if (found_so_far.yes()) return found_so_far;
    }
  }
  // A found membership wins over an error on another edge; otherwise the error is the answer.
  if (!first_error.ok()) return first_error;
  return found_so_far;
}

absl::StatusOr<Membership> Checker::EvaluateRewrite(const schema::Definition& definition,
                                                    const schema::RewriteNode& node,
                                                    absl::string_view id, int depth) {
  using Kind = schema::RewriteNode::Kind;
  switch (node.kind) {
    case Kind::kNil:
      return Membership::No();
    case Kind::kSelf:
      // The object itself, whatever subject relation the request names (SpiceDB v1.54:
      // user:alice#view@user:alice#friend holds through `self`).
      return request_.subject_type == definition.name && request_.subject_id == id
                 ? Membership::Yes()
                 : Membership::No();
    case Kind::kComputedUserset:
      if (Hinted(definition, id, node.relation, "")) return Membership::Yes();
      return Dispatch(definition.name, id, node.relation, depth - 1);
    case Kind::kArrow:
      return EvaluateArrow(definition, node, id, depth);
    case Kind::kUnion: {
      // A definite yes wins over an error in a sibling branch.
      absl::Status first_error;
      Membership any = Membership::No();
      for (const schema::RewriteNode& child : node.children) {
        absl::StatusOr<Membership> r = EvaluateRewrite(definition, child, id, depth);
        if (!r.ok()) {
          if (first_error.ok()) first_error = r.status();
          continue;
        }
        any = AnyOf(any, *r);
        if (any.yes()) return any;
      }
      if (!first_error.ok()) return first_error;
      return any;
    }
    case Kind::kIntersection: {
      // SpiceDB evaluates the branches concurrently and the first decisive one wins; being
      // deterministic, a definite "no" here wins over an error in a sibling branch.
      if (node.children.empty()) return Membership::No();
      absl::Status first_error;
      Membership all = Membership::Yes();
      for (const schema::RewriteNode& child : node.children) {
        absl::StatusOr<Membership> r = EvaluateRewrite(definition, child, id, depth);
        if (!r.ok()) {
          if (first_error.ok()) first_error = r.status();
          continue;
        }
        all = AllOf(all, *r);
        if (all.no()) return all;
      }
      if (!first_error.ok()) return first_error;
      return all;
    }
    case Kind::kExclusion: {
      if (node.children.size() != 2) {
        return absl::InternalError("exclusion node without exactly two operands");
      }
      // Decisive either way: a base "no", or an unconditionally excluded subject, answers "no"
      // whatever the other side would have said (including an error).
      absl::StatusOr<Membership> base = EvaluateRewrite(definition, node.children[0], id, depth);
      if (base.ok() && base->no()) return Membership::No();
      absl::StatusOr<Membership> excluded =
          EvaluateRewrite(definition, node.children[1], id, depth);
      if (excluded.ok() && excluded->yes()) return Membership::No();
      if (!base.ok()) return base;
      if (!excluded.ok()) return excluded;
      return Excluding(*base, *excluded);
    }
  }
  return absl::InternalError("unknown rewrite node");
}

bool Checker::Hinted(const schema::Definition& definition, absl::string_view id,
                     absl::string_view relation, absl::string_view arrow_target) const {
  // SpiceDB hands its check hints down with every dispatch, so a computed userset or arrow
  // anywhere below the checked permission is answered by the hint too (seed 141:
  // `remove = writer - share`, `share = writer`: the hinted writer holds on both sides).
  if (!options_.hint) return false;
  const CheckOptions::Hint& hint = *options_.hint;
  return hint.relation == relation && hint.arrow_target == arrow_target && hint.id == id &&
         hint.type == definition.name;
}

absl::StatusOr<Membership> Checker::EvaluateArrow(const schema::Definition& definition,
                                                  const schema::RewriteNode& node,
                                                  absl::string_view id, int depth) {
  // Every subject of the tupleset relation, whatever its subject relation, is asked for the
  // target relation on the subject object; types without that relation contribute nothing. A
  // caveat on the tupleset relationship conditions what is reached through it.
  if (node.arrow_function == schema::RewriteNode::ArrowFunction::kAny &&
      Hinted(definition, id, node.relation, node.arrow_target)) {
    return Membership::Yes();
  }
  struct Hop {
    std::string type;
    std::string id;
    Membership edge;
  };
  std::vector<Hop> hops;
  absl::Status scan = snapshot_->ForEachSubject(
      definition.name, id, node.relation, std::nullopt, std::nullopt,
      [&](const storage::RelationshipView& v) {
        hops.push_back({std::string(v.subject_type), std::string(v.subject_id),
                        Membership::GrantedEncoded(v.encoded_value)});
        return true;
      });
  if (!scan.ok()) return scan;

  const bool all = node.arrow_function == schema::RewriteNode::ArrowFunction::kAll;
  if (all && hops.empty()) return Membership::No();
  absl::Status first_error;
  Membership combined = all ? Membership::Yes() : Membership::No();
  for (const Hop& hop : hops) {
    absl::StatusOr<Membership> member = Dispatch(hop.type, hop.id, node.arrow_target, depth - 1);
    if (!member.ok()) {
      if (first_error.ok()) first_error = member.status();
      continue;
    }
    Membership through = AllOf(hop.edge, *member);
    if (all) {
      combined = AllOf(combined, through);
      if (combined.no()) return combined;
    } else {
      combined = AnyOf(combined, through);
      if (combined.yes()) return combined;
    }
  }
  if (!first_error.ok()) return first_error;
  return combined;
}

}  // namespace rebac::graph
