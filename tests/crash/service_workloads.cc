// The four servers' crash workloads (crash_workload.h). Requests are valid
// against the shipped config: province 25 (Phú Thọ) and its communes.
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/base/request_fingerprint.h"
#include "grpcpp/client_context.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tests/crash/crash_workload.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/procedure_request.h"
#include "tests/support/server_process.h"
#include "tests/support/test_paths.h"

namespace nq57::crash {
namespace {

constexpr char kProvince[] = "provinces/25";
// Communes of province 25; writer w writes to kCommunes[w % size].
constexpr const char* kCommunes[] = {"07900", "07894", "07909", "07918",
                                     "08515", "08494", "08500", "08521"};
constexpr size_t kCommuneCount = sizeof(kCommunes) / sizeof(kCommunes[0]);

std::string CommuneOf(int writer) {
  return absl::StrCat(kProvince, "/communes/",
                      kCommunes[static_cast<size_t>(writer) % kCommuneCount]);
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
}

// One unary call of `method` on `stub`, with a 10 s deadline.
template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  const Request& request, Response* out) {
  grpc::ClientContext context;
  SetDeadline(context);
  return (stub.*method)(&context, request, out);
}

// The same for a crash write, sent with `request_id`: on OK, `*bytes` is
// the response deterministically serialized.
template <typename Stub, typename Request, typename Response>
grpc::Status Send(std::unique_ptr<Stub> stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  Request request, const std::string& request_id,
                  std::string* bytes) {
  request.set_request_id(request_id);
  Response out;
  grpc::Status s = Call(*stub, method, request, &out);
  if (s.ok()) *bytes = RequestFingerprint(out);
  return s;
}

// ReportProgress on the assignments of one seeded criterion: writer w
// reports on assignment w (of the 148 communes'), cycling IN_PROGRESS,
// COMPLETED (at the assignment's own assign time, so a retry sends the same
// bytes) and NOT_STARTED, with k in the note so every report changes it.
class Criteria : public CrashWorkload {
 public:
  std::string binary() const override { return "criteria-server"; }

  grpc::Status Setup(const std::shared_ptr<grpc::Channel>& channel) override {
    using Stub = criteria::v1::CriteriaService::Stub;
    auto stub = criteria::v1::CriteriaService::NewStub(channel);
    {
      criteria::v1::CreateCriterionRequest request;
      request.set_request_id("crash-setup-criterion");
      criteria::v1::Criterion* c = request.mutable_criterion();
      c->set_code("CRASH-DATA-1");
      c->set_title("Tiêu chí kiểm thử sự cố");
      c->set_source(criteria::v1::RESOLUTION_57_NQ_TW);
      c->set_block(criteria::v1::GOVERNMENT);
      c->set_group(criteria::v1::DATA);
      c->set_level(common::v1::COMMUNE);
      criteria::v1::Criterion out;
      grpc::Status s = Call(*stub, &Stub::CreateCriterion, request, &out);
      if (!s.ok()) return s;
    }
    criteria::v1::BatchCreateAssignmentsRequest request;
    request.set_request_id("crash-setup-assignments");
    request.set_criterion("criteria/CRASH-DATA-1");
    request.set_province(kProvince);
    criteria::v1::BatchCreateAssignmentsResponse out;
    grpc::Status s = Call(*stub, &Stub::BatchCreateAssignments, request, &out);
    if (!s.ok()) return s;
    assignments_.assign(out.assignments().begin(), out.assignments().end());
    if (assignments_.empty()) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "no assignments made");
    }
    return grpc::Status::OK;
  }

  grpc::Status Write(const std::shared_ptr<grpc::Channel>& channel, int writer,
                     int64_t k, std::string* response) override {
    criteria::v1::ReportProgressRequest request;
    criteria::v1::ProgressReport* r = request.mutable_report();
    const criteria::v1::Assignment& a =
        assignments_[static_cast<size_t>(writer) % assignments_.size()];
    r->set_assignment(a.name());
    constexpr criteria::v1::ProgressState kCycle[] = {
        criteria::v1::IN_PROGRESS, criteria::v1::COMPLETED,
        criteria::v1::NOT_STARTED};
    r->set_state(kCycle[k % 3]);
    if (r->state() == criteria::v1::COMPLETED) {
      *r->mutable_complete_time() = a.assign_time();
    }
    r->set_note(absl::StrCat("crash harness write ", k));
    return Send(criteria::v1::CriteriaService::NewStub(channel),
                &criteria::v1::CriteriaService::Stub::ReportProgress, request,
                RequestId(writer, k), response);
  }

 private:
  // Written by Setup before any Write; read-only afterwards.
  std::vector<criteria::v1::Assignment> assignments_;
};

