// The access policy on its own: validation that names the field, scopes,
// the units a request names, and a declared role on every RPC.
#include "common/access/access_policy.h"

#include <cstdlib>
#include <string>

#include "common/access/access_check.h"
#include "common/access/request_units.h"
#include "common/base/field_error.h"
#include "gtest/gtest.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"

namespace nq57 {
namespace {

// The service of the .proto file that defines `message` (each of ours
// defines one); naming a message links its generated code.
const google::protobuf::ServiceDescriptor* ServiceOf(
    const google::protobuf::Descriptor* message) {
  return message->file()->service(0);
}

using common::v1::READER;
using common::v1::REPORTER;

constexpr char kPolicy[] =
    "version: \"p-1\"\n"
    "trust_domain: \"nq57.local\"\n"
    "grants { identity: \"spiffe://nq57.local/commune\" roles: [REPORTER] "
    "units: \"provinces/25/communes/07900\" }\n"
    "grants { identity: \"spiffe://nq57.local/platform\" "
    "roles: [REPORTER, READER] units: \"provinces/25\" }\n"
    "grants { identity: \"spiffe://nq57.local/nation\" roles: [READER] "
    "units: \"*\" }\n";

std::unique_ptr<AccessPolicy> Policy() {
  auto p = AccessPolicy::Parse(kPolicy, "test.textproto");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? std::move(*p) : nullptr;
}

TEST(AccessPolicyTest, ScopesCoverTheirUnitsAndNamesUnderThem) {
  auto p = Policy();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version(), "p-1");
  const std::string commune = "spiffe://nq57.local/commune";
  EXPECT_TRUE(p->Allows(commune, REPORTER, "provinces/25/communes/07900"));
  EXPECT_FALSE(p->Allows(commune, REPORTER, "provinces/25/communes/07894"));
  EXPECT_FALSE(p->Allows(commune, REPORTER, "provinces/25"));
  EXPECT_FALSE(p->Allows(commune, READER, "provinces/25/communes/07900"));
  EXPECT_TRUE(p->Holds(commune, REPORTER));
  EXPECT_FALSE(p->Holds(commune, READER));
  const std::string platform = "spiffe://nq57.local/platform";
  EXPECT_TRUE(p->Allows(platform, REPORTER, "provinces/25"));
  EXPECT_TRUE(p->Allows(platform, REPORTER, "provinces/25/agencies/so-khcn"));
  EXPECT_FALSE(p->Allows(platform, REPORTER, "provinces/12/communes/03637"));
  // A prefix of a code is not a scope: provinces/2 is not provinces/25.
  EXPECT_FALSE(p->Allows(platform, REPORTER, "provinces/250"));
  EXPECT_TRUE(p->Allows("spiffe://nq57.local/nation", READER, "provinces/12"));
  EXPECT_FALSE(p->Allows("spiffe://nq57.local/nobody", READER, "provinces/12"));
}

TEST(AccessPolicyTest, ErrorsNameTheField) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"trust_domain: \"nq57.local\"", "t: version: required"},
      {"version: \"v\"", "t: trust_domain: required"},
      {"version: \"v\" trust_domain: \"nq57.local\" grants { identity: "
       "\"spiffe://other/x\" roles: [READER] units: \"*\" }",
       "t: grants[0].identity: expected spiffe://nq57.local/<path>"},
      {"version: \"v\" trust_domain: \"nq57.local\" grants { identity: "
       "\"spiffe://nq57.local/x\" units: \"*\" }",
       "t: grants[0].roles: at least one role"},
      {"version: \"v\" trust_domain: \"nq57.local\" grants { identity: "
       "\"spiffe://nq57.local/x\" roles: [READER] }",
       "t: grants[0].units: at least one"},
      {"version: \"v\" trust_domain: \"nq57.local\" grants { identity: "
       "\"spiffe://nq57.local/x\" roles: [READER] units: "
       "\"provinces/25/communes\" }",
       "t: grants[0].units[0]: expected"},
      {"version: \"v\" trust_domain: \"nq57.local\" grants { identity: "
       "\"spiffe://nq57.local/x\" roles: [ROLE_UNSPECIFIED] units: \"*\" }",
       "t: grants[0].roles[0]: ROLE_UNSPECIFIED is not a role"},
      {"grants {", "t: not a valid nq57.config.v1.AccessPolicy"},
  };
  for (const Case& c : cases) {
    auto p = AccessPolicy::Parse(c.text, "t");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status().message().substr(0, c.message.size()), c.message)
        << p.status();
  }
}

TEST(AccessPolicyTest, TheShippedPolicyValidates) {
  auto p = AccessPolicy::LoadFile(std::string(NQ57_SOURCE_DIR) +
                                  "/deploy/config/access/access.textproto");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(
      (*p)->Holds("spiffe://nq57.local/aggregator", common::v1::FEED_READER));
}

