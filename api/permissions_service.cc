#include "api/permissions_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/batch_stream_writer.h"
#include "api/caveat_context.h"
#include "api/grpc_status.h"
#include "api/relationship_conversion.h"
#include "api/request_validation.h"
#include "api/schema_validation.h"
#include "api/service_support.h"
#include "google/rpc/status.pb.h"
#include "graph/check.h"
#include "graph/error_reason.h"
#include "schema/compiler.h"
#include "storage/key_codec.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

absl::Status Authenticate(const Authenticator* auth, const grpc::ServerContext& context) {
  return auth->Authenticate(context);
}

// SpiceDB's error for a request with more items of one kind than allowed, e.g. "update count of
// 1001 is greater than maximum allowed of 1000".
absl::Status CountOverLimit(absl::string_view noun, int count, int limit, absl::string_view reason,
                            absl::string_view count_key, absl::string_view limit_key) {
  return ErrorWithReason(
      absl::StatusCode::kInvalidArgument,
      absl::StrCat(noun, " count of ", count, " is greater than maximum allowed of ", limit),
      reason,
      {{std::string(count_key), absl::StrCat(count)},
       {std::string(limit_key), absl::StrCat(limit)}});
}

absl::Status ValidatePreconditions(const google::protobuf::RepeatedPtrField<v1::Precondition>& ps,
                                   const schema::CompiledSchema& schema, int limit,
                                   std::vector<storage::Precondition>* out) {
  if (ps.size() > limit) {
    return CountOverLimit("precondition", ps.size(), limit,
                          "ERROR_REASON_TOO_MANY_PRECONDITIONS_IN_REQUEST", "precondition_count",
                          "maximum_preconditions_allowed");
  }
  for (int i = 0; i < ps.size(); ++i) {
    const v1::Precondition& p = ps[i];
    std::string field = absl::StrCat("optional_preconditions[", i, "]");
    if (p.operation() != v1::Precondition::OPERATION_MUST_MATCH &&
        p.operation() != v1::Precondition::OPERATION_MUST_NOT_MATCH) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", field, ".operation: an operation must be specified"));
    }
    if (!p.has_filter()) {
      return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                             absl::StrCat("invalid ", field, ".filter: value is required"),
                             "ERROR_REASON_EMPTY_PRECONDITION");
    }
    REBAC_RETURN_IF_ERROR(ValidateRelationshipFilter(p.filter(), absl::StrCat(field, ".filter")));
    storage::Precondition converted;
    converted.kind = p.operation() == v1::Precondition::OPERATION_MUST_MATCH
                         ? storage::Precondition::Kind::kMustMatch
                         : storage::Precondition::Kind::kMustNotMatch;
    converted.filter = FromProto(p.filter());
    REBAC_RETURN_IF_ERROR(ValidateFilterAgainstSchema(schema, converted.filter));
    out->push_back(std::move(converted));
  }
  return absl::OkStatus();
}

// Precondition failures carry SpiceDB's reason.
absl::Status MapWriteError(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kFailedPrecondition && ErrorReasonOf(s).empty()) {
    return ErrorWithReason(s.code(), s.message(),
                           "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE");
  }
  if (s.code() == absl::StatusCode::kAlreadyExists && ErrorReasonOf(s).empty()) {
    return ErrorWithReason(s.code(), s.message(), "ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP");
  }
  return s;
}

// A ReadRelationships cursor names the last relationship sent; resuming skips up to it.
std::string EncodeCursor(const storage::Relationship& r) {
  std::string raw =
      absl::StrCat(r.resource_type, std::string(1, '\0'), r.resource_id, std::string(1, '\0'),
                   r.relation, std::string(1, '\0'), r.subject_type, std::string(1, '\0'),
                   r.subject_id, std::string(1, '\0'), r.subject_relation);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<storage::Relationship> DecodeCursor(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, "the cursor does not decode",
                           "ERROR_REASON_INVALID_CURSOR");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, '\0');
  if (parts.size() != 6) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, "the cursor does not decode",
                           "ERROR_REASON_INVALID_CURSOR");
  }
  return storage::Relationship{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], {}};
}