// Same-day ReportSnapshot replacements: writer w reports its commune's
// e-ID accounts issued on one date, rising with k (a stock may not fall
// without a correction).
class Eidentity : public CrashWorkload {
 public:
  std::string binary() const override { return "eidentity-server"; }

  grpc::Status Write(const std::shared_ptr<grpc::Channel>& channel, int writer,
                     int64_t k, std::string* response) override {
    eidentity::v1::ReportSnapshotRequest request;
    eidentity::v1::Snapshot* s = request.mutable_snapshot();
    s->set_unit(CommuneOf(writer));
    s->mutable_as_of_date()->set_year(2025);
    s->mutable_as_of_date()->set_month(10);
    s->mutable_as_of_date()->set_day(1 + writer / kCommuneCount % 28);
    s->set_source("vneid");
    (*s->mutable_values())["eid_accounts_issued"].set_count(1000 + k);
    return Send(eidentity::v1::EidentityService::NewStub(channel),
                &eidentity::v1::EidentityService::Stub::ReportSnapshot, request,
                RequestId(writer, k), response);
  }
};

// ReportDossierStats replacements: writer w reports its commune's October
// 2025 statistics of procedure CRASH.w (made by Setup), with counts rising
// with k, so every write changes the stored statistics.
class PublicService : public CrashWorkload {
 public:
  static constexpr int kProcedures = 16;

  std::string binary() const override { return "publicservice-server"; }

  grpc::Status Setup(const std::shared_ptr<grpc::Channel>& channel) override {
    auto stub = publicservice::v1::PublicServiceStatistics::NewStub(channel);
    for (int p = 0; p < kProcedures; ++p) {
      publicservice::v1::Procedure out;
      grpc::Status s = Call(
          *stub,
          &publicservice::v1::PublicServiceStatistics::Stub::CreateProcedure,
          testing::ProcedureRequest(kProvince, ProcedureOf(p),
                                    absl::StrCat("crash-setup-procedure-", p)),
          &out);
      if (!s.ok()) return s;
    }
    return grpc::Status::OK;
  }

  grpc::Status Write(const std::shared_ptr<grpc::Channel>& channel, int writer,
                     int64_t k, std::string* response) override {
    publicservice::v1::ReportDossierStatsRequest request;
    publicservice::v1::DossierStats* s = request.mutable_stats();
    s->set_unit(CommuneOf(writer));
    s->mutable_period()->set_month("2025-10");
    s->set_procedure(ProcedureOf(writer % kProcedures));
    s->mutable_counts()->set_results_issued(10 + k);
    s->mutable_counts()->set_results_digitised(8);
    s->mutable_counts()->set_results_reused(k % 9);
    return Send(
        publicservice::v1::PublicServiceStatistics::NewStub(channel),
        &publicservice::v1::PublicServiceStatistics::Stub::ReportDossierStats,
        request, RequestId(writer, k), response);
  }

 private:
  static std::string ProcedureOf(int p) { return absl::StrCat("CRASH.", p); }
};

// Publish on the aggregator, while a criteria-server it consumes (started by
// Prepare, never killed) is written to by a thread of its own: the
// aggregator is killed mid-consumption as well as mid-publication.
class Aggregator : public CrashWorkload {
 public:
  ~Aggregator() override { StopSourceWrites(); }

  std::string binary() const override { return "aggregator-server"; }

