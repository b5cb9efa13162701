// SchemaService's reflection RPCs and WriteSchema's refusal of changes that would orphan
// relationships. Expected answers are SpiceDB's: cases and messages come from its
// internal/services/v1/schema_test.go, reflectionapi_test.go and
// internal/services/shared/schema_test.go, and from internal/services/shared/schema.go.
#include "api/schema_reflection.h"

#include <grpcpp/grpcpp.h>

#include "api/grpc_status.h"
#include "api/schema_change_check.h"
#include "api/server.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "graph/error_reason.h"
#include "gtest/gtest.h"
#include "schema/compiler.h"
#include "storage/memory/memory_datastore.h"

namespace rebac::api {
namespace {

namespace v1 = authzed::api::v1;

std::shared_ptr<const schema::CompiledSchema> MustCompile(const std::string& text) {
  schema::CompileResult r = schema::Compile(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? r.schema() : std::make_shared<schema::CompiledSchema>();
}

// "definition#relation(P)" per reference, P when a permission.
template <typename Refs>
std::vector<std::string> Names(const Refs& refs) {
  std::vector<std::string> out;
  for (const v1::ReflectionRelationReference& r : refs) {
    out.push_back(r.definition_name() + "#" + r.relation_name() + (r.is_permission() ? "(P)" : ""));
  }
  return out;
}

std::vector<std::string> Dependent(const std::string& schema_text, const std::string& def,
                                   const std::string& perm, absl::Status* status = nullptr) {
  v1::DependentRelationsRequest request;
  request.set_definition_name(def);
  request.set_permission_name(perm);
  v1::DependentRelationsResponse response;
  absl::Status s = DependentRelations(*MustCompile(schema_text), request, &response);
  if (status != nullptr) *status = s;
  return Names(response.relations());
}

std::vector<std::string> Computable(const std::string& schema_text, const std::string& def,
                                    const std::string& rel, const std::string& filter = "",
                                    absl::Status* status = nullptr) {
  v1::ComputablePermissionsRequest request;
  request.set_definition_name(def);
  request.set_relation_name(rel);
  request.set_optional_definition_name_filter(filter);
  v1::ComputablePermissionsResponse response;
  absl::Status s = ComputablePermissions(*MustCompile(schema_text), request, &response);
  if (status != nullptr) *status = s;
  return Names(response.permissions());
}

constexpr char kNested[] = R"(definition user {}

definition group {
  relation direct_member: user | group#member
  relation admin: user
  permission member = direct_member + admin
}

definition document {
  relation unused: user
  relation viewer: user | group#member
  permission view = viewer
})";

constexpr char kArrow[] = R"(definition user {}

definition folder {
  relation alsounused: user
  relation viewer: user
  permission view = viewer
}

definition document {
  relation unused: user
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->view
  permission empty = nil
})";

TEST(DependentRelationsTest, SpiceDBsCases) {
  EXPECT_EQ(Dependent(kNested, "document", "view"),
            (std::vector<std::string>{"document#viewer", "group#admin", "group#direct_member",
                                      "group#member(P)"}));
  EXPECT_EQ(Dependent(kArrow, "document", "view"),
            (std::vector<std::string>{"document#parent", "document#viewer", "folder#view(P)",
                                      "folder#viewer"}));
  EXPECT_TRUE(Dependent(kArrow, "document", "empty").empty());
}

TEST(DependentRelationsTest, ErrorsAreSpiceDBs) {
  absl::Status s;
  Dependent(kArrow, "invalid", "view", &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "object definition `invalid` not found");
  Dependent(kArrow, "user", "", &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("permission `` not found"), std::string::npos) << s.message();
  Dependent(kArrow, "document", "viewer", &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "the relation `viewer` is not a permission");
  EXPECT_EQ(ErrorReasonOf(s), "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
}

constexpr char kBasic[] = R"(definition user {}

definition folder {
  relation viewer: user
}

definition document {
  relation unused: user
  relation editor: user
  relation viewer: user
  permission view = viewer + editor
  permission only_view = viewer
  permission another = unused
})";

TEST(ComputablePermissionsTest, SpiceDBsCases) {
  EXPECT_EQ(Computable(kBasic, "user", ""),
            (std::vector<std::string>{"document#another(P)", "document#editor",
                                      "document#only_view(P)", "document#unused",
                                      "document#view(P)", "document#viewer", "folder#viewer"}));
  EXPECT_EQ(Computable(kBasic, "user", "", "folder"), std::vector<std::string>{"folder#viewer"});
  EXPECT_EQ(Computable(kBasic, "document", "viewer"),
            (std::vector<std::string>{"document#only_view(P)", "document#view(P)"}));
  EXPECT_TRUE(Computable(R"(definition user {}

definition document {
  relation unused: user
  permission empty = nil
})",
                         "document", "unused")
                  .empty());
  // Through a subject relation and an arrow: a member of a group reaches the documents. The
  // requested relation itself is left out even when reachable (group#member via direct_member),
  // as SpiceDB's handler filters it out.
  EXPECT_EQ(
      Computable(kNested, "group", "member"),
      (std::vector<std::string>{"document#view(P)", "document#viewer", "group#direct_member"}));
  EXPECT_EQ(Computable(kArrow, "folder", "view"), std::vector<std::string>{"document#view(P)"});
}

