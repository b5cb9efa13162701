// PermissionsService: ExpandPermissionTree, LookupResources, LookupSubjects: request checks and
// the translation between authzed.api.v1 and the graph engines (graph/expand.h,
// graph/lookup_resources.h, graph/lookup_subjects.h).
//
// LookupResources cursors are opaque to clients: base64 of a versioned record naming the
// revision the first page read, a hash of the request's parameters and how many results have
// been sent. Resuming reads at that same revision (so the walk reports the same sequence) and
// skips what was sent; a cursor presented with other parameters is refused as SpiceDB refuses it.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/batch_stream_writer.h"
#include "api/caveat_context.h"
#include "api/compute_slots.h"
#include "api/grpc_status.h"
#include "api/permissions_service.h"
#include "api/request_validation.h"
#include "api/service_support.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "graph/chunked_resource_lookup.h"
#include "graph/error_reason.h"
#include "graph/expand.h"
#include "graph/lookup_resources.h"
#include "graph/lookup_subjects.h"

// The request's ServingState. While the services move from one `state_` to a per-request
// `states_` resolver, this picks whichever the class has, so this file builds on both sides of
// that change. (A generic lambda in a member function may name private members; the branch for
// the missing one is discarded.)
#define REBAC_LOOKUP_SERVING_STATE()             \
  [&](auto* self) -> ServingState* {             \
    if constexpr (requires { self->states_; }) { \
      return self->states_->For(*context);       \
    } else {                                     \
      return self->state_;                       \
    }                                            \
  }(this)

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

// SpiceDB's default --max-lookup-resources-limit.
constexpr uint32_t kMaxLookupResourcesLimit = 1000;
// LookupResources results computed before a walk hands them to be written (after the first,
// which goes out alone as soon as it is found). With more walks under way than compute slots,
// large batches, so that each hand-off of a slot costs little; otherwise smaller ones, so the
// client reads one batch while the walk computes the next (kit `lookup` c=1: ~200k -> ~230k
// results/s, measured against 256 throughout).
constexpr size_t kLookupBatch = 256;
constexpr size_t kLookupBatchUncrowded = 64;
constexpr char kCursorVersion[] = "lr1";

// FNV-1a: stable across processes and restarts, unlike absl::Hash, so a cursor outlives the
// server that issued it. It only has to tell requests apart, not resist forgery.
uint64_t Fnv1a(absl::string_view bytes) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// A message as bytes that depend only on its content: a Struct is a map, and plain
// serialization writes a map in whatever order it iterates, which differs between two parses of
// the same context (so a resumed request would look like another request).
std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// Everything that shapes the answer's sequence, the cursor itself excepted. The consistency too:
// SpiceDB v1.54 refuses a cursor whose request asks for another consistency.
std::string RequestHash(const v1::LookupResourcesRequest& request) {
  std::string parameters = absl::StrCat(
      request.resource_object_type(), "\n", request.permission(), "\n",
      request.subject().object().object_type(), "\n", request.subject().object().object_id(), "\n",
      request.subject().optional_relation(), "\n", request.optional_limit(), "\n",
      request.has_context() ? DeterministicBytes(request.context()) : "", "\n",
      request.has_consistency() ? DeterministicBytes(request.consistency()) : "");
  return absl::StrCat(absl::Hex(Fnv1a(parameters), absl::kZeroPad16));
}

struct LookupCursor {
  storage::Revision revision = 0;
  std::string request_hash;
  uint64_t sent = 0;
};

// Writes the after_result_cursor of each result of a stream: base64 of
// "lr1:<revision>:<request hash>:<results sent>". Base64 maps each 3 bytes on their own, so the
// whole 3-byte groups of the part every cursor of the stream shares are encoded once, and each
// result encodes only the rest: no allocation per result once the strings have grown.
class CursorWriter {
 public:
  explicit CursorWriter(const LookupCursor& stream) {
    const std::string shared =
        absl::StrCat(kCursorVersion, ":", stream.revision, ":", stream.request_hash, ":");
    const size_t groups = shared.size() / 3 * 3;
    shared_encoded_ = absl::Base64Escape(absl::string_view(shared).substr(0, groups));
    shared_rest_ = shared.substr(groups);
  }

