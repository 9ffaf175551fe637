// DatasetLoader against fake data services in this process: files in
// dependency order, stable request ids (a replay writes nothing twice), and
// a rejected batch reported as "<file>:<line>: <column>: <problem>".
#include "tools/nq57ctl/dataset_loader.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/server/grpc_status.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tests/support/temp_dir.h"

namespace nq57::ctl {
namespace {

namespace criteria = ::nq57::criteria::v1;
namespace eidentity = ::nq57::eidentity::v1;
namespace publicservice = ::nq57::publicservice::v1;

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// What the fake services received: "<method> <request_id>" in call order.
class Calls {
 public:
  void Add(std::string_view method, const std::string& request_id) {
    absl::MutexLock lock(&mu_);
    calls_.push_back(absl::StrCat(std::string(method), " ", request_id));
  }
  std::vector<std::string> Take() {
    absl::MutexLock lock(&mu_);
    return std::move(calls_);
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
};

// A fake service that records its calls in a Calls.
template <typename Service>
class Recording : public Service {
 public:
  explicit Recording(Calls* calls) : calls_(calls) {}

 protected:
  void Record(std::string_view method, const std::string& request_id) {
    calls_->Add(method, request_id);
  }

 private:
  Calls* calls_;
};

// Accepts everything, except: a progress item with note "REJECT" (a field
// violation on its complete_time), a procedure whose code is taken
// (ALREADY_EXISTS), dossier stats of unit "REJECT" (FAILED_PRECONDITION) and
// a business_households_einvoice value of 777 (a field violation on it).
class FakeCriteria final
    : public Recording<criteria::CriteriaService::Service> {
 public:
  using Recording::Recording;
  grpc::Status CreateCriterion(grpc::ServerContext*,
                               const criteria::CreateCriterionRequest* req,
                               criteria::Criterion* resp) override {
    Record("CreateCriterion", req->request_id());
    *resp = req->criterion();
    return grpc::Status::OK;
  }
  grpc::Status BatchReportProgress(
      grpc::ServerContext*, const criteria::BatchReportProgressRequest* req,
      criteria::BatchReportProgressResponse* resp) override {
    Record("BatchReportProgress", req->request_id());
    FieldErrors errors;
    for (int i = 0; i < req->items_size(); ++i) {
      if (req->items(i).note() == "REJECT") {
        errors.Add(absl::StrCat("items[", i, "].complete_time"),
                   "is before the assign time");
      }
      resp->add_assignments();
    }
    return ToGrpcStatus(errors.ToStatus());
  }
};

class FakePublicService final
    : public Recording<publicservice::PublicServiceStatistics::Service> {
 public:
  using Recording::Recording;
  grpc::Status CreateProcedure(grpc::ServerContext*,
                               const publicservice::CreateProcedureRequest* req,
                               publicservice::Procedure* resp) override {
    Record("CreateProcedure", req->request_id());
    *resp = req->procedure();
    if (req->procedure_id() == "1.000001") {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "taken");
    }
    return grpc::Status::OK;
  }
  grpc::Status BatchReportDossierStats(
      grpc::ServerContext*,
      const publicservice::BatchReportDossierStatsRequest* req,
      publicservice::BatchReportDossierStatsResponse* resp) override {
    Record("BatchReportDossierStats", req->request_id());
    for (const auto& r : req->requests()) {
      if (r.stats().unit() == "REJECT") {
        return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            "no such unit");
      }
      *resp->add_stats() = r.stats();
    }
    return grpc::Status::OK;
  }
};

class FakeEidentity final
    : public Recording<eidentity::EidentityService::Service> {
 public:
  using Recording::Recording;
  grpc::Status BatchReportSnapshots(
      grpc::ServerContext*, const eidentity::BatchReportSnapshotsRequest* req,
      eidentity::BatchReportSnapshotsResponse* resp) override {
    Record("BatchReportSnapshots", req->request_id());
    for (int i = 0; i < req->snapshots_size(); ++i) {
      const auto& values = req->snapshots(i).values();
      if (auto it = values.find("business_households_einvoice");
          it != values.end() && it->second.count() == 777) {
        return ToGrpcStatus(InvalidFieldError(
            absl::StrCat("snapshots[", i,
                         "].values[business_households_einvoice].count"),
            "exceeds business_households"));
      }
      resp->add_results()->set_values_written(
          static_cast<int32_t>(values.size()));
    }
    return grpc::Status::OK;
  }
};

class DatasetLoaderTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&criteria_);
    builder.RegisterService(&publicservice_);
    builder.RegisterService(&eidentity_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    const std::string address = absl::StrCat("127.0.0.1:", port);
    endpoints_.criteria = endpoints_.publicservice = endpoints_.eidentity =
        address;
  }
  void TearDown() override { server_->Shutdown(); }

  void Write(const std::string& file, std::string_view text) {
    std::ofstream(Path(file)) << text;
  }
  // Loads dir() one batch at a time (calls in a stable order).
  absl::StatusOr<LoadSummary> Load() {
    std::ostringstream progress;
    DatasetLoader loader(endpoints_, {.parallelism = 1}, progress);
    return loader.Load(dir().string());
  }
  // A load that could be tried (bad rows are in its errors).
  LoadSummary MustLoad() {
    absl::StatusOr<LoadSummary> summary = Load();
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.value_or(LoadSummary{});
  }
  // An error line of the loader: "<dir>/<file>:<rest>".
  std::string ErrorAt(const std::string& file, std::string_view rest) {
    return absl::StrCat(Path(file), AbslView(rest));
  }

  Calls calls_;
  FakeCriteria criteria_{&calls_};
  FakePublicService publicservice_{&calls_};
  FakeEidentity eidentity_{&calls_};
  std::unique_ptr<grpc::Server> server_;
  Endpoints endpoints_;
};

