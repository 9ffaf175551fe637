// Who may do what, end to end over real mTLS on loopback: criteria-server and
// an aggregator consuming it, each with its certificate and the access
// policy (a copy of deploy/config/access/access.textproto), and clients
// holding the sample identities' certificates made at test time.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/security/tls_credentials.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "services/aggregator/aggregator_server.h"
#include "services/criteria/criteria_server.h"
#include "tests/support/loopback_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_pki.h"

namespace nq57 {
namespace {

namespace cv1 = criteria::v1;
namespace av1 = aggregator::v1;
using ::nq57::testing::FieldOf;
using ::nq57::testing::LoopbackServerOptions;
using ::nq57::testing::TestPki;
using CriteriaStub = cv1::CriteriaService::Stub;
using AggregatorStub = av1::AggregatorService::Stub;

constexpr char kDomain[] = "spiffe://nq57.local/";
constexpr char kVietTri[] = "provinces/25/communes/07900";
constexpr char kNongTrang[] = "provinces/25/communes/07894";
constexpr char kMuongKim[] = "provinces/12/communes/03637";

std::string AssignmentOf(const std::string& unit) {
  return absl::StrCat(unit, "/assignments/T-ACCESS");
}

class AccessTest : public testing::PkiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(PkiTest::SetUp());
    for (const char* name :
         {"criteria-server", "aggregator", "nq57ctl", "platform/phu-tho",
          "reporter/commune-07900", "reporter/lai-chau-commune"}) {
      files_[name] = Issue(absl::StrReplaceAll(name, {{"/", "-"}}),
                           absl::StrCat(kDomain, name));
    }
    policy_ = Path("access.textproto");
    std::filesystem::copy_file(
        testing::ShippedConfigDir() + "/access/access.textproto", policy_);

    criteria_ = Start<criteria::CriteriaServer>(criteria::CriteriaOptions{
        .server = Mtls("criteria", "criteria-server")});
    ASSERT_NE(criteria_, nullptr);
    aggregator::AggregatorOptions agg{.server =
                                          Mtls("aggregator", "aggregator")};
    agg.sources = {{"criteria", "criteria", criteria_->host().address()}};
    aggregator_ = Start<aggregator::AggregatorServer>(agg);
    ASSERT_NE(aggregator_, nullptr);

    // The catalogue: one commune criterion for two Phú Thọ communes (by the
    // platform) and one Lai Châu commune (by nq57ctl, which holds province
    // 12 on the development stack).
    cv1::CreateCriterionRequest create;
    create.set_request_id("create");
    cv1::Criterion* c = create.mutable_criterion();
    c->set_code("T-ACCESS");
    c->set_title("Tiêu chí truy cập");
    c->set_source(cv1::PLAN_02_KH_BCDTW);
    c->set_block(cv1::GOVERNMENT);
    c->set_group(cv1::DATA);
    c->set_level(common::v1::COMMUNE);
    cv1::Criterion created;
    // The catalogue names no unit: it is the deployment's (here the whole
    // country's), which the province's platform does not hold.
    EXPECT_EQ(Criteria("platform/phu-tho")
                  ->CreateCriterion(Context().get(), create, &created)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    ASSERT_TRUE(Criteria("nq57ctl")
                    ->CreateCriterion(Context().get(), create, &created)
                    .ok());
    for (const auto& [unit, by] : {std::pair{kVietTri, "platform/phu-tho"},
                                   std::pair{kNongTrang, "platform/phu-tho"},
                                   std::pair{kMuongKim, "nq57ctl"}}) {
      ASSERT_TRUE(Assign(by, unit).ok()) << unit;
    }
  }
  void TearDown() override {
    testing::StopServer(aggregator_);
    testing::StopServer(criteria_);
  }

  ServerOptions Mtls(const std::string& dir, const std::string& identity) {
    ServerOptions o = LoopbackServerOptions(Path(dir));
    o.tls = {.cert = files_[identity].cert,
             .key = files_[identity].key,
             .client_ca = pki().ca_cert(),
             .refresh_seconds = 1};
    o.access_policy = policy_;
    return o;
  }
  template <typename XServer, typename XOptions>
  std::unique_ptr<XServer> Start(const XOptions& options) {
    auto server = XServer::Create(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : nullptr;
  }

  // A channel presenting `identity`'s certificate ("" = none).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& identity,
                                           const std::string& address) {
    ClientTls tls{.ca = pki().ca_cert()};
    if (!identity.empty()) {
      tls.cert = files_[identity].cert;
      tls.key = files_[identity].key;
    }
    auto creds = ChannelCredentialsFor(tls);
    EXPECT_TRUE(creds.ok()) << creds.status();
    return grpc::CreateChannel(address, *creds);
  }
  std::unique_ptr<CriteriaStub> Criteria(const std::string& identity) {
    return cv1::CriteriaService::NewStub(
        ChannelAs(identity, criteria_->host().address()));
  }
  std::unique_ptr<AggregatorStub> Aggregator(const std::string& identity) {
    return av1::AggregatorService::NewStub(
        ChannelAs(identity, aggregator_->host().address()));
  }
  static std::unique_ptr<grpc::ClientContext> Context(
      const std::string& on_behalf_of = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!on_behalf_of.empty()) {
      context->AddMetadata("x-nq57-on-behalf-of-bin", on_behalf_of);
    }
    return context;
  }

