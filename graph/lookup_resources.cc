#include "graph/lookup_resources.h"

#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/error_reason.h"
#include "graph/request_checks.h"

namespace rebac::graph {
namespace {

#define REBAC_GRAPH_RETURN_IF_ERROR(expr) \
  do {                                    \
    absl::Status _status = (expr);        \
    if (!_status.ok()) return _status;    \
  } while (0)

// How many steps pass between two polls of the cancellation callback.
constexpr uint64_t kCancelPollInterval = 256;

// The relationships one ResourceLookup::Visit reads, for all its hops: grouped by subject (the
// object itself under some subject relation, or its type's wildcard), so that each subject's
// reads are one Snapshot::ForEachResourceOf pass, and a (resource type, relation) two hops read
// is read once.
class VisitReads {
 public:
  using Found = std::vector<std::pair<std::string, Membership>>;

  explicit VisitReads(size_t hops) : reads_of_(hops) {}

  // Hop `hop` reads the relationships of (resource_type, relation) whose subject is
  // (subject_id, subject_relation); a hop's reads are handed back in the order it adds them.
  void Add(size_t hop, absl::string_view subject_id, absl::string_view subject_relation,
           absl::string_view resource_type, absl::string_view relation) {
    size_t s = 0;
    while (s < subjects_.size() &&
           (subjects_[s].id != subject_id || subjects_[s].relation != subject_relation)) {
      ++s;
    }
    if (s == subjects_.size()) subjects_.push_back({subject_id, subject_relation, {}, {}});
    Subject& subject = subjects_[s];
    size_t t = 0;
    while (t < subject.targets.size() && (subject.targets[t].resource_type != resource_type ||
                                          subject.targets[t].relation != relation)) {
      ++t;
    }
    if (t == subject.targets.size()) {
      subject.targets.push_back({resource_type, relation});
      subject.found.emplace_back();
    }
    reads_of_[hop].push_back({s, t});
  }

  absl::Status Run(const storage::Snapshot& snapshot, absl::string_view subject_type) {
    for (Subject& subject : subjects_) {
      REBAC_GRAPH_RETURN_IF_ERROR(snapshot.ForEachResourceOf(
          subject_type, subject.id, subject.relation, subject.targets,
          [&](size_t target, const storage::RelationshipView& v) {
            subject.found[target].emplace_back(std::string(v.resource_id),
                                               Membership::GrantedEncoded(v.encoded_value));
            return true;
          }));
    }
    return absl::OkStatus();
  }

  // What hop `hop` read, one list per Add, in the order of its Adds.
  absl::InlinedVector<const Found*, 2> Of(size_t hop) const {
    absl::InlinedVector<const Found*, 2> lists;
    for (const auto& [s, t] : reads_of_[hop]) lists.push_back(&subjects_[s].found[t]);
    return lists;
  }

 private:
  struct Subject {
    absl::string_view id;
    absl::string_view relation;
    std::vector<storage::ResourceScanTarget> targets;
    std::vector<Found> found;  // per target
  };
  absl::InlinedVector<Subject, 2> subjects_;
  std::vector<absl::InlinedVector<std::pair<size_t, size_t>, 2>> reads_of_;
};

}  // namespace

ResourceLookup::ResourceLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                               std::shared_ptr<const storage::Snapshot> snapshot,
                               LookupResourcesOptions options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(std::move(options)) {}

absl::Status ValidateLookupResourcesRequest(const schema::CompiledSchema& schema,
                                            const LookupResourcesRequest& request) {
  absl::Status names =
      CheckObjectRelation(schema, request.resource_type, request.permission, false);
  if (names.ok()) {
    names = CheckObjectRelation(schema, request.subject_type, request.subject_relation, true);
  }
  if (!names.ok()) return names;
  if (request.subject_id == "*") {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           "invalid argument: cannot perform lookup resources on wildcard",
                           "ERROR_REASON_WILDCARD_NOT_ALLOWED", {{"field", "subject_id"}});
  }
  return absl::OkStatus();
}

absl::StatusOr<Membership> ConfirmHop(std::shared_ptr<const schema::CompiledSchema> schema,
                                      std::shared_ptr<const storage::Snapshot> snapshot,
                                      const LookupResourcesRequest& request,
                                      const Entrypoint& entrypoint, const std::string& resource_id,
                                      const std::string& via_type, const std::string& via_relation,
                                      const std::string& via_id, int depth, int max_depth) {
  if (depth <= 0) return MaxDepthExceeded(max_depth);
  CheckOptions check_options;
  check_options.max_depth = depth;
  // The hop itself holds: a computed userset of the object walked through, or the arrow from
  // the found resource to it.
  check_options.hint = entrypoint.kind == Entrypoint::Kind::kArrow
                           ? CheckOptions::Hint{entrypoint.found_type, resource_id,
                                                entrypoint.tupleset, via_relation}
                           : CheckOptions::Hint{via_type, via_id, via_relation, ""};
  Checker checker(std::move(schema), std::move(snapshot), check_options);
  absl::StatusOr<Membership> member = checker.CheckMembership(
      {entrypoint.found_type, resource_id, entrypoint.found_relation, request.subject_type,
       request.subject_id, request.subject_relation, request.context});
  if (!member.ok() && IsMaxDepthExceeded(member.status())) return MaxDepthExceeded(max_depth);
  return member;
}

