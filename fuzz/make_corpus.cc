// make-fuzz-corpus DIR: writes the seed corpus of every fuzz target to
// DIR/<target>/, made from the shipped datasets (deploy/config): write
// requests for real communes of the unit registry and metrics of the
// catalogues, the config files themselves, and change records of the kinds
// each source publishes. `make fuzz` seeds libFuzzer with it; the replay
// tests of an ordinary build run each seed once.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/bounded_file.h"
#include "common/csv/csv_reader.h"
#include "google/protobuf/any.pb.h"
#include "nq57/changes/v1/changes.pb.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "tests/support/criterion_request.h"
#include "tests/support/procedure_request.h"
#include "tests/support/proto_date.h"

namespace {

namespace fs = std::filesystem;
const std::string kConfig = NQ57_SOURCE_DIR "/deploy/config";

// `selector`, then `rest`: the input of a target that picks by first byte.
std::string Selected(char selector, const std::string& rest) {
  std::string out(1, selector);
  out.append(rest);
  return out;
}

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void Add(const std::string& target, const std::string& bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream(dir / absl::StrCat("seed-", ++count_[target]),
                  std::ios::binary)
        << bytes;
  }
  // A selector byte, then a message.
  void Add(const std::string& target, char selector,
           const google::protobuf::Message& m) {
    Add(target, Selected(selector, m.SerializeAsString()));
  }
  int total() const {
    int n = 0;
    for (const auto& [t, c] : count_) n += c;
    return n;
  }

 private:
  fs::path root_;
  std::map<std::string, int> count_;
};

