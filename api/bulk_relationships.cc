#include "api/bulk_relationships.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/caveat_context.h"
#include "api/relationship_conversion.h"
#include "api/request_validation.h"
#include "api/schema_validation.h"
#include "api/service_support.h"
#include "graph/error_reason.h"
#include "storage/key_codec.h"
#include "storage/write_plan.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

constexpr absl::string_view kCursorTag = "rebacd.export.v1";

absl::Status WithReason(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kAlreadyExists && ErrorReasonOf(s).empty()) {
    return ErrorWithReason(s.code(), s.message(), "ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP");
  }
  return s;
}

absl::Status InvalidCursor(absl::string_view why) {
  return ErrorWithReason(absl::StatusCode::kInvalidArgument, absl::StrCat("invalid cursor: ", why),
                         "ERROR_REASON_INVALID_CURSOR");
}

// An export cursor names the datastore, the revision being exported and the last relationship
// sent, so a resumed export continues the same snapshot right after it.
struct ExportCursor {
  std::string instance_id;
  storage::Revision revision = 0;
  storage::Relationship last;
};

std::string EncodeCursor(const ExportCursor& c) {
  const storage::Relationship& r = c.last;
  std::string raw =
      absl::StrJoin({absl::string_view(kCursorTag), absl::string_view(c.instance_id),
                     absl::string_view(absl::StrCat(c.revision)),
                     absl::string_view(r.resource_type), absl::string_view(r.resource_id),
                     absl::string_view(r.relation), absl::string_view(r.subject_type),
                     absl::string_view(r.subject_id), absl::string_view(r.subject_relation)},
                    absl::string_view("\0", 1));
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<ExportCursor> DecodeCursor(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return InvalidCursor("it does not decode");
  std::vector<std::string> parts = absl::StrSplit(raw, absl::string_view("\0", 1));
  ExportCursor c;
  if (parts.size() != 9 || parts[0] != kCursorTag || !absl::SimpleAtoi(parts[2], &c.revision)) {
    return InvalidCursor("it does not decode");
  }
  c.instance_id = parts[1];
  c.last = {parts[3], parts[4], parts[5], parts[6], parts[7], parts[8], {}};
  return c;
}

// The relationship's key in the index a scan with `by_subject` walks, in walk order.
std::string ScanKey(bool by_subject, const storage::RelationshipView& v) {
  return by_subject
             ? storage::keys::EncodePrefix({v.subject_type, v.subject_id, v.subject_relation,
                                            v.resource_type, v.relation, v.resource_id})
             : storage::keys::EncodePrefix({v.resource_type, v.resource_id, v.relation,
                                            v.subject_type, v.subject_relation, v.subject_id});
}

storage::RelationshipView ViewOf(const storage::Relationship& r) {
  return {r.resource_type, r.resource_id,      r.relation,         r.subject_type,
          r.subject_id,    r.subject_relation, absl::string_view()};
}

}  // namespace

absl::StatusOr<uint64_t> ImportRelationships(ServingState& state, NextImportBatch next,
                                             absl::FunctionRef<bool()> cancelled) {
  absl::StatusOr<ReadView> view = state.ViewFor(nullptr);
  if (!view.ok()) return view.status();
  absl::StatusOr<std::unique_ptr<storage::BulkLoad>> load =
      state.datastore().StartBulkLoad(/*transaction_metadata=*/"");
  if (!load.ok()) return load.status();
  // The load is validated against this schema; it commits only if no WriteSchema replaced it
  // meanwhile (ABORTED otherwise: the stream cannot be replayed here, so the client retries).
  (*load)->set_expected_schema_revision(view->schema_revision);

  std::vector<storage::Relationship> converted;
  uint64_t loaded = 0;
  // A relationship imported twice is refused by the load (at the latest when it commits).
  while (const RelationshipList* batch_ptr = next()) {
    const RelationshipList& batch = *batch_ptr;
    // Resized, not cleared: each message reuses the strings of the one before.
    converted.resize(batch.size());
    for (int i = 0; i < batch.size(); ++i) {
      // Validated without its field name (shorter names: fewer allocations); a refusal is
      // validated again to name the field.
      if (!ValidateRelationship(batch[i], "").ok()) {
        REBAC_RETURN_IF_ERROR(
            ValidateRelationship(batch[i], absl::StrCat("relationships[", i, "]")));
      }
      storage::Relationship& r = converted[i];
      FromProto(batch[i], &r);
      REBAC_RETURN_IF_ERROR(ValidateRelationshipForWrite(*view->schema, r, /*is_delete=*/false));
      REBAC_RETURN_IF_ERROR(ValidateRelationshipCaveatSize(batch[i]));
      REBAC_RETURN_IF_ERROR(ValidateRelationshipCaveat(*view->schema, batch[i]));
    }
    REBAC_RETURN_IF_ERROR(WithReason((*load)->Add(converted)));
    loaded += converted.size();
  }
  // A broken stream also ends the reads: only a clean end commits.
  if (cancelled()) return absl::CancelledError("the import stream was cancelled; nothing written");
  absl::StatusOr<storage::WriteResult> committed = (*load)->Commit();
  if (!committed.ok()) return WithReason(committed.status());
  return loaded;
}