absl::Status ResourceLookup::Run(const LookupResourcesRequest& request, ResourceVisitor visit) {
  if (absl::Status valid = ValidateLookupResourcesRequest(*schema_, request); !valid.ok()) {
    return valid;
  }

  request_ = &request;
  plan_ = std::make_unique<LookupPlan>(*schema_, request.resource_type, request.permission);
  visit_ = &visit;
  stopped_ = false;
  seen_results_ = 0;
  steps_ = 0;
  visited_.clear();
  reported_.clear();
  pending_.clear();
  pending_order_.clear();
  refuted_.clear();
  caveats_ = std::make_unique<CaveatRunner>(*schema_, request.context);
  absl::Status status = Visit(request.subject_type, request.subject_relation, request.subject_id,
                              options_.max_depth, -1, Membership::Yes());
  if (status.ok() && !stopped_) status = ReportPending();
  visit_ = nullptr;
  return status;
}

absl::Status ResourceLookup::Visit(const std::string& type, const std::string& relation,
                                   const std::string& id, int depth, int check_depth,
                                   const Membership& path) {
  if (stopped_) return absl::OkStatus();
  if (depth <= 0) return MaxDepthExceeded(options_.max_depth);
  if (++steps_ % kCancelPollInterval == 0 && options_.cancelled && options_.cancelled()) {
    return absl::CancelledError("the lookup was cancelled");
  }
  std::string key = absl::StrCat(type, "#", relation, "#", id, check_depth < 0 ? "" : "?");
  if (path.conditional()) absl::StrAppend(&key, "|", Signature(path.condition()));
  auto [it, inserted] = visited_.try_emplace(std::move(key), depth);
  if (!inserted) {
    if (it->second <= depth) return absl::OkStatus();
    it->second = depth;
  }

  if (type == plan_->target_type() && relation == plan_->target_relation()) {
    absl::Status reported = Report(id, check_depth, path);
    if (!reported.ok() || stopped_) return reported;
  }

  const std::vector<Entrypoint>& entrypoints = plan_->EntrypointsFrom(type, relation);
  // Every relationship the hops read names this object (or its type's wildcard) as subject:
  // they are read first, one pass over the reverse index per subject, and kept (the views die
  // with the pass; the walk below reads again). Each with whether it is caveated: what is
  // reached through a caveat is an answer only as far as a check with the request's context
  // says.
  VisitReads reads(entrypoints.size());
  for (size_t e = 0; e < entrypoints.size(); ++e) {
    const Entrypoint& entrypoint = entrypoints[e];
    switch (entrypoint.kind) {
      case Entrypoint::Kind::kRelation:
        if (entrypoint.subject_allowed) {
          reads.Add(e, id, relation, entrypoint.found_type, entrypoint.found_relation);
        }
        if (entrypoint.wildcard_allowed && relation.empty()) {
          reads.Add(e, "*", "", entrypoint.found_type, entrypoint.found_relation);
        }
        break;
      case Entrypoint::Kind::kComputedUserset:
        break;
      case Entrypoint::Kind::kArrow:
        for (const std::string& subject_relation : entrypoint.tupleset_subject_relations) {
          reads.Add(e, id, subject_relation, entrypoint.found_type, entrypoint.tupleset);
        }
        break;
    }
  }
  REBAC_GRAPH_RETURN_IF_ERROR(reads.Run(*snapshot_, type));

  for (size_t e = 0; e < entrypoints.size(); ++e) {
    const Entrypoint& entrypoint = entrypoints[e];
    // A hop through an intersection, exclusion or `.all()` is confirmed where it is taken, by a
    // check of the permission it enters with this object's relation hinted as held (SpiceDB's
    // LookupResources does the same), so only the other branches are judged.
    const bool confirm_here = !entrypoint.direct && entrypoint.kind != Entrypoint::Kind::kRelation;
    const int next_check_depth = entrypoint.direct || confirm_here ? check_depth : depth - 1;
    auto follow =
        [&](const std::vector<std::pair<std::string, Membership>>& found) -> absl::Status {
      for (const auto& [resource_id, edge] : found) {
        Membership route = AllOf(path, edge);
        if (confirm_here) {
          absl::StatusOr<Membership> confirmed =
              ConfirmHop(schema_, snapshot_, *request_, entrypoint, resource_id, type, relation, id,
                         depth - 1, options_.max_depth);
          if (!confirmed.ok()) return confirmed.status();
          if (confirmed->no()) continue;
          route = AllOf(route, *confirmed);
        }
        absl::Status s = Found(entrypoint, resource_id, depth, next_check_depth, route);
        if (!s.ok() || stopped_) return s;
      }
      return absl::OkStatus();
    };
    if (entrypoint.kind == Entrypoint::Kind::kComputedUserset) {
      // The object itself, built only for this hop: Visit runs once per object reached.
      REBAC_GRAPH_RETURN_IF_ERROR(follow({{id, Membership::Yes()}}));
    } else {
      for (const auto* found : reads.Of(e)) {
        REBAC_GRAPH_RETURN_IF_ERROR(follow(*found));
        if (stopped_) return absl::OkStatus();
      }
    }
    if (stopped_) return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status ResourceLookup::Found(const Entrypoint& entrypoint, const std::string& id, int depth,
                                   int check_depth, const Membership& path) {
  // Like SpiceDB, objects that lead further are dispatched again (one unit of depth), even when
  // they are answers themselves; the dispatch reports them.
  if (plan_->LeadsToTarget(entrypoint.found_type, entrypoint.found_relation)) {
    return Visit(entrypoint.found_type, entrypoint.found_relation, id, depth - 1, check_depth,
                 path);
  }
  if (entrypoint.found_type == plan_->target_type() &&
      entrypoint.found_relation == plan_->target_relation()) {
    return Report(id, check_depth, path);
  }
  return absl::OkStatus();
}

absl::Status ResourceLookup::Report(const std::string& id, int check_depth,
                                    const Membership& path) {
  if (path.yes() && reported_.contains(id)) return absl::OkStatus();
  Membership outcome = path;
  if (check_depth >= 0) {
    if (refuted_.contains(id)) return absl::OkStatus();
    CheckOptions check_options;
    check_options.max_depth = check_depth;
    Checker checker(schema_, snapshot_, check_options);
    absl::StatusOr<Membership> member = checker.CheckMembership(
        {request_->resource_type, id, request_->permission, request_->subject_type,
         request_->subject_id, request_->subject_relation, request_->context});
    if (!member.ok()) {
      if (IsMaxDepthExceeded(member.status())) return MaxDepthExceeded(options_.max_depth);
      return member.status();
    }
    if (member->no()) {
      refuted_.insert(id);
      return absl::OkStatus();
    }
    outcome = AllOf(path, *member);
  }
  if (outcome.yes()) {
    if (!reported_.insert(id).second) return absl::OkStatus();
    return Emit(id, nullptr);
  }
  absl::StatusOr<CaveatOutcome> evaluated = caveats_->Run(outcome.condition());
  if (!evaluated.ok()) return evaluated.status();
  switch (evaluated->kind) {
    case CaveatOutcome::Kind::kFalse:
      return absl::OkStatus();
    case CaveatOutcome::Kind::kTrue:
      if (!reported_.insert(id).second) return absl::OkStatus();
      return Emit(id, nullptr);
    case CaveatOutcome::Kind::kPartial:
      break;
  }
  // Held back to the end of the walk: another route may still make it definite, and the
  // conditions of all its routes are reported together, once.
  auto [it, inserted] = pending_.try_emplace(id, outcome);
  if (inserted) {
    pending_order_.push_back(id);
  } else {
    it->second = AnyOf(it->second, outcome);
  }
  return absl::OkStatus();
}

absl::Status ResourceLookup::ReportPending() {
  for (const std::string& id : pending_order_) {
    if (stopped_) break;
    if (reported_.contains(id)) continue;
    const Membership& condition = pending_.at(id);
    if (condition.yes()) {
      reported_.insert(id);
      REBAC_GRAPH_RETURN_IF_ERROR(Emit(id, nullptr));
      continue;
    }
    absl::StatusOr<CaveatOutcome> evaluated = caveats_->Run(condition.condition());
    if (!evaluated.ok()) return evaluated.status();
    if (evaluated->kind == CaveatOutcome::Kind::kFalse) continue;
    reported_.insert(id);
    REBAC_GRAPH_RETURN_IF_ERROR(
        Emit(id, evaluated->kind == CaveatOutcome::Kind::kPartial ? &evaluated->missing : nullptr));
  }
  return absl::OkStatus();
}

absl::Status ResourceLookup::Emit(const std::string& id,
                                  const std::vector<std::string>* missing_context) {
  if (++seen_results_ <= options_.skip) return absl::OkStatus();
  if (!(*visit_)(id, missing_context)) stopped_ = true;
  return absl::OkStatus();
}

}  // namespace rebac::graph