  absl::StatusOr<std::vector<std::string>> Prepare(
      const std::string& dir) override {
    absl::StatusOr<std::unique_ptr<ServerProcess>> source =
        ServerProcess::Start(
            testing::BinaryPath("criteria-server"),
            {"--listen=127.0.0.1:0",
             absl::StrCat("--data_dir=", dir, "/source"),
             absl::StrCat("--config_dir=", testing::ShippedConfigDir()),
             "--drain_seconds=1"},
            absl::StrCat(dir, "/source.log"));
    if (!source.ok()) return source.status();
    source_ = std::move(*source);
    source_channel_ = testing::InsecureChannel(source_->address());
    grpc::Status s = source_writes_.Setup(source_channel_);
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("seeding the criteria source: ", s.error_message()));
    }
    writing_ = true;
    source_writer_ = std::thread([this] {
      int64_t k = 0;
      while (writing_.load()) {
        std::string ignored;
        for (int writer = 0; writer < 16 && writing_.load(); ++writer) {
          if (source_writes_.Write(source_channel_, writer, k, &ignored).ok()) {
            ++source_acknowledged_;
          }
        }
        ++k;
        absl::SleepFor(absl::Milliseconds(2));
      }
    });
    return std::vector<std::string>{
        absl::StrCat("--source=criteria@", source_->address())};
  }

  grpc::Status Write(const std::shared_ptr<grpc::Channel>& channel, int writer,
                     int64_t k, std::string* response) override {
    aggregator::v1::PublishRequest request;
    request.set_province(kProvince);
    return Send(aggregator::v1::AggregatorService::NewStub(channel),
                &aggregator::v1::AggregatorService::Stub::Publish, request,
                RequestId(writer, k), response);
  }

  // Consumption was exactly once: once caught up with the source's head,
  // the aggregator's criteria figures equal the source's own count.
  absl::Status Verify(const std::shared_ptr<grpc::Channel>& channel) override {
    StopSourceWrites();
    if (source_acknowledged_.load() == 0) {
      return absl::InternalError("the criteria source took no writes");
    }
    // The source's real head: the aggregator's view of it may be older.
    const testing::FeedPosition source_feed =
        testing::FeedPositionOf(source_channel_);
    if (source_feed.log_id.empty()) {
      return absl::UnavailableError("cannot read the source's feed");
    }
    const uint64_t source_head = source_feed.head;
    auto stub = aggregator::v1::AggregatorService::NewStub(channel);
    aggregator::v1::Report report;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    aggregator::v1::GetReportRequest get;
    get.set_province(kProvince);
    while (true) {
      grpc::Status s =
          Call(*stub, &aggregator::v1::AggregatorService::Stub::GetReport, get,
               &report);
      if (s.ok() && report.freshness_size() > 0 &&
          report.freshness(0).serving() &&
          report.freshness(0).applied_sequence() >= source_head) {
        break;
      }
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("the aggregator did not catch up with its source: ",
                         s.error_message()));
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    auto source = criteria::v1::CriteriaService::NewStub(source_channel_);
    criteria::v1::GetSummaryRequest request;
    request.set_unit(kProvince);
    request.set_include_subunits(true);
    // The figures of the first report that says it is caught up must be the
    // source's: a report's freshness is that of its own snapshot.
    criteria::v1::Summary summary;
    grpc::Status counted_status =
        Call(*source, &criteria::v1::CriteriaService::Stub::GetSummary, request,
             &summary);
    if (!counted_status.ok()) {
      return absl::InternalError(counted_status.error_message());
    }
    std::string mismatch;
    const auto& total = report.criteria().total().value().ratio();
    const auto& counted = summary.total().ratio();
    if (total.numerator() != counted.numerator() ||
        total.denominator() != counted.denominator()) {
      mismatch = absl::StrCat(
          "aggregator says ", total.numerator(), "/", total.denominator(),
          " completed at source sequence ",
          report.freshness(0).applied_sequence(), "; the source counts ",
          counted.numerator(), "/", counted.denominator());
    }
    // And the incremental state equals a rebuild from sequence 0.
    aggregator::v1::RebuildResponse rebuilt;
    grpc::Status s =
        Call(*stub, &aggregator::v1::AggregatorService::Stub::Rebuild,
             aggregator::v1::RebuildRequest(), &rebuilt);
    if (!s.ok()) return absl::InternalError(s.error_message());
    if (!rebuilt.equal()) {
      absl::StrAppend(&mismatch, mismatch.empty() ? "" : "; ",
                      "incremental state differs from a rebuild: ",
                      rebuilt.differences_size() ? rebuilt.differences(0) : "");
    }
    return mismatch.empty() ? absl::OkStatus() : absl::InternalError(mismatch);
  }

 private:
  void StopSourceWrites() {
    writing_ = false;
    if (source_writer_.joinable()) source_writer_.join();
  }

  std::unique_ptr<ServerProcess> source_;
  std::shared_ptr<grpc::Channel> source_channel_;
  Criteria source_writes_;
  std::atomic<bool> writing_{false};
  std::atomic<int64_t> source_acknowledged_{0};
  std::thread source_writer_;
};

}  // namespace

std::unique_ptr<CrashWorkload> CriteriaWorkload() {
  return std::make_unique<Criteria>();
}
std::unique_ptr<CrashWorkload> EidentityWorkload() {
  return std::make_unique<Eidentity>();
}
std::unique_ptr<CrashWorkload> PublicServiceWorkload() {
  return std::make_unique<PublicService>();
}
std::unique_ptr<CrashWorkload> AggregatorWorkload() {
  return std::make_unique<Aggregator>();
}

}  // namespace nq57::crash