absl::Status ExportRelationships(ServingState& state, const ExportParams& params,
                                 uint32_t max_batch, SendExportBatch send) {
  if (params.limit > max_batch) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("provided limit ", params.limit,
                                        " is greater than maximum allowed of ", max_batch),
                           "ERROR_REASON_EXCEEDS_MAXIMUM_ALLOWABLE_LIMIT",
                           {{"limit_provided", absl::StrCat(params.limit)},
                            {"maximum_limit_allowed", absl::StrCat(max_batch)}});
  }
  const uint32_t limit = params.limit == 0 ? max_batch : params.limit;
  if (params.filter != nullptr) {
    REBAC_RETURN_IF_ERROR(
        ValidateRelationshipFilter(*params.filter, "optional_relationship_filter"));
  }

  std::optional<ExportCursor> resume;
  absl::StatusOr<ReadView> view;
  if (params.cursor != nullptr && !params.cursor->token().empty()) {
    absl::StatusOr<ExportCursor> cursor = DecodeCursor(params.cursor->token());
    if (!cursor.ok()) return cursor.status();
    if (cursor->instance_id != state.datastore().instance_id()) {
      return InvalidCursor("it was issued by another datastore instance");
    }
    if (cursor->revision > state.datastore().HeadRevision()) {
      return InvalidCursor("its revision is newer than this datastore's newest");
    }
    view = state.ViewAt(cursor->revision);
    resume = std::move(*cursor);
  } else {
    view = state.ViewFor(params.consistency);
  }
  if (!view.ok()) return view.status();
  storage::RelationshipFilter filter;
  if (params.filter != nullptr) filter = FromProto(*params.filter);

  ExportCursor position{state.datastore().instance_id(), view->snapshot->revision(), {}};
  RelationshipList batch;
  bool client_gone = false;
  auto flush = [&] {
    std::string cursor = EncodeCursor(position);
    client_gone = !send(cursor, &batch);
    batch.Clear();
    return !client_gone;
  };
  // A scan walks one index in key order, the same on every call, so skipping the keys up to
  // the cursor's resumes right after it (even if that relationship has expired since).
  const bool by_subject = storage::keys::PlanScan(filter).by_subject;
  std::string resume_key;
  if (resume) resume_key = ScanKey(by_subject, ViewOf(resume->last));
  bool skipping = resume.has_value();
  REBAC_RETURN_IF_ERROR(view->snapshot->ForEach(filter, [&](const storage::RelationshipView& v) {
    if (skipping) {
      if (ScanKey(by_subject, v) <= resume_key) return true;
      skipping = false;
    }
    position.last = v.ToRelationship();
    ToProto(position.last, batch.Add());
    return batch.size() < static_cast<int>(limit) || flush();
  }));
  if (!client_gone && !batch.empty()) flush();
  if (client_gone) return absl::CancelledError("the client went away");
  return absl::OkStatus();
}

}  // namespace rebac::api