  void Write(uint64_t sent, std::string* token) {
    rest_.assign(shared_rest_);
    absl::StrAppend(&rest_, sent);
    absl::Base64Escape(rest_, &rest_encoded_);
    token->assign(shared_encoded_);
    token->append(rest_encoded_);
  }

 private:
  std::string shared_encoded_;
  std::string shared_rest_;
  std::string rest_;
  std::string rest_encoded_;
};

absl::Status InvalidCursor(absl::string_view why) {
  return ErrorWithReason(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("error decoding cursor: ", why),
                         "ERROR_REASON_INVALID_CURSOR");
}

absl::StatusOr<LookupCursor> DecodeCursor(absl::string_view token, absl::string_view hash) {
  std::string raw;
  if (!absl::Base64Unescape(token, &raw)) return InvalidCursor("illegal base64 data");
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  LookupCursor cursor;
  if (parts.size() != 4 || parts[0] != kCursorVersion ||
      !absl::SimpleAtoi(parts[1], &cursor.revision) || !absl::SimpleAtoi(parts[3], &cursor.sent)) {
    return InvalidCursor("not a LookupResources cursor");
  }
  cursor.request_hash = std::string(parts[2]);
  if (cursor.request_hash != hash) {
    // INVALID_ARGUMENT as SpiceDB v1.54 answers it (observed; its generic error rewriting would
    // say FAILED_PRECONDITION, but LookupResources refuses the cursor before that).
    return ErrorWithReason(
        absl::StatusCode::kInvalidArgument,
        "the cursor provided does not have the same arguments as the original API call; please "
        "ensure you are making the same API call, with the exact same parameters (besides the "
        "cursor)",
        "ERROR_REASON_INVALID_CURSOR");
  }
  return cursor;
}

absl::Status ValidateLookupResources(const v1::LookupResourcesRequest& request) {
  if (!IsValidObjectType(request.resource_object_type())) {
    return absl::InvalidArgumentError(absl::StrCat("invalid resource_object_type: `",
                                                   request.resource_object_type(),
                                                   "` is not a valid object type"));
  }
  REBAC_RETURN_IF_ERROR(ValidateRelationName(request.permission(), "permission", false));
  if (!request.has_subject())
    return absl::InvalidArgumentError("invalid subject: value is required");
  REBAC_RETURN_IF_ERROR(ValidateSubjectReference(request.subject(), "subject"));
  if (request.optional_limit() > kMaxLookupResourcesLimit) {
    return ErrorWithReason(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("provided limit ", request.optional_limit(),
                     " is greater than maximum allowed of ", kMaxLookupResourcesLimit),
        "ERROR_REASON_EXCEEDS_MAXIMUM_ALLOWABLE_LIMIT",
        {{"limit_provided", absl::StrCat(request.optional_limit())},
         {"maximum_limit_allowed", absl::StrCat(kMaxLookupResourcesLimit)}});
  }
  return absl::OkStatus();
}

absl::Status ValidateLookupSubjects(const v1::LookupSubjectsRequest& request) {
  if (!request.has_resource()) {
    return absl::InvalidArgumentError("invalid resource: value is required");
  }
  REBAC_RETURN_IF_ERROR(ValidateObjectReference(request.resource(), "resource"));
  REBAC_RETURN_IF_ERROR(ValidateRelationName(request.permission(), "permission", false));
  if (!IsValidObjectType(request.subject_object_type())) {
    return absl::InvalidArgumentError(absl::StrCat("invalid subject_object_type: `",
                                                   request.subject_object_type(),
                                                   "` is not a valid object type"));
  }
  return ValidateRelationName(request.optional_subject_relation(), "optional_subject_relation",
                              true);
}