TEST(ComputablePermissionsTest, ErrorsAreSpiceDBs) {
  absl::Status s;
  Computable(kBasic, "invalid", "", "", &s);
  EXPECT_EQ(s.message(), "object definition `invalid` not found");
  EXPECT_EQ(ErrorReasonOf(s), "ERROR_REASON_UNKNOWN_DEFINITION");
  Computable(kBasic, "user", "invalid", "", &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("relation/permission `invalid` not found"), std::string::npos);
}

constexpr char kReflected[] = R"(/** user represents a user */
definition user {}

/** group represents a group */
definition group {
  relation direct_member: user | group#member
  relation admin: user
  permission member = direct_member + admin
}

/** somecaveat is a caveat */
caveat somecaveat(first int, second string) {
  first == 1 && second == "two"
}

/** document is a protected document */
definition document {
  // editor is a relation
  relation editor: user | group#member
  relation viewer: user | user with somecaveat | group#member | user:*

  // read all the things
  permission read = viewer + editor
})";

TEST(ReflectSchemaTest, FullSchemaAsSpiceDBReflectsIt) {
  v1::ReflectSchemaRequest request;
  v1::ReflectSchemaResponse response;
  ASSERT_TRUE(ReflectSchema(*MustCompile(kReflected), request, &response).ok());
  ASSERT_EQ(response.definitions_size(), 3);
  EXPECT_EQ(response.definitions(0).name(), "user");
  EXPECT_EQ(response.definitions(0).comment(), "/** user represents a user */");
  const v1::ReflectionDefinition& doc = response.definitions(2);
  EXPECT_EQ(doc.name(), "document");
  ASSERT_EQ(doc.relations_size(), 2);
  EXPECT_EQ(doc.relations(0).comment(), "// editor is a relation");
  const v1::ReflectionRelation& viewer = doc.relations(1);
  EXPECT_EQ(viewer.parent_definition_name(), "document");
  ASSERT_EQ(viewer.subject_types_size(), 4);
  EXPECT_EQ(viewer.subject_types(0).typeref_case(),
            v1::ReflectionTypeReference::kIsTerminalSubject);
  EXPECT_EQ(viewer.subject_types(1).optional_caveat_name(), "somecaveat");
  EXPECT_EQ(viewer.subject_types(2).optional_relation_name(), "member");
  EXPECT_TRUE(viewer.subject_types(3).is_public_wildcard());
  ASSERT_EQ(doc.permissions_size(), 1);
  EXPECT_EQ(doc.permissions(0).comment(), "// read all the things");
  ASSERT_EQ(response.caveats_size(), 1);
  const v1::ReflectionCaveat& caveat = response.caveats(0);
  EXPECT_EQ(caveat.comment(), "/** somecaveat is a caveat */");
  EXPECT_EQ(caveat.expression(), "first == 1 && second == \"two\"");
  ASSERT_EQ(caveat.parameters_size(), 2);
  EXPECT_EQ(caveat.parameters(0).name(), "first");
  EXPECT_EQ(caveat.parameters(0).type(), "int");
  EXPECT_EQ(caveat.parameters(1).type(), "string");
  EXPECT_EQ(caveat.parameters(1).parent_caveat_name(), "somecaveat");
}

