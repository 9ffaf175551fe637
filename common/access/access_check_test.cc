// CheckAccess against the shipped policy
// (deploy/config/access/access.textproto, loaded from a copy in a temp dir), on
// the real RPCs and request messages of the repo, without a server: who may
// write which commune, publish, rebuild and subscribe. Also: every service
// declared in proto/nq57 has a role on every RPC, found by reading the .proto
// files, so a new service the older test does not list is caught too.
#include "common/access/access_check.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/access/access_policy.h"
#include "common/access/request_units.h"
#include "common/base/field_error.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "nq57/admin/v1/admin.grpc.pb.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tests/support/temp_dir.h"

namespace nq57 {
namespace {

namespace fs = std::filesystem;
using google::protobuf::MethodDescriptor;

constexpr char kAggregator[] = "spiffe://nq57.local/aggregator";
constexpr char kCtl[] = "spiffe://nq57.local/nq57ctl";
constexpr char kPlatform[] = "spiffe://nq57.local/platform/phu-tho";
constexpr char kCommune[] = "spiffe://nq57.local/reporter/commune-07900";
constexpr char kLaiChau[] = "spiffe://nq57.local/reporter/lai-chau-commune";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The method `full_name` ("nq57.criteria.v1.CriteriaService.ReportProgress")
// of the generated descriptors; naming the messages below links them.
const MethodDescriptor& Method(const std::string& full_name) {
  static const bool linked =
      criteria::v1::ReportProgressRequest::descriptor() != nullptr &&
      publicservice::v1::BatchReportDossierStatsRequest::descriptor() !=
          nullptr &&
      eidentity::v1::ReportSnapshotRequest::descriptor() != nullptr &&
      aggregator::v1::PublishRequest::descriptor() != nullptr &&
      changes::v1::SubscribeRequest::descriptor() != nullptr &&
      admin::v1::CreateBackupRequest::descriptor() != nullptr;
  (void)linked;
  const MethodDescriptor* m =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          full_name);
  EXPECT_NE(m, nullptr) << full_name;
  if (m == nullptr) std::abort();
  return *m;
}

class ShippedPolicyTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    const fs::path copy = Path("access.textproto");
    fs::copy_file(
        fs::path(NQ57_SOURCE_DIR) / "deploy/config/access" / "access.textproto",
        copy);
    auto policy = AccessPolicy::LoadFile(copy.string());
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = std::move(*policy);
  }

  absl::Status Check(std::string_view identity, const std::string& method,
                     const google::protobuf::Message& request) {
    return CheckAccess(*policy_, identity, Method(method), request);
  }

  std::unique_ptr<AccessPolicy> policy_;
};

criteria::v1::ReportProgressRequest Progress(std::string_view commune) {
  criteria::v1::ReportProgressRequest req;
  req.mutable_report()->set_assignment(
      absl::StrCat("provinces/", std::string(commune), "/assignments/A1"));
  return req;
}

TEST_F(ShippedPolicyTest, TheVersionIsTheShippedOne) {
  EXPECT_EQ(policy_->version(), "access-2026.12.1");
}