// A found subject as SpiceDB resolves it with the request's context: unconditional or true
// is HAS_PERMISSION, unknown is CONDITIONAL_PERMISSION with the missing parameters, false drops
// it (returns false).
absl::StatusOr<bool> ResolveFoundSubject(const graph::FoundSubject& found,
                                         graph::CaveatRunner& caveats, v1::ResolvedSubject* out) {
  out->set_subject_object_id(found.id);
  out->set_permissionship(v1::LOOKUP_PERMISSIONSHIP_HAS_PERMISSION);
  if (found.caveat == nullptr) return true;
  absl::StatusOr<graph::CaveatOutcome> outcome = caveats.Run(found.caveat);
  if (!outcome.ok()) return outcome.status();
  switch (outcome->kind) {
    case graph::CaveatOutcome::Kind::kTrue:
      return true;
    case graph::CaveatOutcome::Kind::kFalse:
      return false;
    case graph::CaveatOutcome::Kind::kPartial:
      out->set_permissionship(v1::LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION);
      for (const std::string& name : outcome->missing) {
        out->mutable_partial_caveat_info()->add_missing_required_context(name);
      }
      return true;
  }
  return true;
}

// One LookupSubjects result as SpiceDB sends it: `subject` and the `excluded_subjects` still in
// force, plus the deprecated flat fields it fills for older clients (every excluded id there).
// Returns false when the subject's caveat is false: nothing is sent.
absl::StatusOr<bool> FillLookupSubjectsResponse(const graph::FoundSubject& found,
                                                graph::CaveatRunner& caveats,
                                                const std::string& token,
                                                v1::LookupSubjectsResponse* response) {
  response->Clear();
  for (const graph::FoundSubject& excluded : found.excluded) {
    v1::ResolvedSubject resolved;
    absl::StatusOr<bool> applies = ResolveFoundSubject(excluded, caveats, &resolved);
    if (!applies.ok()) return applies.status();
    if (*applies) *response->add_excluded_subjects() = std::move(resolved);
  }
  absl::StatusOr<bool> found_here =
      ResolveFoundSubject(found, caveats, response->mutable_subject());
  if (!found_here.ok() || !*found_here) return found_here;
  response->mutable_looked_up_at()->set_token(token);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  response->set_subject_object_id(found.id);
  for (const graph::FoundSubject& excluded : found.excluded) {
    response->add_excluded_subject_ids(excluded.id);
  }
  response->set_permissionship(response->subject().permissionship());
  if (response->subject().has_partial_caveat_info()) {
    *response->mutable_partial_caveat_info() = response->subject().partial_caveat_info();
  }
#pragma GCC diagnostic pop
  return true;
}

v1::AlgebraicSubjectSet::Operation ToProto(graph::ExpandNode::Kind kind) {
  switch (kind) {
    case graph::ExpandNode::Kind::kIntersection:
      return v1::AlgebraicSubjectSet::OPERATION_INTERSECTION;
    case graph::ExpandNode::Kind::kExclusion:
      return v1::AlgebraicSubjectSet::OPERATION_EXCLUSION;
    default:
      return v1::AlgebraicSubjectSet::OPERATION_UNION;
  }
}

void ToProto(const graph::ExpandNode& node, v1::PermissionRelationshipTree* out) {
  out->mutable_expanded_object()->set_object_type(node.object_type);
  out->mutable_expanded_object()->set_object_id(node.object_id);
  out->set_expanded_relation(node.relation);
  if (node.kind == graph::ExpandNode::Kind::kLeaf) {
    v1::DirectSubjectSet* leaf = out->mutable_leaf();
    for (const graph::ExpandSubject& s : node.subjects) {
      v1::SubjectReference* subject = leaf->add_subjects();
      subject->mutable_object()->set_object_type(s.type);
      subject->mutable_object()->set_object_id(s.id);
      subject->set_optional_relation(s.relation);
    }
    return;
  }
  v1::AlgebraicSubjectSet* intermediate = out->mutable_intermediate();
  intermediate->set_operation(ToProto(node.kind));
  for (const graph::ExpandNode& child : node.children) {
    ToProto(child, intermediate->add_children());
  }
}

}  // namespace