TEST(ReflectSchemaTest, FiltersAsSpiceDB) {
  v1::ReflectSchemaRequest request;
  auto* f1 = request.add_optional_filters();
  f1->set_optional_definition_name_filter("doc");
  f1->set_optional_relation_name_filter("viewer");
  auto* f2 = request.add_optional_filters();
  f2->set_optional_definition_name_filter("doc");
  f2->set_optional_permission_name_filter("read");
  v1::ReflectSchemaResponse response;
  ASSERT_TRUE(ReflectSchema(*MustCompile(kReflected), request, &response).ok());
  ASSERT_EQ(response.definitions_size(), 1);
  EXPECT_EQ(response.definitions(0).relations_size(), 1);
  EXPECT_EQ(response.definitions(0).relations(0).name(), "viewer");
  EXPECT_EQ(response.definitions(0).permissions_size(), 1);
  EXPECT_EQ(response.caveats_size(), 0);

  v1::ReflectSchemaRequest bad;
  bad.add_optional_filters()->set_optional_relation_name_filter("viewer");
  absl::Status s = ReflectSchema(*MustCompile(kReflected), bad, &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "the relationship filter provided is not valid: relation name match requires "
            "definition name match");
  EXPECT_EQ(ErrorReasonOf(s), "ERROR_REASON_INVALID_FILTER");
}

TEST(DiffSchemaTest, ReportsEachChangeAsSpiceDB) {
  auto existing = MustCompile(R"(definition user {}
definition document {
  relation viewer: user
  relation old: user
  permission view = viewer
}
caveat c(a int) {
  a == 1
})");
  auto comparison = MustCompile(R"(definition user {}
definition team {}
definition document {
  relation viewer: user | team
  permission view = viewer + viewer
}
caveat c(a string) {
  a == "1"
})");
  v1::DiffSchemaResponse response;
  DiffSchema(*existing, *comparison, &response);
  std::vector<std::string> kinds;
  for (const v1::ReflectionSchemaDiff& d : response.diffs()) {
    kinds.push_back(v1::ReflectionSchemaDiff::descriptor()
                        ->FindFieldByNumber(static_cast<int>(d.diff_case()))
                        ->name());
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"definition_added", "relation_removed",
                                      "permission_expr_changed", "relation_subject_type_added",
                                      "caveat_parameter_type_changed", "caveat_expr_changed"}));
  EXPECT_EQ(response.diffs(0).definition_added().name(), "team");
  EXPECT_EQ(response.diffs(1).relation_removed().name(), "old");
  const auto& added = response.diffs(3).relation_subject_type_added();
  EXPECT_EQ(added.relation().name(), "viewer");
  EXPECT_EQ(added.relation().subject_types_size(), 2) << "the relation as it is now";
  EXPECT_EQ(added.changed_subject_type().subject_definition_name(), "team");
  const auto& retyped = response.diffs(4).caveat_parameter_type_changed();
  EXPECT_EQ(retyped.parameter().type(), "string");
  EXPECT_EQ(retyped.previous_type(), "int");
}

// ---- WriteSchema's orphan checks, directly over a store ----

storage::Relationship Rel(const std::string& text_resource, const std::string& relation,
                          const std::string& subject_type, const std::string& subject_id,
                          const std::string& subject_relation = "") {
  size_t colon = text_resource.find(':');
  return storage::Relationship{text_resource.substr(0, colon),
                               text_resource.substr(colon + 1),
                               relation,
                               subject_type,
                               subject_id,
                               subject_relation,
                               {}};
}

