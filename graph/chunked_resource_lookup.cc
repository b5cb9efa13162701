#include "graph/chunked_resource_lookup.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/check.h"
#include "graph/error_reason.h"
#include "graph/request_checks.h"

namespace rebac::graph {
namespace {

// SpiceDB's default --dispatch-chunk-size: a chunk is dispatched once it names this many
// resources.
constexpr size_t kDispatchChunkSize = 100;
constexpr uint64_t kCancelPollInterval = 256;

void InsertSorted(std::vector<std::string>* into, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    auto it = std::lower_bound(into->begin(), into->end(), name);
    if (it == into->end() || *it != name) into->insert(it, name);
  }
}

}  // namespace

ChunkedResourceLookup::ChunkedResourceLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                                             std::shared_ptr<const storage::Snapshot> snapshot,
                                             Options options)
    : schema_(std::move(schema)), snapshot_(std::move(snapshot)), options_(std::move(options)) {}

absl::Status ChunkedResourceLookup::Run(const LookupResourcesRequest& request,
                                        ResourceVisitor visit) {
  if (absl::Status valid = ValidateLookupResourcesRequest(*schema_, request); !valid.ok()) {
    return valid;
  }
  request_ = &request;
  plan_ = std::make_unique<LookupPlan>(*schema_, request.resource_type, request.permission);
  caveats_ = std::make_unique<CaveatRunner>(*schema_, request.context);
  steps_ = 0;
  memo_.clear();
  in_progress_.clear();

  absl::StatusOr<const std::vector<Item>*> items =
      Dispatch(request.subject_type, request.subject_relation, {request.subject_id},
               options_.lookup.max_depth);
  if (!items.ok()) return items.status();
  absl::flat_hash_set<std::string> definite_sent;
  uint64_t streamed = 0;
  for (const Item& item : **items) {
    if (item.missing.empty() && !options_.repeat_definite &&
        !definite_sent.insert(item.resource_id).second) {
      continue;
    }
    if (++streamed <= options_.lookup.skip) continue;
    if (!visit(item.resource_id, item.missing.empty() ? nullptr : &item.missing)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<const std::vector<ChunkedResourceLookup::Item>*> ChunkedResourceLookup::Dispatch(
    const std::string& type, const std::string& relation,
    const std::vector<std::string>& subject_ids, int depth) {
  if (depth <= 0) return MaxDepthExceeded(options_.lookup.max_depth);
  if (++steps_ % kCancelPollInterval == 0 && options_.lookup.cancelled &&
      options_.lookup.cancelled()) {
    return absl::CancelledError("the lookup was cancelled");
  }
  std::string key = absl::StrCat(type, "#", relation, "#", absl::StrJoin(subject_ids, ","));
  if (auto it = memo_.find(key); it != memo_.end() && it->second.depth <= depth) {
    return &it->second.items;
  }
  // SpiceDB dispatches around a cycle until its depth runs out.
  if (!in_progress_.insert(key).second) return MaxDepthExceeded(options_.lookup.max_depth);

  std::vector<Item> items;
  // The target reached: the subjects themselves are resources (a permission holds itself).
  if (type == plan_->target_type() && relation == plan_->target_relation()) {
    for (const std::string& id : subject_ids) items.push_back({id, {id}, {}});
  }
  absl::Status status;
  for (const Entrypoint& entrypoint : plan_->EntrypointsFrom(type, relation)) {
    status = RunEntrypoint(entrypoint, type, relation, subject_ids, depth, &items);
    if (!status.ok()) break;
  }
  in_progress_.erase(key);
  if (!status.ok()) return status;
  Memo& memo = memo_[key];
  memo.items = std::move(items);
  memo.depth = depth;
  return &memo.items;
}

absl::Status ChunkedResourceLookup::RunEntrypoint(const Entrypoint& entrypoint,
                                                  const std::string& type,
                                                  const std::string& relation,
                                                  const std::vector<std::string>& subject_ids,
                                                  int depth, std::vector<Item>* out) {
  if (entrypoint.kind == Entrypoint::Kind::kComputedUserset) {
    // A rewrite of the same objects: one chunk of all of them, each leading to itself.
    Chunk chunk;
    for (const std::string& id : subject_ids) chunk[id][id];
    return DispatchChunk(entrypoint, type, relation, std::move(chunk), depth, out);
  }
  // The relationships naming the subjects, read subject by subject (the wildcard's first, as
  // `*` sorts first), each caveat evaluated alone with the request's context.
  struct Scan {
    std::string subject_id, subject_relation;
    absl::string_view resource_relation;
  };
  std::vector<Scan> scans;
  if (entrypoint.kind == Entrypoint::Kind::kRelation) {
    if (entrypoint.wildcard_allowed && relation.empty()) {
      scans.push_back({"*", "", entrypoint.found_relation});
    }
    if (entrypoint.subject_allowed) {
      for (const std::string& id : subject_ids) {
        scans.push_back({id, relation, entrypoint.found_relation});
      }
    }
  } else {
    for (const std::string& id : subject_ids) {
      for (const std::string& subject_relation : entrypoint.tupleset_subject_relations) {
        scans.push_back({id, subject_relation, entrypoint.tupleset});
      }
    }
  }
  Chunk chunk;
  for (const Scan& scan : scans) {
    struct Found {
      std::string resource_id;
      Membership granted;
    };
    std::vector<Found> found;
    absl::Status read = snapshot_->ForEachResource(
        type, scan.subject_id, scan.subject_relation, entrypoint.found_type, scan.resource_relation,
        [&](const storage::RelationshipView& v) {
          found.push_back(
              {std::string(v.resource_id), Membership::GrantedEncoded(v.encoded_value)});
          return true;
        });
    if (!read.ok()) return read;
    for (Found& f : found) {
      std::vector<std::string> missing;
      if (f.granted.conditional()) {
        absl::StatusOr<CaveatOutcome> outcome = caveats_->Run(f.granted.condition());
        if (!outcome.ok()) return outcome.status();
        if (outcome->kind == CaveatOutcome::Kind::kFalse) continue;
        if (outcome->kind == CaveatOutcome::Kind::kPartial) missing = std::move(outcome->missing);
      }
      InsertSorted(&chunk[f.resource_id][scan.subject_id], missing);
      if (chunk.size() >= kDispatchChunkSize) {
        absl::Status s = DispatchChunk(entrypoint, type, relation, std::move(chunk), depth, out);
        if (!s.ok()) return s;
        chunk.clear();
      }
    }
  }
  if (chunk.empty()) return absl::OkStatus();
  return DispatchChunk(entrypoint, type, relation, std::move(chunk), depth, out);
}

absl::Status ChunkedResourceLookup::Confirm(const Entrypoint& entrypoint,
                                            const std::string& via_type,
                                            const std::string& via_relation, int depth,
                                            Chunk* chunk) {
  if (depth <= 0) return MaxDepthExceeded(options_.lookup.max_depth);
  for (auto it = chunk->begin(); it != chunk->end();) {
    absl::StatusOr<Membership> member =
        ConfirmHop(schema_, snapshot_, *request_, entrypoint, it->first, via_type, via_relation,
                   it->first, depth, options_.lookup.max_depth);
    if (!member.ok()) return member.status();
    std::vector<std::string> missing;
    bool keep = member->yes();
    if (member->conditional()) {
      absl::StatusOr<CaveatOutcome> outcome = caveats_->Run(member->condition());
      if (!outcome.ok()) return outcome.status();
      keep = outcome->kind != CaveatOutcome::Kind::kFalse;
      if (outcome->kind == CaveatOutcome::Kind::kPartial) missing = std::move(outcome->missing);
    }
    if (!keep) {
      it = chunk->erase(it);
      continue;
    }
    // A conditional member: every route to it lacks what the check lacks.
    for (auto& [subject_id, subject_missing] : it->second) InsertSorted(&subject_missing, missing);
    ++it;
  }
  return absl::OkStatus();
}

absl::Status ChunkedResourceLookup::DispatchChunk(const Entrypoint& entrypoint,
                                                  const std::string& via_type,
                                                  const std::string& via_relation, Chunk chunk,
                                                  int depth, std::vector<Item>* out) {
  if (!entrypoint.direct) {
    absl::Status confirmed = Confirm(entrypoint, via_type, via_relation, depth - 1, &chunk);
    if (!confirmed.ok()) return confirmed;
  }
  if (chunk.empty()) return absl::OkStatus();
  std::vector<std::string> resource_ids;
  resource_ids.reserve(chunk.size());
  for (const auto& [resource_id, subjects] : chunk) resource_ids.push_back(resource_id);
  absl::StatusOr<const std::vector<Item>*> items =
      Dispatch(entrypoint.found_type, entrypoint.found_relation, resource_ids, depth - 1);
  if (!items.ok()) return items.status();
  for (const Item& item : **items) {
    // Back through the chunk to the subjects that led to the item. If one of them was reached
    // without a caveat, the item keeps its own status (definite, or lacking just what it
    // lacked) and only those subjects; otherwise it lacks, besides, everything they lack.
    // (SpiceDB v1.54's mapping: differential seed 106; later SpiceDB versions add the caveated
    // subjects' missing context whenever the item itself is conditional.)
    std::vector<std::string> all_subjects, uncaveated;
    std::vector<std::string> missing = item.missing;
    for (const std::string& via : item.for_subjects) {
      auto it = chunk.find(via);
      if (it == chunk.end()) continue;
      for (const auto& [subject_id, subject_missing] : it->second) {
        InsertSorted(&all_subjects, {subject_id});
        if (subject_missing.empty()) {
          InsertSorted(&uncaveated, {subject_id});
        } else {
          InsertSorted(&missing, subject_missing);
        }
      }
    }
    if (!uncaveated.empty()) {
      out->push_back({item.resource_id, std::move(uncaveated), item.missing});
    } else {
      out->push_back({item.resource_id, std::move(all_subjects), std::move(missing)});
    }
  }
  return absl::OkStatus();
}

}  // namespace rebac::graph