// The key of `v` in the index a scan with `range` walks: scans visit keys in increasing order,
// so "after the cursor" is "key greater than the cursor's key", even if the cursor's own
// relationship was deleted since.
std::string IndexKey(const storage::keys::ScanRange& range, const storage::RelationshipView& v) {
  return range.by_subject
             ? storage::keys::EncodePrefix({v.subject_type, v.subject_id, v.subject_relation,
                                            v.resource_type, v.relation, v.resource_id})
             : storage::keys::EncodePrefix({v.resource_type, v.resource_id, v.relation,
                                            v.subject_type, v.subject_relation, v.subject_id});
}

absl::Status ValidateCheckItem(const v1::ObjectReference& resource, const std::string& permission,
                               const v1::SubjectReference& subject, bool has_resource,
                               bool has_subject) {
  if (!has_resource) return absl::InvalidArgumentError("invalid resource: value is required");
  REBAC_RETURN_IF_ERROR(ValidateObjectReference(resource, "resource"));
  REBAC_RETURN_IF_ERROR(ValidateRelationName(permission, "permission", false));
  if (!has_subject) return absl::InvalidArgumentError("invalid subject: value is required");
  return ValidateSubjectReference(subject, "subject");
}

graph::CheckRequest ToCheckRequest(const v1::ObjectReference& resource,
                                   const std::string& permission,
                                   const v1::SubjectReference& subject) {
  return graph::CheckRequest{
      resource.object_type(),         resource.object_id(),         permission,
      subject.object().object_type(), subject.object().object_id(), subject.optional_relation()};
}

// The walk's budget: the client's deadline, capped so no request runs unbounded.
constexpr absl::Duration kMaxCheckDuration = absl::Seconds(60);

// Relationships per ReadRelationships batch after the first (written in the connection's turn).
constexpr size_t kReadBatch = 256;
// Rows a ReadRelationships scan visits between looks at whether the client went away.
constexpr uint64_t kCancelPollRows = 256;

graph::CheckOptions CheckOptionsFor(const grpc::ServerContext& context, int max_depth) {
  graph::CheckOptions options;
  options.max_depth = max_depth;
  options.deadline =
      std::min(absl::FromChrono(context.deadline()), absl::Now() + kMaxCheckDuration);
  options.cancelled = [&context] { return context.IsCancelled(); };
  return options;
}

v1::CheckPermissionResponse::Permissionship ToProto(graph::Permissionship p) {
  switch (p) {
    case graph::Permissionship::kHasPermission:
      return v1::CheckPermissionResponse::PERMISSIONSHIP_HAS_PERMISSION;
    case graph::Permissionship::kConditional:
      return v1::CheckPermissionResponse::PERMISSIONSHIP_CONDITIONAL_PERMISSION;
    case graph::Permissionship::kNoPermission:
      break;
  }
  return v1::CheckPermissionResponse::PERMISSIONSHIP_NO_PERMISSION;
}

v1::CheckDebugTrace::Permissionship ToTraceProto(graph::Permissionship p) {
  switch (p) {
    case graph::Permissionship::kHasPermission:
      return v1::CheckDebugTrace::PERMISSIONSHIP_HAS_PERMISSION;
    case graph::Permissionship::kConditional:
      return v1::CheckDebugTrace::PERMISSIONSHIP_CONDITIONAL_PERMISSION;
    case graph::Permissionship::kNoPermission:
      break;
  }
  return v1::CheckDebugTrace::PERMISSIONSHIP_NO_PERMISSION;
}