grpc::Status PermissionsServiceImpl::ExpandPermissionTree(
    grpc::ServerContext* context, const v1::ExpandPermissionTreeRequest* request,
    v1::ExpandPermissionTreeResponse* response) {
  ServingState* state = REBAC_LOOKUP_SERVING_STATE();
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(auth_->Authenticate(*context));
    if (!request->has_resource()) {
      return absl::InvalidArgumentError("invalid resource: value is required");
    }
    REBAC_RETURN_IF_ERROR(ValidateObjectReference(request->resource(), "resource"));
    REBAC_RETURN_IF_ERROR(ValidateRelationName(request->permission(), "permission", false));
    absl::StatusOr<ReadView> view =
        state->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    if (!view.ok()) return view.status();
    graph::ExpandOptions options;
    options.max_depth = limits_.max_depth;
    graph::TreeExpander expander(view->schema, view->snapshot, options);
    absl::StatusOr<graph::ExpandNode> tree = expander.Expand(
        request->resource().object_type(), request->resource().object_id(), request->permission());
    if (!tree.ok()) return tree.status();
    ToProto(*tree, response->mutable_tree_root());
    response->mutable_expanded_at()->set_token(view->token);
    return absl::OkStatus();
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::LookupResources(
    grpc::ServerContext* context, const v1::LookupResourcesRequest* request,
    grpc::ServerWriter<v1::LookupResourcesResponse>* writer) {
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(auth_->Authenticate(*context));
    REBAC_RETURN_IF_ERROR(ValidateLookupResources(*request));
    ServingState* state = REBAC_LOOKUP_SERVING_STATE();
    const std::string hash = RequestHash(*request);
    LookupCursor cursor;
    absl::StatusOr<ReadView> view;
    if (request->has_optional_cursor()) {
      absl::StatusOr<LookupCursor> decoded = DecodeCursor(request->optional_cursor().token(), hash);
      if (!decoded.ok()) return decoded.status();
      cursor = *decoded;
      view = state->ViewAt(cursor.revision);
    } else {
      view = state->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    }
    if (!view.ok()) return view.status();
    cursor.revision = view->snapshot->revision();
    cursor.request_hash = hash;

    // The walk computes only while it holds one of the server's compute slots, and lets go of
    // it while a batch of what it found goes out (see ComputeSlots).
    ComputeSlot slot(&lookup_slots_);
    auto client_gone = [context] { return context->IsCancelled(); };
    if (!slot.Acquire(client_gone)) return absl::CancelledError("the client went away");
    const graph::LookupResourcesOptions options{
        .max_depth = limits_.max_depth, .skip = cursor.sent, .cancelled = [&] {
          return !slot.Yield(client_gone) || client_gone();
        }};
    const uint64_t limit = request->optional_limit();
    uint64_t sent_now = 0;
    bool stream_broken = false;
    CursorWriter cursor_writer(cursor);
    StreamWriteTurns::Connection connection = write_turns_.For(context->peer());
    BatchStreamWriter<v1::LookupResourcesResponse> out(writer, kLookupBatch, &connection);
    // False when the client went away, while writing or waiting for the slot again.
    auto send_batch = [&] {
      slot.Release();
      return out.Send(lookup_slots_.Oversubscribed() ? kLookupBatch : kLookupBatchUncrowded) &&
             slot.Acquire(client_gone);
    };
    absl::StatusOr<schema::caveats::ValueMap> caveat_context =
        RequestCaveatContext(request->has_context() ? &request->context() : nullptr);
    if (!caveat_context.ok()) return caveat_context.status();
    const graph::LookupResourcesRequest lookup_request{
        request->resource_object_type(),           request->permission(),
        request->subject().object().object_type(), request->subject().object().object_id(),
        request->subject().optional_relation(),    *std::move(caveat_context)};
    // Where results can be conditional (a resource definite and conditional, or conditional
    // twice) or the request has a limit (a definite resource streamed every time a route
    // reaches it, in SpiceDB's order, which fixes what each page holds), SpiceDB's stream has a
    // shape of its own: walk as it dispatches. Otherwise each resource is streamed once, in no
    // order that matters, and the direct walk gives the same answer faster.
    const bool chunked = limit > 0 || !view->schema->caveats().empty();
    auto run = [&](graph::ResourceVisitor visit) -> absl::Status {
      if (chunked) {
        graph::ChunkedResourceLookup lookup(view->schema, view->snapshot,
                                            {.lookup = options, .repeat_definite = limit > 0});
        return lookup.Run(lookup_request, visit);
      }
      graph::ResourceLookup lookup(view->schema, view->snapshot, options);
      return lookup.Run(lookup_request, visit);
    };
    absl::Status walked =
        run([&](absl::string_view id, const std::vector<std::string>* missing_context) {
          ++cursor.sent;
          ++sent_now;
          // Every field is set here rather than after a Clear(): Clear() deletes a proto3
          // message's submessages, and with them the strings of both tokens, four allocations
          // per result that reusing the response avoids.
          v1::LookupResourcesResponse& response = out.Add();
          response.mutable_looked_up_at()->set_token(view->token);
          response.set_resource_object_id(id.data(), id.size());
          response.set_permissionship(missing_context == nullptr
                                          ? v1::LOOKUP_PERMISSIONSHIP_HAS_PERMISSION
                                          : v1::LOOKUP_PERMISSIONSHIP_CONDITIONAL_PERMISSION);
          if (missing_context == nullptr || missing_context->empty()) {
            if (response.has_partial_caveat_info()) response.clear_partial_caveat_info();
          } else {
            v1::PartialCaveatInfo* info = response.mutable_partial_caveat_info();
            info->clear_missing_required_context();
            for (const std::string& name : *missing_context)
              info->add_missing_required_context(name);
          }
          cursor_writer.Write(cursor.sent, response.mutable_after_result_cursor()->mutable_token());
          if (out.full() && !send_batch()) {
            stream_broken = true;
            return false;
          }
          return limit == 0 || sent_now < limit;
        });
    // What was found before an error is still the client's (as SpiceDB streams it).
    slot.Release();
    if (!stream_broken && !out.Send()) stream_broken = true;
    if (stream_broken ||
        (walked.code() == absl::StatusCode::kCancelled && context->IsCancelled())) {
      return absl::CancelledError("the client went away");
    }
    return walked;
  }();
  return ToGrpcStatus(status);
}