// A shipped config file whole; the tool stops if it cannot be read.
std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> text =
      nq57::ReadBoundedFile(path, 16 << 20, "seed file");
  if (!text.ok()) {
    std::fprintf(stderr, "%s\n", text.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(text);
}

// The first `n` communes of `province` in the shipped registry.
std::vector<std::string> Communes(const std::string& province, size_t n) {
  std::vector<std::string> out;
  auto table = nq57::CsvTable::ReadFile(kConfig + "/units/communes.csv");
  if (!table.ok()) return out;
  for (const nq57::CsvRow& row : table->rows()) {
    if (std::string(row.Get("province_code")) != province) continue;
    out.push_back(absl::StrCat("provinces/", province, "/communes/",
                               std::string(row.Get("code"))));
    if (out.size() == n) break;
  }
  return out;
}

void CriteriaSeeds(Corpus& c, const std::vector<std::string>& communes) {
  namespace v1 = nq57::criteria::v1;
  const v1::CreateCriterionRequest create = nq57::testing::CriterionRequest(
      "PT-GOV-DATA-001", "Cơ sở dữ liệu đất đai", "seed-create");
  c.Add("criteria_writes", 0, create);
  v1::UpdateCriterionRequest update;
  update.set_request_id("seed-update");
  *update.mutable_criterion() = create.criterion();
  update.mutable_criterion()->set_name("criteria/PT-GOV-DATA-001");
  update.mutable_update_mask()->add_paths("title");
  c.Add("criteria_writes", 1, update);
  v1::RetireCriterionRequest retire;
  retire.set_request_id("seed-retire");
  retire.set_name("criteria/PT-GOV-DATA-001");
  c.Add("criteria_writes", 2, retire);
  v1::BatchCreateAssignmentsRequest batch;
  batch.set_request_id("seed-assign-all");
  batch.set_criterion("criteria/PT-GOV-DATA-001");
  batch.set_province("provinces/25");
  c.Add("criteria_writes", 4, batch);
  v1::BatchReportProgressRequest reports;
  reports.set_request_id("seed-reports");
  for (const std::string& unit : communes) {
    v1::CreateAssignmentRequest assign;
    assign.set_request_id("seed-assign-" + unit);
    assign.set_unit(unit);
    assign.set_criterion("criteria/PT-GOV-DATA-001");
    c.Add("criteria_writes", 3, assign);
    v1::ReportProgressRequest report;
    report.set_request_id("seed-report-" + unit);
    v1::ProgressReport* r = report.mutable_report();
    r->set_assignment(unit + "/assignments/PT-GOV-DATA-001");
    r->set_state(v1::IN_PROGRESS);
    r->set_note("Đang triển khai");
    c.Add("criteria_writes", 5, report);
    *reports.add_items() = report.report();
  }
  c.Add("criteria_writes", 6, reports);
}

void EidentitySeeds(Corpus& c, const std::vector<std::string>& communes) {
  namespace v1 = nq57::eidentity::v1;
  const char* metrics[] = {"eid_accounts_issued", "eid_accounts_activated",
                           "eid_level2_activated", "chip_id_cards_issued"};
  v1::BatchReportSnapshotsRequest batch;
  batch.set_request_id("seed-batch");
  for (size_t i = 0; i < communes.size(); ++i) {
    // Each commune's snapshot alone, and all of them as one batch.
    v1::Snapshot* s = batch.add_snapshots();
    s->set_unit(communes[i]);
    *s->mutable_as_of_date() = nq57::testing::ProtoDate(2025, 10, 1 + i % 28);
    s->set_source("vneid");
    (*s->mutable_values())[metrics[i % 4]].set_count(1000 + 37 * i);
    v1::ReportSnapshotRequest req;
    req.set_request_id("seed-" + communes[i]);
    *req.mutable_snapshot() = *s;
    c.Add("eidentity_writes", 0, req);
  }
  c.Add("eidentity_writes", 1, batch);
}

void PublicServiceSeeds(Corpus& c, const std::vector<std::string>& communes) {
  namespace v1 = nq57::publicservice::v1;
  v1::CreateProcedureRequest create = nq57::testing::ProcedureRequest(
      "provinces/25", "1.004227", "seed-procedure");
  create.mutable_procedure()->set_essential(true);
  c.Add("publicservice_writes", 0, create);
  v1::UpdateProcedureRequest update;
  *update.mutable_procedure() = create.procedure();
  update.mutable_procedure()->set_name("provinces/25/procedures/1.004227");
  update.mutable_update_mask()->add_paths("online_level");
  update.set_request_id("seed-update");
  c.Add("publicservice_writes", 1, update);
  v1::BatchReportDossierStatsRequest batch;
  batch.set_request_id("seed-batch");
  int i = 0;
  for (const std::string& unit : communes) {
    v1::ReportDossierStatsRequest req;
    req.set_request_id("seed-" + unit);
    v1::DossierStats* s = req.mutable_stats();
    s->set_unit(unit);
    s->mutable_period()->set_month("2025-10");
    s->set_procedure("1.004227");
    s->mutable_counts()->set_results_issued(10 + i);
    s->mutable_counts()->set_results_digitised(8 + i);
    s->mutable_counts()->set_results_reused(i);
    ++i;
    c.Add("publicservice_writes", 2, req);
    *batch.add_requests() = req;
  }
  c.Add("publicservice_writes", 3, batch);
}

// Appends a CREATED record of `value` for `resource`, numbered on from the
// batch's last.
void AddCreated(nq57::changes::v1::ChangeBatch& batch,
                const std::string& resource,
                const google::protobuf::Message& value) {
  nq57::changes::v1::ChangeRecord* r = batch.add_records();
  r->set_sequence(static_cast<uint64_t>(batch.records_size()));
  r->set_kind(nq57::changes::v1::CREATED);
  r->set_resource(resource);
  r->mutable_new_value()->PackFrom(value);
}

void ChangeRecordSeeds(Corpus& c, const std::vector<std::string>& communes) {
  namespace v1 = nq57::changes::v1;
  // criteria (0): a criterion, then an assignment of it, then a report.
  v1::ChangeBatch criteria;
  nq57::criteria::v1::Criterion criterion;
  criterion.set_name("criteria/PT-GOV-DATA-001");
  criterion.set_code("PT-GOV-DATA-001");
  criterion.set_block(nq57::criteria::v1::GOVERNMENT);
  criterion.set_group(nq57::criteria::v1::DATA);
  criterion.set_level(nq57::common::v1::COMMUNE);
  AddCreated(criteria, criterion.name(), criterion);
  for (const std::string& unit : communes) {
    nq57::criteria::v1::Assignment a;
    a.set_name(unit + "/assignments/PT-GOV-DATA-001");
    a.set_unit(unit);
    a.set_criterion(criterion.name());
    a.set_state(nq57::criteria::v1::IN_PROGRESS);
    AddCreated(criteria, a.name(), a);
  }
  c.Add("source_adapter", Selected(0, criteria.SerializeAsString()));
  // publicservice (1): statistics of the communes.
  v1::ChangeBatch stats;
  for (const std::string& unit : communes) {
    nq57::publicservice::v1::DossierStats s;
    s.set_name(unit + "/dossierStats/2025-10/1.004227");
    s.set_unit(unit);
    s.mutable_period()->set_month("2025-10");
    s.set_procedure("1.004227");
    s.mutable_counts()->set_results_issued(10);
    AddCreated(stats, s.name(), s);
  }
  c.Add("source_adapter", Selected(1, stats.SerializeAsString()));
  // eidentity (2): snapshots.
  v1::ChangeBatch eid;
  for (const std::string& unit : communes) {
    nq57::eidentity::v1::Snapshot s;
    s.set_unit(unit);
    s.mutable_as_of_date()->set_year(2025);
    s.mutable_as_of_date()->set_month(10);
    s.mutable_as_of_date()->set_day(1);
    (*s.mutable_values())["eid_accounts_issued"].set_count(100);
    AddCreated(eid, unit + "/snapshots/2025-10-01", s);
  }
  c.Add("source_adapter", Selected(2, eid.SerializeAsString()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make-fuzz-corpus DIR\n");
    return 2;
  }
  Corpus c{fs::path(argv[1])};
  const std::vector<std::string> communes = Communes("25", 12);
  if (communes.empty()) {
    std::fprintf(stderr, "no communes of province 25 in %s\n", kConfig.c_str());
    return 1;
  }
  CriteriaSeeds(c, communes);
  EidentitySeeds(c, communes);
  PublicServiceSeeds(c, communes);
  ChangeRecordSeeds(c, communes);
  // The config files, behind the config_parsers selector byte.
  for (const char* f : {"/indicators/eidentity.textproto",
                        "/indicators/publicservice.textproto"}) {
    c.Add("config_parsers", Selected(0, ReadFile(kConfig + f)));
  }
  c.Add("config_parsers",
        Selected(1, ReadFile(kConfig + "/access/access.textproto")));
  c.Add("config_parsers",
        Selected(2, ReadFile(kConfig + "/labels/criteria.csv")));
  // The unit tables (their first 60 lines: libFuzzer mutates small inputs
  // faster) and the labels for the CSV reader.
  for (const char* f : {"/units/provinces.csv", "/units/communes.csv",
                        "/units/agencies.csv", "/labels/criteria.csv"}) {
    std::istringstream in(ReadFile(kConfig + f));
    std::string line, head;
    for (int n = 0; n < 60 && std::getline(in, line); ++n) head += line + "\n";
    c.Add("csv_reader", head);
  }
  // Keys and tokens as the stores make them.
  for (const std::string& unit : communes) {
    c.Add("key_codec", unit + std::string(32, '\x07'));
    c.Add("page_token", std::string(1, static_cast<char>(unit.size())) +
                            "procedures|" + unit);
  }
  std::printf("wrote %d seeds under %s\n", c.total(), argv[1]);
  return 0;
}