// One node of the walk as SpiceDB's CheckDebugTrace: every node names the request's subject.
void ToProto(const graph::CheckTrace& node, const v1::SubjectReference& subject,
             v1::CheckDebugTrace* out) {
  out->mutable_resource()->set_object_type(node.resource_type);
  out->mutable_resource()->set_object_id(node.resource_id);
  out->set_permission(node.relation);
  out->set_permission_type(node.is_permission ? v1::CheckDebugTrace::PERMISSION_TYPE_PERMISSION
                                              : v1::CheckDebugTrace::PERMISSION_TYPE_RELATION);
  *out->mutable_subject() = subject;
  out->set_result(ToTraceProto(node.result));
  const int64_t nanos = absl::ToInt64Nanoseconds(node.duration);
  out->mutable_duration()->set_seconds(nanos / 1'000'000'000);
  out->mutable_duration()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  out->set_source("rebacd");
  if (node.cached) {
    out->set_was_cached_result(true);
    return;
  }
  v1::CheckDebugTrace::SubProblems* sub = out->mutable_sub_problems();
  for (const graph::CheckTrace& child : node.sub_problems)
    ToProto(child, subject, sub->add_traces());
}

// The debug information of a traced check: the walk and the schema it ran against.
void SetDebugTrace(const graph::CheckResult& result, const v1::SubjectReference& subject,
                   const schema::CompiledSchema& schema, v1::DebugInformation* out) {
  if (result.trace == nullptr) return;
  ToProto(*result.trace, subject, out->mutable_check());
  if (result.permissionship == graph::Permissionship::kConditional) {
    v1::CaveatEvalInfo* info = out->mutable_check()->mutable_caveat_evaluation_info();
    info->set_result(v1::CaveatEvalInfo::RESULT_MISSING_SOME_CONTEXT);
    for (const std::string& name : result.missing_context) {
      info->mutable_partial_caveat_info()->add_missing_required_context(name);
    }
  }
  out->set_schema_used(schema::Print(schema));
}

// Fills a check answer: the permissionship and, when conditional, what context is missing.
template <typename Response>
void SetCheckAnswer(const graph::CheckResult& result, Response* out) {
  out->set_permissionship(ToProto(result.permissionship));
  if (result.permissionship == graph::Permissionship::kConditional) {
    for (const std::string& name : result.missing_context) {
      out->mutable_partial_caveat_info()->add_missing_required_context(name);
    }
  }
}

}  // namespace