class SchemaChangeCheckTest : public ::testing::Test {
 protected:
  void Store(std::vector<storage::Relationship> rels) {
    storage::WriteRequest w;
    for (auto& r : rels) w.updates.push_back({storage::UpdateOperation::kTouch, r});
    ASSERT_TRUE(store_->Write(w).ok());
  }
  absl::Status Check(const std::string& before, const std::string& after) {
    auto head = *store_->SnapshotAt(store_->HeadRevision());
    return CheckSchemaChange(*MustCompile(before), *MustCompile(after), *head);
  }
  std::unique_ptr<storage::Datastore> store_ = storage::NewMemoryDatastore();
};

constexpr char kGroups[] = R"(definition user {}

definition group {
  relation member: user
}

definition org {
  relation admin: user
}

definition document {
  relation viewer: user | group#member | org#admin
})";

TEST_F(SchemaChangeCheckTest, RemovedRelationWithRelationshipsIsRefused) {
  // shared/schema_test.go "attempt to remove a relation with relationships".
  Store({Rel("document:somedoc", "viewer", "user", "alice")});
  absl::Status s = Check(kGroups, R"(definition user {}

definition group {
  relation member: user
}

definition org {
  relation admin: user
}

definition document {})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "cannot delete relation `viewer` in object definition `document`, as at least one "
            "relationship exists under it: document:somedoc#viewer@user:alice");
  EXPECT_EQ(ErrorReasonOf(s), "ERROR_REASON_SCHEMA_TYPE_ERROR");
  auto metadata = ErrorMetadataOf(s);
  EXPECT_EQ(metadata["operation"], "delete_relation");
  EXPECT_EQ(metadata["relationship"], "document:somedoc#viewer@user:alice");
}

TEST_F(SchemaChangeCheckTest, RemovedRelationUsedAsASubjectRelationIsRefused) {
  Store({Rel("document:somedoc", "viewer", "group", "eng", "member")});
  absl::Status s = Check(kGroups, R"(definition user {}

definition group {}

definition org {
  relation admin: user
}

definition document {
  relation viewer: user | org#admin
})");
  EXPECT_EQ(s.message(),
            "cannot delete relation `member` in object definition `group`, as at least one "
            "relationship references it as part of a subject: "
            "document:somedoc#viewer@group:eng#member");
}

TEST_F(SchemaChangeCheckTest, RemovedAllowedTypesAreRefusedOnlyForRelationshipsOfThatShape) {
  constexpr char kBefore[] = R"(use expiration

definition user {}

caveat only_on_tuesday(day string) {
  day == "tuesday"
}

definition document {
  relation viewer: user | user:* | user with only_on_tuesday | user with expiration
})";
  storage::Relationship caveated = Rel("document:1", "viewer", "user", "bob");
  caveated.value.caveat_name = "only_on_tuesday";
  Store({Rel("document:1", "viewer", "user", "*"), caveated});

  // `user with expiration` has no relationship of its shape: removing it is fine.
  EXPECT_TRUE(Check(kBefore, R"(definition user {}

caveat only_on_tuesday(day string) {
  day == "tuesday"
}

definition document {
  relation viewer: user | user:* | user with only_on_tuesday
})")
                  .ok());

  absl::Status s = Check(kBefore, R"(use expiration

definition user {}

caveat only_on_tuesday(day string) {
  day == "tuesday"
}

definition document {
  relation viewer: user | user with only_on_tuesday | user with expiration
})");
  EXPECT_EQ(s.message(),
            "cannot remove allowed type `user:*` from relation `viewer` in object definition "
            "`document`, as a relationship exists with it: document:1#viewer@user:*");
  EXPECT_EQ(ErrorMetadataOf(s)["allowed_type"], "user:*");

  s = Check(kBefore, R"(use expiration

definition user {}

definition document {
  relation viewer: user | user:* | user with expiration
})");
  EXPECT_EQ(s.message(),
            "cannot remove allowed type `user with only_on_tuesday` from relation `viewer` in "
            "object definition `document`, as a relationship exists with it: "
            "document:1#viewer@user:bob[only_on_tuesday]");

  // As in SpiceDB, removing plain `user` looks at every uncaveated, unexpiring `user`
  // subject, the stored `user:*` included.
  s = Check(kBefore, R"(use expiration

definition user {}

caveat only_on_tuesday(day string) {
  day == "tuesday"
}

definition document {
  relation viewer: user:* | user with only_on_tuesday | user with expiration
})");
  EXPECT_EQ(s.message(),
            "cannot remove allowed type `user` from relation `viewer` in object definition "
            "`document`, as a relationship exists with it: document:1#viewer@user:*");
}