grpc::Status PermissionsServiceImpl::LookupSubjects(
    grpc::ServerContext* context, const v1::LookupSubjectsRequest* request,
    grpc::ServerWriter<v1::LookupSubjectsResponse>* writer) {
  ServingState* state = REBAC_LOOKUP_SERVING_STATE();
  absl::Status status = [&]() -> absl::Status {
    REBAC_RETURN_IF_ERROR(auth_->Authenticate(*context));
    REBAC_RETURN_IF_ERROR(ValidateLookupSubjects(*request));
    // SpiceDB v1.54 refuses any concrete limit this way, before reading anything.
    if (request->optional_concrete_limit() != 0) {
      return absl::UnimplementedError("concrete limit is not yet supported");
    }
    absl::StatusOr<ReadView> view =
        state->ViewFor(request->has_consistency() ? &request->consistency() : nullptr);
    if (!view.ok()) return view.status();
    graph::LookupSubjectsOptions options;
    options.max_depth = limits_.max_depth;
    options.cancelled = [context] { return context->IsCancelled(); };
    graph::SubjectLookup lookup(view->schema, view->snapshot, options);
    absl::StatusOr<std::vector<graph::FoundSubject>> subjects = lookup.Run(
        {request->resource().object_type(), request->resource().object_id(), request->permission(),
         request->subject_object_type(), request->optional_subject_relation()});
    if (!subjects.ok()) {
      if (context->IsCancelled()) return absl::CancelledError("the client went away");
      return subjects.status();
    }
    absl::StatusOr<schema::caveats::ValueMap> caveat_context =
        RequestCaveatContext(request->has_context() ? &request->context() : nullptr);
    if (!caveat_context.ok()) return caveat_context.status();
    graph::CaveatRunner caveats(*view->schema, *std::move(caveat_context));
    StreamWriteTurns::Connection connection = write_turns_.For(context->peer());
    BatchStreamWriter<v1::LookupSubjectsResponse> out(writer, kLookupBatch, &connection);
    const absl::Status gone = absl::CancelledError("the client went away");
    for (const graph::FoundSubject& found : *subjects) {
      absl::StatusOr<bool> send =
          FillLookupSubjectsResponse(found, caveats, view->token, &out.Add());
      if (!send.ok()) {
        out.Drop();
        return out.Send() ? send.status() : gone;
      }
      if (!*send) {
        out.Drop();
      } else if (out.full() && !out.Send()) {
        return gone;
      }
    }
    return out.Send() ? absl::OkStatus() : gone;
  }();
  return ToGrpcStatus(status);
}

}  // namespace rebac::api