constexpr char kCriteria[] =
    "# the catalogue\n"
    "code,title,source,source_reference,block,group,level,deadline\n"
    "C1,t1,PROJECT_06,,PARTY,DATA,COMMUNE,\n"
    "C2,t2,PROJECT_06,,PARTY,DATA,COMMUNE,\n";
constexpr char kProgress[] =
    "unit,criterion,state,complete_time,evidence,note\n"
    "provinces/25,C1,IN_PROGRESS,,,\n"
    "provinces/25,C2,IN_PROGRESS,,,\n"
    "provinces/25,C2,IN_PROGRESS,,,\n";
constexpr char kSnapshots[] =
    "unit,as_of_date,source,metric,value\n"
    "provinces/25,2025-10-20,tax,business_households,900\n"
    "provinces/25,2025-10-20,tax,business_households_einvoice,800\n"
    "provinces/25,2025-10-20,vneid,eid_accounts_issued,5\n";

TEST_F(DatasetLoaderTest, LoadsTheFilesInDependencyOrder) {
  Write("metric_snapshots.csv", kSnapshots);
  Write("progress.csv", kProgress);
  Write("criteria.csv", kCriteria);
  LoadSummary summary = MustLoad();
  EXPECT_THAT(summary.errors, IsEmpty());
  ASSERT_EQ(summary.files.size(), 3u);
  EXPECT_EQ(summary.files[0].file, "criteria.csv");
  EXPECT_EQ(summary.files[0].batches, 2);  // one call a row
  EXPECT_EQ(summary.files[0].accepted, 2);
  EXPECT_EQ(summary.files[1].file, "progress.csv");
  EXPECT_EQ(summary.files[1].batches, 1);  // 1,000 rows a call
  EXPECT_EQ(summary.files[1].accepted, 3);
  EXPECT_EQ(summary.files[2].file, "metric_snapshots.csv");
  EXPECT_EQ(summary.files[2].rows, 3);
  EXPECT_EQ(summary.files[2].accepted, 3);  // 2 snapshots, 3 values
  std::vector<std::string> methods;
  for (const std::string& call : calls_.Take()) {
    EXPECT_THAT(call, ::testing::HasSubstr(" nq57ctl-load-"));
    methods.push_back(call.substr(0, call.find(' ')));
  }
  EXPECT_THAT(methods,
              ElementsAre("CreateCriterion", "CreateCriterion",
                          "BatchReportProgress", "BatchReportSnapshots"));
  summary.elapsed = absl::Milliseconds(1234);
  EXPECT_EQ(FormatLoadSummary(summary),
            absl::StrCat("loaded ", dir().string(),
                         " in 1.2 s\n"
                         "  criteria.csv                 2 rows      2 calls "
                         "       2 accepted\n"
                         "  progress.csv                 3 rows      1 calls "
                         "       3 accepted\n"
                         "  metric_snapshots.csv         3 rows      1 calls "
                         "       3 accepted\n"));
}

TEST_F(DatasetLoaderTest, ALoadAgainSendsTheSameRequestIds) {
  Write("criteria.csv", kCriteria);
  Write("progress.csv", kProgress);
  ASSERT_TRUE(Load().ok());
  const std::vector<std::string> first = calls_.Take();
  ASSERT_TRUE(Load().ok());
  EXPECT_EQ(calls_.Take(), first);
  // A changed row gives its batch a new id; the other batches keep theirs.
  Write("criteria.csv", absl::StrCat(kCriteria,
                                     "C3,t3,PROJECT_06,,PARTY,DATA,"
                                     "COMMUNE,\n"));
  ASSERT_TRUE(Load().ok());
  const std::vector<std::string> second = calls_.Take();
  ASSERT_EQ(second.size(), first.size() + 1);
  EXPECT_EQ(second[0], first[0]);
  EXPECT_EQ(second[1], first[1]);
  EXPECT_EQ(second[3], first[2]);
  EXPECT_NE(second[2], first[0]);
  EXPECT_NE(second[2], first[1]);
}