TEST_F(ShippedPolicyTest, ACommuneReporterWritesItsOwnCommuneOnly) {
  const std::string report = "nq57.criteria.v1.CriteriaService.ReportProgress";
  EXPECT_TRUE(Check(kCommune, report, Progress("25/communes/07900")).ok());
  const absl::Status s = Check(kCommune, report, Progress("25/communes/07894"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(std::string(s.message()),
            "report.assignment: spiffe://nq57.local/reporter/commune-07900 may "
            "not act as reporter for provinces/25/communes/07894 (access "
            "policy access-2026.12.1)");
  const std::vector<FieldViolation> v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "report.assignment");
  // Nor the province itself, nor a unit of another province.
  EXPECT_FALSE(Check(kCommune, report, Progress("25")).ok());
  EXPECT_FALSE(Check(kCommune, report, Progress("12/communes/03637")).ok());
  // The Lai Châu reporter writes its commune, not the Phú Thọ one.
  EXPECT_TRUE(Check(kLaiChau, report, Progress("12/communes/03637")).ok());
  EXPECT_FALSE(Check(kLaiChau, report, Progress("25/communes/07900")).ok());
}

TEST_F(ShippedPolicyTest, ABatchWithOneItemOutOfScopeIsDeniedNamingThatItem) {
  publicservice::v1::BatchReportDossierStatsRequest batch;
  batch.add_requests()->mutable_stats()->set_unit(
      "provinces/25/communes/07900");
  batch.add_requests()->mutable_stats()->set_unit(
      "provinces/25/communes/07894");
  batch.add_requests()->mutable_stats()->set_unit(
      "provinces/25/communes/07900");
  const absl::Status s = Check(kCommune,
                               "nq57.publicservice.v1.PublicServiceStatistics."
                               "BatchReportDossierStats",
                               batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  const std::vector<FieldViolation> v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 1u) << s;
  EXPECT_EQ(v[0].field, "requests[1].stats.unit");
  EXPECT_NE(v[0].description.find("provinces/25/communes/07894"),
            std::string::npos);
}

TEST_F(ShippedPolicyTest, EveryOutOfScopeItemIsNamedUpToAHundred) {
  criteria::v1::BatchReportProgressRequest batch;
  for (int i = 0; i < 150; ++i) {
    batch.add_items()->set_assignment(
        "provinces/12/communes/03637/assignments/A");
  }
  const absl::Status s = Check(
      kCommune, "nq57.criteria.v1.CriteriaService.BatchReportProgress", batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  const std::vector<FieldViolation> v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 100u);
  EXPECT_EQ(v[0].field, "items[0].assignment");
  EXPECT_EQ(v[99].field, "items[99].assignment");
}

TEST_F(ShippedPolicyTest,
       TheProvincePlatformWritesItsUnitsNotAnotherProvinces) {
  const std::string snapshot =
      "nq57.eidentity.v1.EidentityService.ReportSnapshot";
  eidentity::v1::ReportSnapshotRequest req;
  for (const char* unit :
       {"provinces/25", "provinces/25/communes/07900",
        "provinces/25/communes/07894", "provinces/25/agencies/so-khcn"}) {
    req.mutable_snapshot()->set_unit(unit);
    EXPECT_TRUE(Check(kPlatform, snapshot, req).ok()) << unit;
  }
  req.mutable_snapshot()->set_unit("provinces/12/communes/03637");
  const absl::Status s = Check(kPlatform, snapshot, req);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(FieldViolationsOf(s).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(s)[0].field, "snapshot.unit");
  // The platform is no publisher.
  aggregator::v1::PublishRequest publish;
  publish.set_province("provinces/25");
  EXPECT_EQ(
      Check(kPlatform, "nq57.aggregator.v1.AggregatorService.Publish", publish)
          .code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(ShippedPolicyTest, AReporterCannotPublishOrRebuild) {
  aggregator::v1::PublishRequest publish;
  publish.set_province("provinces/25");
  const std::string publish_method =
      "nq57.aggregator.v1.AggregatorService.Publish";
  absl::Status s = Check(kCommune, publish_method, publish);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("does not hold the publisher role"),
            std::string::npos)
      << s;
  const std::string rebuild = "nq57.aggregator.v1.AggregatorService.Rebuild";
  s = Check(kCommune, rebuild, aggregator::v1::RebuildRequest());
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("does not hold the operator role"),
            std::string::npos)
      << s;
  // The development stack's CLI holds the whole country, so it may publish
  // any province and rebuild (Rebuild names no unit: the whole deployment).
  EXPECT_TRUE(Check(kCtl, publish_method, publish).ok());
  publish.set_province("provinces/01");
  EXPECT_TRUE(Check(kCtl, publish_method, publish).ok());
  EXPECT_TRUE(Check(kCtl, rebuild, aggregator::v1::RebuildRequest()).ok());
  // The province's platform is no operator anywhere.
  EXPECT_EQ(Check("spiffe://nq57.local/platform/phu-tho", rebuild,
                  aggregator::v1::RebuildRequest())
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ShippedPolicyTest, TheAggregatorSubscribesAReporterCannot) {
  const std::string subscribe = "nq57.changes.v1.ChangeFeed.Subscribe";
  EXPECT_TRUE(
      Check(kAggregator, subscribe, changes::v1::SubscribeRequest()).ok());
  const absl::Status s =
      Check(kCommune, subscribe, changes::v1::SubscribeRequest());
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("does not hold the feed reader role"),
            std::string::npos)
      << s;
  // The aggregator writes nothing.
  EXPECT_EQ(
      Check(kAggregator, "nq57.criteria.v1.CriteriaService.ReportProgress",
            Progress("25/communes/07900"))
          .code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(ShippedPolicyTest, AnUnknownIdentityMayCallNothing) {
  EXPECT_EQ(Check("spiffe://nq57.local/somebody",
                  "nq57.criteria.v1.CriteriaService.GetCriterion",
                  criteria::v1::GetCriterionRequest())
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ShippedPolicyTest, ThePolicyNamesRealCommunes) {
  const std::string communes =
      ReadFile(fs::path(NQ57_SOURCE_DIR) / "deploy/config/units/communes.csv");
  for (const char* code : {"07900", "03637"}) {
    EXPECT_NE(communes.find(absl::StrCat("\n", code, ",")), std::string::npos)
        << code;
  }
}

TEST(PolicyFileTest, AFileLargerThanTheBoundIsRefused) {
  testing::ScopedTempDir dir;
  const std::string path = dir.Path("big.textproto");
  {
    std::ofstream out(path, std::ios::binary);
    out << "version: \"v\" trust_domain: \"nq57.local\"\n";
    out << std::string(AccessPolicy::kMaxFileBytes, '#') << "\n";
  }
  auto p = AccessPolicy::LoadFile(path);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("big.textproto"), std::string::npos)
      << p.status();
  EXPECT_FALSE(AccessPolicy::LoadFile(dir.Path("missing.textproto")).ok());
}

// Map values count, and the walk refuses a request nested too deep
// (google.protobuf.Struct is a recursive message with a map).
TEST(RequestUnitsTest, MapValuesAndTheDepthBound) {
  google::protobuf::Struct s;
  (*s.mutable_fields())["where"].set_string_value(
      "provinces/25/communes/07900/assignments/A1");
  auto refs = UnitsOf(s);
  ASSERT_TRUE(refs.ok()) << refs.status();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].unit, "provinces/25/communes/07900");

  google::protobuf::Struct deep;
  google::protobuf::Struct* level = &deep;
  for (int i = 0; i < kMaxWalkDepth; ++i) {
    level = (*level->mutable_fields())["x"].mutable_struct_value();
  }
  (*level->mutable_fields())["u"].set_string_value("provinces/25");
  refs = UnitsOf(deep);
  ASSERT_FALSE(refs.ok());
  EXPECT_EQ(refs.status().code(), absl::StatusCode::kResourceExhausted);
}

// Every `service` of every .proto file under proto/nq57 (read at test time),
// but the test-only probe service, declares a role on every RPC; a service
// missing from the generated descriptors linked here fails too, so adding a
// service means adding it to this test's libraries.
TEST(MethodRolesTest, EveryRpcOfEveryServiceOfTheRepoDeclaresARole) {
  const std::regex package_re(R"(\bpackage\s+([\w.]+)\s*;)");
  const std::regex service_re(R"(\bservice\s+(\w+)\s*\{)");
  int services = 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(
           fs::path(NQ57_SOURCE_DIR) / "proto" / "nq57")) {
    if (e.path().extension() != ".proto") continue;
    const std::string text = ReadFile(e.path());
    std::smatch package;
    if (!std::regex_search(text, package, package_re)) continue;
    if (package[1] == "nq57.testing.v1") continue;  // test-only probe
    for (auto it = std::sregex_iterator(text.begin(), text.end(), service_re);
         it != std::sregex_iterator(); ++it) {
      const std::string name = package[1].str() + "." + (*it)[1].str();
      const google::protobuf::ServiceDescriptor* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              name);
      ASSERT_NE(service, nullptr)
          << name << " (" << e.path() << ") is not linked into this test";
      ++services;
      for (int i = 0; i < service->method_count(); ++i) {
        EXPECT_TRUE(RequiredRole(*service->method(i)).has_value())
            << service->method(i)->full_name() << " declares no role";
      }
    }
  }
  EXPECT_GE(services, 5);
}

}  // namespace
}  // namespace nq57