TEST(RequestUnitsTest, EveryUnitOfARequestWithItsField) {
  criteria::v1::BatchReportProgressRequest req;
  // Every string field counts, whatever its name.
  req.set_request_id("provinces/25/retry-1");
  req.add_items()->set_assignment("provinces/25/communes/07900/assignments/A1");
  req.add_items()->set_assignment("provinces/12/communes/03637/assignments/A1");
  req.add_items()->set_note("no unit here");
  auto refs = UnitsOf(req);
  ASSERT_TRUE(refs.ok()) << refs.status();
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0].field, "request_id");
  EXPECT_EQ((*refs)[1].field, "items[0].assignment");
  EXPECT_EQ((*refs)[1].unit, "provinces/25/communes/07900");
  EXPECT_EQ((*refs)[2].field, "items[1].assignment");
  EXPECT_EQ((*refs)[2].unit, "provinces/12/communes/03637");
  EXPECT_EQ(UnitOfName("provinces/25/snapshots/3"), "provinces/25");
  EXPECT_EQ(UnitOfName("provinces/25/agencies/so-khcn/x"),
            "provinces/25/agencies/so-khcn");
  EXPECT_EQ(UnitOfName("criteria/GOV-1"), "");
}

const google::protobuf::MethodDescriptor* CriteriaMethod(const char* name) {
  const google::protobuf::MethodDescriptor* method =
      ServiceOf(criteria::v1::CreateCriterionRequest::descriptor())
          ->FindMethodByName(name);
  // A method renamed away fails here rather than by a null dereference.
  if (method == nullptr) {
    ADD_FAILURE() << "no method " << name;
    std::abort();
  }
  return method;
}

TEST(AccessCheckTest, RoleThenEveryUnit) {
  auto p = Policy();
  ASSERT_NE(p, nullptr);
  const auto* method = CriteriaMethod("BatchReportProgress");
  criteria::v1::BatchReportProgressRequest req;
  req.add_items()->set_assignment("provinces/25/communes/07900/assignments/A");
  EXPECT_TRUE(
      CheckAccess(*p, "spiffe://nq57.local/commune", *method, req).ok());
  req.add_items()->set_assignment("provinces/25/communes/07894/assignments/A");
  absl::Status s = CheckAccess(*p, "spiffe://nq57.local/commune", *method, req);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "items[1].assignment");
  EXPECT_TRUE(
      CheckAccess(*p, "spiffe://nq57.local/platform", *method, req).ok());
  s = CheckAccess(*p, "spiffe://nq57.local/nation", *method, req);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("does not hold the reporter role"),
            std::string::npos)
      << s;
}

TEST(AccessCheckTest, ARequestNamingNoUnitIsAboutTheDeployment) {
  auto p = Policy();
  ASSERT_NE(p, nullptr);
  const auto* method = CriteriaMethod("ListCriteria");
  criteria::v1::ListCriteriaRequest list;
  // On a country-wide server only a "*" scope may; on Phú Thọ's, Phú Thọ's.
  EXPECT_EQ(
      CheckAccess(*p, "spiffe://nq57.local/platform", *method, list).code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      CheckAccess(*p, "spiffe://nq57.local/nation", *method, list).ok());
  EXPECT_TRUE(CheckAccess(*p, "spiffe://nq57.local/platform", *method, list,
                          "provinces/25")
                  .ok());
}

TEST(AccessCheckTest, AnEmptyUnitAsksForTheWholeCountry) {
  auto p = Policy();
  ASSERT_NE(p, nullptr);
  const auto* method = CriteriaMethod("GetSummary");
  criteria::v1::GetSummaryRequest country;
  country.set_include_subunits(true);
  absl::Status s =
      CheckAccess(*p, "spiffe://nq57.local/platform", *method, country);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "unit");
  EXPECT_NE(s.message().find("the whole country"), std::string::npos) << s;
  EXPECT_TRUE(
      CheckAccess(*p, "spiffe://nq57.local/nation", *method, country).ok());
  criteria::v1::GetSummaryRequest province = country;
  province.set_unit("provinces/25");
  EXPECT_TRUE(
      CheckAccess(*p, "spiffe://nq57.local/platform", *method, province).ok());
  // A oneof target left unset is the whole country too.
  criteria::v1::BatchCreateAssignmentsRequest unset;
  auto refs = UnitsOf(unset);
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].field, "province");
  EXPECT_EQ((*refs)[0].unit, kWholeCountry);
}

// A new RPC without a declared role would be refused to everyone; this
// makes the omission a failing test instead.
TEST(AccessCheckTest, EveryRpcDeclaresItsRole) {
  for (const google::protobuf::ServiceDescriptor* service :
       {ServiceOf(criteria::v1::CreateCriterionRequest::descriptor()),
        ServiceOf(publicservice::v1::CreateProcedureRequest::descriptor()),
        ServiceOf(eidentity::v1::ReportSnapshotRequest::descriptor()),
        ServiceOf(aggregator::v1::GetReportRequest::descriptor()),
        ServiceOf(changes::v1::SubscribeRequest::descriptor())}) {
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_TRUE(RequiredRole(*service->method(i)).has_value())
          << service->method(i)->full_name();
    }
  }
}

}  // namespace
}  // namespace nq57