TEST_F(DatasetLoaderTest, ABadRowIsReportedAndItsBatchNotSent) {
  Write("criteria.csv", kCriteria);
  Write("progress.csv",
        "unit,criterion,state,complete_time,evidence,note\n"
        "provinces/25,C1,IN_PROGRESS,,,\n"
        "provinces/25,C2,DONE,,,\n");
  LoadSummary summary = MustLoad();
  EXPECT_THAT(summary.errors,
              ElementsAre(ErrorAt("progress.csv",
                                  ":3: state: unknown value \"DONE\"")));
  ASSERT_EQ(summary.files.size(), 2u);
  EXPECT_EQ(summary.files[1].failed_batches, 1);
  EXPECT_EQ(summary.files[1].accepted, 0);
  EXPECT_EQ(summary.files[0].accepted, 2);  // the other file still loads
  for (const std::string& call : calls_.Take()) {
    EXPECT_THAT(call, StartsWith("CreateCriterion "));
  }
}

TEST_F(DatasetLoaderTest, ARejectedItemIsReportedAtItsLineAndColumn) {
  Write("progress.csv",
        "unit,criterion,state,complete_time,evidence,note\n"
        "provinces/25,C1,IN_PROGRESS,,,\n"
        "provinces/25,C2,IN_PROGRESS,,,REJECT\n");
  Write("metric_snapshots.csv",
        "unit,as_of_date,source,metric,value\n"
        "provinces/25,2025-10-20,tax,business_households,900\n"
        "provinces/25,2025-10-20,tax,business_households_einvoice,777\n");
  LoadSummary summary = MustLoad();
  // items[1].complete_time -> the 2nd row of the batch; a snapshot's value
  // -> the row of the metric the field names (the longest match).
  EXPECT_THAT(
      summary.errors,
      ElementsAre(ErrorAt("progress.csv",
                          ":3: complete_time: is before the assign time"),
                  ErrorAt("metric_snapshots.csv",
                          ":3: value (business_households_einvoice): exceeds "
                          "business_households")));
  ASSERT_EQ(summary.files.size(), 2u);
  EXPECT_EQ(summary.files[0].failed_batches, 1);
  EXPECT_EQ(summary.files[1].failed_batches, 1);
}

TEST_F(DatasetLoaderTest, ARejectionWithoutAFieldNamesTheBatchLines) {
  Write("dossier_stats.csv",
        "unit,month,field,dossiers_processed\n"
        "provinces/25,2025-10,land,1\n"
        "REJECT,2025-10,land,2\n");
  LoadSummary summary = MustLoad();
  EXPECT_THAT(summary.errors,
              ElementsAre(ErrorAt("dossier_stats.csv",
                                  ":2-3: FAILED_PRECONDITION: no such "
                                  "unit")));
}

TEST_F(DatasetLoaderTest, AnExistingProcedureIsCountedAsPresent) {
  Write("procedures.csv",
        "unit,code,display_name,field,online_level,essential,"
        "level_effective_from\n"
        "provinces/25,1.000001,P1,land,OFFLINE,,\n"
        "provinces/25,1.000002,P2,land,OFFLINE,,\n");
  LoadSummary summary = MustLoad();
  EXPECT_THAT(summary.errors, IsEmpty());
  ASSERT_EQ(summary.files.size(), 1u);
  EXPECT_EQ(summary.files[0].accepted, 1);
  EXPECT_EQ(summary.files[0].existing, 1);
  EXPECT_THAT(FormatLoadSummary(summary),
              ::testing::HasSubstr("1 accepted  1 already present\n"));
}

TEST_F(DatasetLoaderTest, NothingIsTriedWithoutUsableFiles) {
  absl::StatusOr<LoadSummary> summary = Load();
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kNotFound);
  Write("criteria.csv", "code,title\nC1,t1\n");
  summary = Load();
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(summary.status().message(),
            ErrorAt("criteria.csv", ":1: missing column \"source\""));
  EXPECT_THAT(calls_.Take(), IsEmpty());
  DatasetLoader loader(endpoints_, {}, std::cerr);
  EXPECT_EQ(loader.Load(Path("nope")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nq57::ctl