  grpc::Status Assign(const std::string& identity, const std::string& unit) {
    cv1::CreateAssignmentRequest req;
    req.set_request_id(absl::StrCat("assign-", unit));
    req.set_unit(unit);
    req.set_criterion("criteria/T-ACCESS");
    cv1::Assignment out;
    return Criteria(identity)->CreateAssignment(Context().get(), req, &out);
  }
  grpc::Status Report(const std::string& identity, const std::string& unit,
                      const std::string& on_behalf_of = "") {
    cv1::ReportProgressRequest req;
    req.set_request_id(absl::StrCat("report-", identity, "-", unit, "-",
                                    absl::ToUnixNanos(absl::Now())));
    req.mutable_report()->set_assignment(AssignmentOf(unit));
    req.mutable_report()->set_state(cv1::IN_PROGRESS);
    cv1::Assignment out;
    return Criteria(identity)->ReportProgress(Context(on_behalf_of).get(), req,
                                              &out);
  }
  cv1::GetAssignmentResponse History(const std::string& unit) {
    cv1::GetAssignmentRequest req;
    req.set_name(AssignmentOf(unit));
    cv1::GetAssignmentResponse out;
    grpc::Status s =
        Criteria("nq57ctl")->GetAssignment(Context().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::map<std::string, TestPki::Files> files_;
  std::string policy_;
  std::unique_ptr<criteria::CriteriaServer> criteria_;
  std::unique_ptr<aggregator::AggregatorServer> aggregator_;
};

TEST_F(AccessTest, ACallWithoutACertificateIsUnauthenticated) {
  cv1::GetAssignmentRequest req;
  req.set_name(AssignmentOf(kVietTri));
  cv1::GetAssignmentResponse out;
  grpc::Status s = Criteria("")->GetAssignment(Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();
  EXPECT_NE(s.error_message().find("client certificate"), std::string::npos);
}

TEST_F(AccessTest, ACommuneReporterWritesItsCommuneOnly) {
  EXPECT_TRUE(Report("reporter/commune-07900", kVietTri).ok());
  grpc::Status s = Report("reporter/commune-07900", kNongTrang);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FieldOf(s), "report.assignment");
  EXPECT_NE(s.error_message().find(kNongTrang), std::string::npos)
      << s.error_message();

  // One out-of-scope item denies the whole batch: nothing is written.
  const int before = History(kVietTri).history_size();
  cv1::BatchReportProgressRequest batch;
  batch.set_request_id("batch");
  for (const char* unit : {kVietTri, kNongTrang}) {
    cv1::ProgressReport* item = batch.add_items();
    item->set_assignment(AssignmentOf(unit));
    item->set_state(cv1::IN_PROGRESS);
    item->set_note("batch");
  }
  cv1::BatchReportProgressResponse out;
  s = Criteria("reporter/commune-07900")
          ->BatchReportProgress(Context().get(), batch, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FieldOf(s), "items[1].assignment");
  EXPECT_EQ(History(kVietTri).history_size(), before);
  // A reporter is no catalogue editor.
  EXPECT_EQ(Assign("reporter/commune-07900", kVietTri).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessTest, TheProvincePlatformWritesItsCommunesNotAnotherProvinces) {
  EXPECT_TRUE(Report("platform/phu-tho", kVietTri).ok());
  EXPECT_TRUE(Report("platform/phu-tho", kNongTrang).ok());
  grpc::Status s = Report("platform/phu-tho", kMuongKim);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FieldOf(s), "report.assignment");
  EXPECT_EQ(
      Assign("platform/phu-tho", "provinces/12/communes/03640").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Lai Châu's reporter writes its commune, not Phú Thọ's.
  EXPECT_TRUE(Report("reporter/lai-chau-commune", kMuongKim).ok());
  EXPECT_EQ(Report("reporter/lai-chau-commune", kVietTri).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessTest, OnlyTheirRolesPublishRebuildAndSubscribe) {
  for (const char* who : {"reporter/commune-07900", "platform/phu-tho"}) {
    av1::PublishRequest publish;
    publish.set_request_id(absl::StrCat("publish-", who));
    publish.set_province("provinces/25");
    av1::Snapshot snapshot;
    grpc::Status s =
        Aggregator(who)->Publish(Context().get(), publish, &snapshot);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;
    EXPECT_NE(s.error_message().find("publisher"), std::string::npos)
        << s.error_message();
    av1::RebuildRequest rebuild;
    av1::RebuildResponse rebuilt;
    EXPECT_EQ(Aggregator(who)
                  ->Rebuild(Context().get(), rebuild, &rebuilt)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }
  // A reporter's certificate cannot follow the change feed.
  auto feed = changes::v1::ChangeFeed::NewStub(
      ChannelAs("reporter/commune-07900", criteria_->host().address()));
  auto context = Context();
  changes::v1::SubscribeRequest sub;
  auto reader = feed->Subscribe(context.get(), sub);
  changes::v1::ChangeBatch batch;
  EXPECT_FALSE(reader->Read(&batch));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessTest, TheAggregatorConsumesOverMtlsWithItsOwnIdentity) {
  ASSERT_TRUE(Report("reporter/commune-07900", kVietTri).ok());
  // The aggregator (identity .../aggregator, FEED_READER) has followed the
  // feed when its report counts the three assignments.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  int64_t assigned = 0;
  while (absl::Now() < deadline) {
    av1::GetReportRequest req;
    req.set_province("provinces/25");
    av1::Report report;
    grpc::Status s =
        Aggregator("nq57ctl")->GetReport(Context().get(), req, &report);
    ASSERT_TRUE(s.ok()) << s.error_message();
    assigned = report.criteria().total().value().ratio().denominator();
    if (assigned == 2) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(assigned, 2);
  // The publisher publishes; the audit names the verified identity.
  av1::PublishRequest publish;
  publish.set_request_id("publish");
  publish.set_province("provinces/25");
  av1::Snapshot snapshot;
  grpc::Status s = Aggregator("nq57ctl")->Publish(Context("Trần Thị B").get(),
                                                  publish, &snapshot);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(snapshot.publisher(), absl::StrCat(kDomain, "nq57ctl"));
  EXPECT_EQ(snapshot.publisher_on_behalf_of(), "Trần Thị B");
  EXPECT_EQ(snapshot.access_policy(), "access-2026.12.1");
}

TEST_F(AccessTest, TheAuditRecordsTheIdentityBesideTheClaim) {
  // A forged actor header is only a claim.
  auto context = Context();
  context->AddMetadata("x-nq57-actor", "nq57.vn-official");
  cv1::ReportProgressRequest req;
  req.set_request_id("forged");
  req.mutable_report()->set_assignment(AssignmentOf(kVietTri));
  req.mutable_report()->set_state(cv1::IN_PROGRESS);
  cv1::Assignment out;
  ASSERT_TRUE(Criteria("reporter/commune-07900")
                  ->ReportProgress(context.get(), req, &out)
                  .ok());
  ASSERT_TRUE(Report("reporter/commune-07900", kVietTri, "Nguyễn Văn A").ok());
  cv1::GetAssignmentResponse history = History(kVietTri);
  ASSERT_GE(history.history_size(), 3);
  const cv1::AssignmentRevision& forged =
      history.history(history.history_size() - 2);
  EXPECT_EQ(forged.actor(), absl::StrCat(kDomain, "reporter/commune-07900"));
  EXPECT_EQ(forged.on_behalf_of(), "nq57.vn-official");
  const cv1::AssignmentRevision& last =
      history.history(history.history_size() - 1);
  EXPECT_EQ(last.actor(), absl::StrCat(kDomain, "reporter/commune-07900"));
  EXPECT_EQ(last.on_behalf_of(), "Nguyễn Văn A");
  EXPECT_EQ(last.access_policy(), "access-2026.12.1");
  // A claim is bounded.
  EXPECT_EQ(Report("reporter/commune-07900", kVietTri, std::string(300, 'x'))
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AccessTest, APolicyChangeTakesEffectWithoutARestart) {
  EXPECT_EQ(Report("reporter/commune-07900", kNongTrang).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    std::ofstream out(policy_, std::ios::app);
    out << "\ngrants {\n  identity: \"spiffe://nq57.local/reporter/"
           "commune-07900\"\n  roles: [REPORTER]\n  units: \""
        << kNongTrang << "\"\n}\n";
  }
  // The version must change with every edit; this one does too.
  std::string text;
  {
    std::ifstream in(policy_);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text = absl::StrReplaceAll(text, {{"access-2026.12.1", "access-test.2"}});
  {
    std::ofstream out(policy_ + ".new");
    out << text;
  }
  std::filesystem::rename(policy_ + ".new", policy_);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  grpc::Status s;
  while (absl::Now() < deadline) {
    s = Report("reporter/commune-07900", kNongTrang);
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
  cv1::GetAssignmentResponse history = History(kNongTrang);
  EXPECT_EQ(history.history(history.history_size() - 1).access_policy(),
            "access-test.2");
  // A broken file leaves the policy in force.
  {
    std::ofstream out(policy_ + ".new");
    out << "version: \"\"\n";
  }
  std::filesystem::rename(policy_ + ".new", policy_);
  absl::SleepFor(absl::Milliseconds(2500));
  EXPECT_TRUE(Report("reporter/commune-07900", kNongTrang).ok());
}

}  // namespace
}  // namespace nq57