grpc::Status PermissionsServiceImpl::ReadRelationships(
    grpc::ServerContext* context, const v1::ReadRelationshipsRequest* request,
    grpc::ServerWriter<v1::ReadRelationshipsResponse>* writer) {
  ServingState* state_ = states_->For(*context);
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(Authenticate(auth_, *context));
    REBAC_RETURN_IF_ERROR(
        ValidateRelationshipFilter(request->relationship_filter(), "relationship_filter"));
    absl::StatusOr<ReadView> view =
        state_->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    if (!view.ok()) return view.status();
    storage::RelationshipFilter filter = FromProto(request->relationship_filter());
    REBAC_RETURN_IF_ERROR(ValidateFilterAgainstSchema(*view->schema, filter));

    // Scans visit the keys of one index in increasing order (storage plans which index).
    const storage::keys::ScanRange scan_range = storage::keys::PlanScan(filter);
    std::optional<std::string> resume_after;  // index key of the last relationship sent
    if (request->has_optional_cursor()) {
      absl::StatusOr<storage::Relationship> cursor =
          DecodeCursor(request->optional_cursor().token());
      if (!cursor.ok()) return cursor.status();
      const storage::Relationship& c = *cursor;
      storage::RelationshipView last{c.resource_type, c.resource_id, c.relation,
                                     c.subject_type,  c.subject_id,  c.subject_relation};
      resume_after = IndexKey(scan_range, last);
    }
    const uint64_t limit = request->optional_limit();
    uint64_t sent = 0;
    uint64_t rows = 0;
    bool stream_broken = false;
    StreamWriteTurns::Connection connection = write_turns_.For(context->peer());
    BatchStreamWriter<v1::ReadRelationshipsResponse> out(writer, kReadBatch, &connection);
    absl::Status scan = view->snapshot->ForEach(filter, [&](const storage::RelationshipView& v) {
      if (resume_after) {
        if (IndexKey(scan_range, v) <= *resume_after) return true;
        resume_after.reset();
      }
      // Polled now and then: on a synchronous call it plucks the call's completion queue (a
      // futex wait with no timeout left), which per row cost 4x the throughput.
      if (++rows % kCancelPollRows == 0 && context->IsCancelled()) {
        stream_broken = true;
        return false;
      }
      storage::Relationship r = v.ToRelationship();
      v1::ReadRelationshipsResponse& response = out.Add();
      response.Clear();
      response.mutable_read_at()->set_token(view->token);
      ToProto(r, response.mutable_relationship());
      response.mutable_after_result_cursor()->set_token(EncodeCursor(r));
      if (out.full() && !out.Send()) {
        stream_broken = true;
        return false;
      }
      ++sent;
      return limit == 0 || sent < limit;
    });
    if (!stream_broken && !out.Send()) stream_broken = true;
    if (stream_broken) return absl::CancelledError("the client went away");
    return scan;
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::WriteRelationships(
    grpc::ServerContext* context, const v1::WriteRelationshipsRequest* request,
    v1::WriteRelationshipsResponse* response) {
  ServingState* state_ = states_->For(*context);
  // One attempt validates the updates against the schema in force and commits them on the
  // condition that the schema is still that one (storage refuses with ABORTED otherwise), so a
  // concurrent WriteSchema cannot orphan what this write adds. A lost race is retried.
  auto attempt = [&]() -> absl::Status {
    absl::StatusOr<ReadView> view = state_->ViewFor(nullptr);
    if (!view.ok()) return view.status();

    storage::WriteRequest write;
    if (request->has_optional_transaction_metadata()) {
      write.transaction_metadata = request->optional_transaction_metadata().SerializeAsString();
    }
    REBAC_RETURN_IF_ERROR(ValidatePreconditions(request->optional_preconditions(), *view->schema,
                                                limits_.max_preconditions_per_write,
                                                &write.preconditions));
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < request->updates_size(); ++i) {
      const v1::RelationshipUpdate& update = request->updates(i);
      std::string field = absl::StrCat("updates[", i, "]");
      if (update.operation() == v1::RelationshipUpdate::OPERATION_UNSPECIFIED) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid ", field, ".operation: an operation must be specified"));
      }
      if (!update.has_relationship()) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid ", field, ".relationship: value is required"));
      }
      REBAC_RETURN_IF_ERROR(
          ValidateRelationship(update.relationship(), absl::StrCat(field, ".relationship")));
      storage::RelationshipUpdate converted;
      converted.relationship = FromProto(update.relationship());
      const bool is_delete = update.operation() == v1::RelationshipUpdate::OPERATION_DELETE;
      converted.operation = is_delete ? storage::UpdateOperation::kDelete
                            : update.operation() == v1::RelationshipUpdate::OPERATION_CREATE
                                ? storage::UpdateOperation::kCreate
                                : storage::UpdateOperation::kTouch;
      std::string text = storage::ToString(converted.relationship);
      if (!seen.insert(text).second) {
        return ErrorWithReason(
            absl::StatusCode::kInvalidArgument,
            absl::StrCat("found more than one update with relationship `", text,
                         "` in this request; a relationship can only be specified in an update "
                         "once per overall WriteRelationships request"),
            "ERROR_REASON_UPDATES_ON_SAME_RELATIONSHIP", {{"definition_name", text}});
      }
      // SpiceDB's order: duplicates and context size for every update first, then the checks
      // against the schema.
      REBAC_RETURN_IF_ERROR(ValidateRelationshipCaveatSize(update.relationship()));
      write.updates.push_back(std::move(converted));
    }
    for (int i = 0; i < request->updates_size(); ++i) {
      const bool is_delete =
          request->updates(i).operation() == v1::RelationshipUpdate::OPERATION_DELETE;
      REBAC_RETURN_IF_ERROR(
          ValidateRelationshipForWrite(*view->schema, write.updates[i].relationship, is_delete));
      if (!is_delete) {
        REBAC_RETURN_IF_ERROR(
            ValidateRelationshipCaveat(*view->schema, request->updates(i).relationship()));
      }
    }
    write.expected_schema_revision = view->schema_revision;
    absl::StatusOr<storage::WriteResult> written = state_->datastore().Write(write);
    if (!written.ok()) {
      if (written.status().code() == absl::StatusCode::kAborted) return written.status();
      return MapWriteError(written.status());
    }
    response->mutable_written_at()->set_token(state_->TokenFor(written->revision));
    return absl::OkStatus();
  };
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(Authenticate(auth_, *context));
    if (request->updates_size() > limits_.max_updates_per_write) {
      return CountOverLimit("update", request->updates_size(), limits_.max_updates_per_write,
                            "ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST", "update_count",
                            "maximum_updates_allowed");
    }
    constexpr int kAttempts = 5;
    absl::Status result;
    for (int i = 0; i < kAttempts; ++i) {
      result = attempt();
      if (result.code() != absl::StatusCode::kAborted) break;
    }
    return result;
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::DeleteRelationships(
    grpc::ServerContext* context, const v1::DeleteRelationshipsRequest* request,
    v1::DeleteRelationshipsResponse* response) {
  ServingState* state_ = states_->For(*context);
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(Authenticate(auth_, *context));
    REBAC_RETURN_IF_ERROR(
        ValidateRelationshipFilter(request->relationship_filter(), "relationship_filter"));
    absl::StatusOr<ReadView> view = state_->ViewFor(nullptr);
    if (!view.ok()) return view.status();
    storage::RelationshipFilter filter = FromProto(request->relationship_filter());
    REBAC_RETURN_IF_ERROR(ValidateFilterAgainstSchema(*view->schema, filter));

    storage::WriteRequest write;
    if (request->has_optional_transaction_metadata()) {
      write.transaction_metadata = request->optional_transaction_metadata().SerializeAsString();
    }
    REBAC_RETURN_IF_ERROR(ValidatePreconditions(request->optional_preconditions(), *view->schema,
                                                limits_.max_preconditions_per_write,
                                                &write.preconditions));
    bool partial = false;
    if (request->optional_limit() > 0) {
      // Count up to limit + 1 to learn whether the limit cuts the deletion short.
      const uint64_t limit = request->optional_limit();
      std::vector<storage::Relationship> matched;
      REBAC_RETURN_IF_ERROR(
          view->snapshot->ForEach(filter, [&](const storage::RelationshipView& v) {
            matched.push_back(v.ToRelationship());
            return matched.size() <= limit;
          }));
      if (matched.size() > limit) {
        if (!request->optional_allow_partial_deletions()) {
          return ErrorWithReason(
              absl::StatusCode::kFailedPrecondition,
              absl::StrCat("found more than ", limit,
                           " relationships to be deleted and partial deletion was not requested"),
              "ERROR_REASON_TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE",
              {{"limit", absl::StrCat(limit)}});
        }
        matched.resize(limit);
        partial = true;
      }
      for (storage::Relationship& r : matched) {
        write.updates.push_back({storage::UpdateOperation::kDelete, std::move(r)});
      }
    } else {
      write.delete_filters.push_back(filter);
    }
    absl::StatusOr<storage::WriteResult> written = state_->datastore().Write(write);
    if (!written.ok()) return MapWriteError(written.status());
    response->mutable_deleted_at()->set_token(state_->TokenFor(written->revision));
    response->set_deletion_progress(
        partial ? v1::DeleteRelationshipsResponse::DELETION_PROGRESS_PARTIAL
                : v1::DeleteRelationshipsResponse::DELETION_PROGRESS_COMPLETE);
    response->set_relationships_deleted_count(
        request->optional_limit() > 0 ? write.updates.size() : written->relationships_deleted);
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::CheckPermission(grpc::ServerContext* context,
                                                     const v1::CheckPermissionRequest* request,
                                                     v1::CheckPermissionResponse* response) {
  ServingState* state_ = states_->For(*context);
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(Authenticate(auth_, *context));
    REBAC_RETURN_IF_ERROR(ValidateCheckItem(request->resource(), request->permission(),
                                            request->subject(), request->has_resource(),
                                            request->has_subject()));
    absl::StatusOr<ReadView> view =
        state_->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    if (!view.ok()) return view.status();
    graph::CheckRequest check =
        ToCheckRequest(request->resource(), request->permission(), request->subject());
    absl::StatusOr<schema::caveats::ValueMap> caveat_context =
        RequestCaveatContext(request->has_context() ? &request->context() : nullptr);
    if (!caveat_context.ok()) return caveat_context.status();
    check.context = *std::move(caveat_context);
    graph::CheckOptions options = CheckOptionsFor(*context, limits_.max_depth);
    options.trace = request->with_tracing();
    options.shared_cache = view->check_cache;
    graph::Checker checker(view->schema, view->snapshot, options);
    absl::StatusOr<graph::CheckResult> result = checker.Check(check);
    if (!result.ok()) return result.status();
    response->mutable_checked_at()->set_token(view->token);
    SetCheckAnswer(*result, response);
    if (request->with_tracing()) {
      SetDebugTrace(*result, request->subject(), *view->schema, response->mutable_debug_trace());
    }
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::CheckBulkPermissions(
    grpc::ServerContext* context, const v1::CheckBulkPermissionsRequest* request,
    v1::CheckBulkPermissionsResponse* response) {
  ServingState* state_ = states_->For(*context);
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(Authenticate(auth_, *context));
    if (request->items_size() > limits_.max_check_bulk_items) {
      return CountOverLimit("check", request->items_size(), limits_.max_check_bulk_items,
                            "ERROR_REASON_TOO_MANY_CHECKS_IN_REQUEST", "check_count",
                            "maximum_checks_allowed");
    }
    absl::StatusOr<ReadView> view =
        state_->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    if (!view.ok()) return view.status();
    response->mutable_checked_at()->set_token(view->token);
    absl::flat_hash_map<std::string, std::unique_ptr<graph::Checker>> checkers;
    for (const v1::CheckBulkPermissionsRequestItem& item : request->items()) {
      v1::CheckBulkPermissionsPair* pair = response->add_pairs();
      *pair->mutable_request() = item;
      absl::Status item_status =
          ValidateCheckItem(item.resource(), item.permission(), item.subject(), item.has_resource(),
                            item.has_subject());
      absl::StatusOr<schema::caveats::ValueMap> caveat_context =
          RequestCaveatContext(item.has_context() ? &item.context() : nullptr);
      if (item_status.ok() && !caveat_context.ok()) item_status = caveat_context.status();
      absl::StatusOr<graph::CheckResult> result = item_status;
      if (item_status.ok()) {
        graph::CheckRequest check =
            ToCheckRequest(item.resource(), item.permission(), item.subject());
        check.context = *std::move(caveat_context);
        // One Checker per subject: items about the same subject share memoized sub-problems
        // (SpiceDB's bulk check likewise dispatches them together).
        std::unique_ptr<graph::Checker>& checker = checkers[absl::StrCat(
            check.subject_type, ":", check.subject_id, "#", check.subject_relation)];
        if (checker == nullptr) {
          graph::CheckOptions options = CheckOptionsFor(*context, limits_.max_depth);
          options.shared_cache = view->check_cache;
          options.trace = request->with_tracing();
          checker = std::make_unique<graph::Checker>(view->schema, view->snapshot, options);
        }
        result = checker->Check(check);
      }
      if (!result.ok()) {
        grpc::Status g = ToGrpcStatus(result.status());
        google::rpc::Status* error = pair->mutable_error();
        error->set_code(g.error_code());
        error->set_message(g.error_message());
        if (!g.error_details().empty()) {
          google::rpc::Status details;
          if (details.ParseFromString(g.error_details()))
            *error->mutable_details() = details.details();
        }
        continue;
      }
      SetCheckAnswer(*result, pair->mutable_item());
      if (request->with_tracing()) {
        SetDebugTrace(*result, item.subject(), *view->schema,
                      pair->mutable_item()->mutable_debug_trace());
      }
    }
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

}  // namespace rebac::api
