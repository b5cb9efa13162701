// The API edge's pure parts: authentication, tokens, field validation, status mapping.
#include <grpcpp/grpcpp.h>

#include "api/authenticator.h"
#include "api/grpc_status.h"
#include "api/request_validation.h"
#include "api/zed_token.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "graph/error_reason.h"
#include "gtest/gtest.h"

namespace rebac::api {
namespace {

TEST(AuthenticatorTest, AcceptsAnyConfiguredKeyWithBearerScheme) {
  Authenticator auth({"first-key", "second-key"});
  EXPECT_TRUE(auth.AuthenticateHeader("Bearer first-key").ok());
  EXPECT_TRUE(auth.AuthenticateHeader("bearer second-key").ok());
}

TEST(AuthenticatorTest, MissingOrMalformedBearerIsUnauthenticatedAsInSpiceDB) {
  Authenticator auth({"secret"});
  for (const char* header : {"secret", "Basic secret", ""}) {
    EXPECT_EQ(auth.AuthenticateHeader(header).code(), absl::StatusCode::kUnauthenticated) << header;
  }
}

TEST(AuthenticatorTest, WrongKeyIsPermissionDeniedAsInSpiceDB) {
  Authenticator auth({"secret"});
  for (const char* header : {"Bearer secre", "Bearer secret2", "Bearer SECRET"}) {
    EXPECT_EQ(auth.AuthenticateHeader(header).code(), absl::StatusCode::kPermissionDenied)
        << header;
  }
}

TEST(AuthenticatorTest, NoKeysMeansAuthenticationIsOff) {
  Authenticator auth({});
  EXPECT_TRUE(auth.AuthenticateHeader("").ok());
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ZedTokenTest, RoundTripsAndIsBoundToItsInstance) {
  std::string token = EncodeZedToken("instance-a", 42);
  auto revision = DecodeZedToken(token, "instance-a");
  ASSERT_TRUE(revision.ok()) << revision.status();
  EXPECT_EQ(*revision, 42u);
  EXPECT_EQ(DecodeZedToken(token, "instance-b").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeZedToken("not a token!", "instance-a").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeZedToken("", "instance-a").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RequestValidationTest, ObjectTypesFollowSpiceDBsPattern) {
  EXPECT_TRUE(IsValidObjectType("user"));
  EXPECT_TRUE(IsValidObjectType("org/team_1"));
  EXPECT_TRUE(IsValidObjectType("abc/def/doc"));
  EXPECT_FALSE(IsValidObjectType("a/b/doc"));  // each segment has at least 3 characters
  EXPECT_FALSE(IsValidObjectType("us"));       // at least 3 characters
  EXPECT_FALSE(IsValidObjectType("User"));
  EXPECT_FALSE(IsValidObjectType("user_"));  // must end in a letter or digit
  EXPECT_FALSE(IsValidObjectType("1user"));
  EXPECT_FALSE(IsValidObjectType("org/"));
  EXPECT_FALSE(IsValidObjectType(std::string(65, 'a')));
}

TEST(RequestValidationTest, ObjectIdsFollowSpiceDBsPattern) {
  EXPECT_TRUE(IsValidObjectId("readme"));
  EXPECT_TRUE(IsValidObjectId("a/b|c-d=e+f_G9"));
  EXPECT_TRUE(IsValidObjectId("*"));
  EXPECT_FALSE(IsValidObjectId(""));
  EXPECT_FALSE(IsValidObjectId("has space"));
  EXPECT_FALSE(IsValidObjectId("a*"));
  EXPECT_FALSE(IsValidObjectId("tab\t"));
  EXPECT_TRUE(IsValidObjectId(std::string(1024, 'x')));
  EXPECT_FALSE(IsValidObjectId(std::string(1025, 'x')));
}

TEST(RequestValidationTest, RelationshipErrorsNameTheField) {
  authzed::api::v1::Relationship r;
  r.mutable_resource()->set_object_type("document");
  r.mutable_resource()->set_object_id("bad id");
  r.set_relation("viewer");
  r.mutable_subject()->mutable_object()->set_object_type("user");
  r.mutable_subject()->mutable_object()->set_object_id("alice");
  absl::Status s = ValidateRelationship(r, "updates[3].relationship");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("updates[3].relationship.resource.object_id"), std::string::npos)
      << s.message();
  r.mutable_resource()->set_object_id("*");
  EXPECT_EQ(ValidateRelationship(r, "r").code(), absl::StatusCode::kInvalidArgument);
}

TEST(GrpcStatusTest, ReasonsBecomeErrorInfoDetails) {
  absl::Status s =
      ErrorWithReason(absl::StatusCode::kFailedPrecondition, "object definition `x` not found",
                      "ERROR_REASON_UNKNOWN_DEFINITION", {{"definition_name", "x"}});
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(g.error_message(), "object definition `x` not found");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "ERROR_REASON_UNKNOWN_DEFINITION");
  EXPECT_EQ(info.domain(), "authzed.com");
  EXPECT_EQ(info.metadata().at("definition_name"), "x");
}

}  // namespace
}  // namespace rebac::api