TEST_F(SchemaChangeCheckTest, RemovingACaveatStillUsedByRelationshipsIsRefused) {
  // A caveat can only go together with every `with caveat` type naming it (else the schema does
  // not compile), so SpiceDB refuses through the removed allowed type.
  storage::Relationship caveated = Rel("document:1", "viewer", "user", "bob");
  caveated.value.caveat_name = "only_on_tuesday";
  Store({caveated});
  absl::Status s = Check(R"(definition user {}

caveat only_on_tuesday(day string) {
  day == "tuesday"
}

definition document {
  relation viewer: user | user with only_on_tuesday
})",
                         R"(definition user {}

definition document {
  relation viewer: user
})");
  EXPECT_EQ(s.message(),
            "cannot remove allowed type `user with only_on_tuesday` from relation `viewer` in "
            "object definition `document`, as a relationship exists with it: "
            "document:1#viewer@user:bob[only_on_tuesday]");
}

TEST_F(SchemaChangeCheckTest, ExpiringRelationshipsBlockRemovingTheExpirationType) {
  storage::Relationship expiring = Rel("document:1", "viewer", "user", "carol");
  expiring.value.expires_at_micros = 4102444800000000;  // 2100-01-01T00:00:00Z
  Store({expiring});
  absl::Status s = Check(R"(use expiration

definition user {}

definition document {
  relation viewer: user | user with expiration
})",
                         R"(definition user {}

definition document {
  relation viewer: user
})");
  EXPECT_EQ(s.message(),
            "cannot remove allowed type `user with expiration` from relation `viewer` in object "
            "definition `document`, as a relationship exists with it: "
            "document:1#viewer@user:carol[expiration:2100-01-01T00:00:00Z]");
}

TEST_F(SchemaChangeCheckTest, RemovedDefinitionWithRelationshipsIsRefused) {
  Store({Rel("document:1", "viewer", "user", "alice")});
  absl::Status s = Check("definition user {}\n\ndefinition document {\n  relation viewer: user\n}",
                         "definition user {}");
  EXPECT_EQ(s.message(),
            "cannot delete object definition `document`, as at least one relationship exists "
            "under it: document:1#viewer@user:alice");
  EXPECT_EQ(ErrorMetadataOf(s)["operation"], "delete_object_definition");
}

TEST_F(SchemaChangeCheckTest, CaveatParametersCannotBeRemovedOrRetypedEvenWithoutData) {
  absl::Status s = Check("caveat c(a int, b int) {\n  a == b\n}\ndefinition user {}",
                         "caveat c(a int) {\n  a == 1\n}\ndefinition user {}");
  EXPECT_EQ(s.message(), "cannot remove parameter `b` on caveat `c`");
  EXPECT_EQ(ErrorReasonOf(s), "ERROR_REASON_SCHEMA_TYPE_ERROR");
  s = Check("caveat c(a int) {\n  a == 1\n}\ndefinition user {}",
            "caveat c(a string) {\n  a == \"1\"\n}\ndefinition user {}");
  EXPECT_EQ(s.message(), "cannot change the type of parameter `a` on caveat `c`");
}

TEST_F(SchemaChangeCheckTest, UnusedRemovalsAreAccepted) {
  Store({Rel("document:1", "viewer", "user", "alice")});
  EXPECT_TRUE(Check(kGroups, R"(definition user {}

definition document {
  relation viewer: user
  relation editor: user
})")
                  .ok());
}

// ---- Through the server ----

class SchemaServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.testing_mode = true;
    options.grpc_addr = "127.0.0.1:0";
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    schema_ = v1::SchemaService::NewStub(channel);
    permissions_ = v1::PermissionsService::NewStub(channel);
  }
  grpc::Status WriteSchema(const std::string& text, std::string* token = nullptr) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer t");
    v1::WriteSchemaRequest request;
    request.set_schema(text);
    v1::WriteSchemaResponse response;
    grpc::Status s = schema_->WriteSchema(&context, request, &response);
    if (token != nullptr) *token = response.written_at().token();
    return s;
  }
  void Touch(const std::string& doc, const std::string& user, bool remove = false) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer t");
    v1::WriteRelationshipsRequest request;
    auto* u = request.add_updates();
    u->set_operation(remove ? v1::RelationshipUpdate::OPERATION_DELETE
                            : v1::RelationshipUpdate::OPERATION_TOUCH);
    auto* r = u->mutable_relationship();
    r->mutable_resource()->set_object_type("document");
    r->mutable_resource()->set_object_id(doc);
    r->set_relation("viewer");
    r->mutable_subject()->mutable_object()->set_object_type("user");
    r->mutable_subject()->mutable_object()->set_object_id(user);
    v1::WriteRelationshipsResponse response;
    grpc::Status s = permissions_->WriteRelationships(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::SchemaService::Stub> schema_;
  std::unique_ptr<v1::PermissionsService::Stub> permissions_;
};

TEST_F(SchemaServiceTest, WriteSchemaRefusesOrphaningAndAcceptsOnceTheDataIsGone) {
  constexpr char kV1[] = "definition user {}\n\ndefinition document {\n  relation viewer: user\n}";
  constexpr char kV2[] = "definition user {}\n\ndefinition document {}";
  ASSERT_TRUE(WriteSchema(kV1).ok());
  Touch("readme", "alice");
  grpc::Status s = WriteSchema(kV2);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "cannot delete relation `viewer` in object definition `document`, as at least one "
            "relationship exists under it: document:readme#viewer@user:alice");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "ERROR_REASON_SCHEMA_TYPE_ERROR");
  EXPECT_EQ(info.metadata().at("relationship"), "document:readme#viewer@user:alice");

  Touch("readme", "alice", /*remove=*/true);
  std::string token;
  EXPECT_TRUE(WriteSchema(kV2, &token).ok());
  EXPECT_FALSE(token.empty());
}

TEST_F(SchemaServiceTest, ReflectionRpcsAnswerAtTheRequestedConsistency) {
  ASSERT_TRUE(WriteSchema(kArrow).ok());
  grpc::ClientContext c1;
  c1.AddMetadata("authorization", "Bearer t");
  v1::DependentRelationsRequest dependent;
  dependent.mutable_consistency()->set_fully_consistent(true);
  dependent.set_definition_name("document");
  dependent.set_permission_name("view");
  v1::DependentRelationsResponse dependent_response;
  ASSERT_TRUE(schema_->DependentRelations(&c1, dependent, &dependent_response).ok());
  EXPECT_EQ(Names(dependent_response.relations()).size(), 4u);
  EXPECT_FALSE(dependent_response.read_at().token().empty());

  grpc::ClientContext c2;
  c2.AddMetadata("authorization", "Bearer t");
  v1::DiffSchemaRequest diff;
  diff.set_comparison_schema("definition user {}");
  v1::DiffSchemaResponse diff_response;
  ASSERT_TRUE(schema_->DiffSchema(&c2, diff, &diff_response).ok());
  ASSERT_EQ(diff_response.diffs_size(), 2);
  EXPECT_EQ(diff_response.diffs(0).definition_removed().name(), "folder");

  grpc::ClientContext c3;
  c3.AddMetadata("authorization", "Bearer t");
  diff.set_comparison_schema("definition user { relation }");
  grpc::Status s = schema_->DiffSchema(&c3, diff, &diff_response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace rebac::api
