// The row mappers on their own: a dataset CSV row becomes exactly the request
// message its service expects, and a bad row is an error naming the file,
// the line and the column, before anything is sent.
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/csv/csv_reader.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tools/nq57ctl/criteria_rows.h"
#include "tools/nq57ctl/eidentity_rows.h"
#include "tools/nq57ctl/publicservice_rows.h"
#include "tools/nq57ctl/row_mapper.h"

namespace nq57::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

// `actual` is OK and equals the message `expected` spells in text format.
template <typename Message>
::testing::AssertionResult IsRequest(const absl::StatusOr<Message>& actual,
                                     std::string_view expected) {
  if (!actual.ok()) {
    return ::testing::AssertionFailure() << actual.status();
  }
  Message want;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(expected),
                                                     &want)) {
    return ::testing::AssertionFailure() << "bad text proto: " << expected;
  }
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(want, *actual)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << diff << "actual:\n"
                                       << actual->DebugString();
}

CsvTable Table(std::string_view text, std::string_view source) {
  absl::StatusOr<CsvTable> table = CsvTable::ParseString(text, source);
  EXPECT_TRUE(table.ok()) << table.status();
  return *std::move(table);
}

// One item per row.
Batch Rows(const CsvTable& table) {
  Batch batch;
  for (const CsvRow& row : table.rows()) batch.push_back({&row});
  return batch;
}

// The error of each item of `items` mapped on its own by `request_of`
// (a BuildRequest), "" for an item that maps.
template <typename RequestOf>
std::vector<std::string> ItemErrors(const Batch& items,
                                    const RequestOf& request_of) {
  std::vector<std::string> errors;
  for (const RowGroup& item : items) {
    const absl::Status status = request_of(Batch{item}, "id").status();
    EXPECT_TRUE(status.ok() ||
                status.code() == absl::StatusCode::kInvalidArgument)
        << status;
    errors.emplace_back(status.message());
  }
  return errors;
}

// Items of consecutive rows with the same SnapshotKeyOf, as the loader
// groups metric_snapshots.csv.
Batch Snapshots(const CsvTable& table) {
  Batch batch;
  std::string last;
  for (const CsvRow& row : table.rows()) {
    const std::string key = SnapshotKeyOf(row);
    if (!batch.empty() && key == last) {
      batch.back().push_back(&row);
    } else {
      batch.push_back({&row});
    }
    last = key;
  }
  return batch;
}

// ---- criteria-server -------------------------------------------------------

constexpr char kCriteriaHeader[] =
    "code,title,source,source_reference,block,group,level,deadline\n";

TEST(CriteriaRowsTest, CriterionRowBecomesCreateCriterion) {
  const CsvTable table =
      Table(absl::StrCat(
                kCriteriaHeader,
                "NQ57-GOV-DATA-C04,Dữ liệu: tiêu chí 04,RESOLUTION_57_NQ_TW,"
                "57-NQ/TW,GOVERNMENT,DATA,COMMUNE,2025-12-31T23:59:59+07:00\n"
                "NQ57-PARTY-INST-C01,Thể chế,PROVINCIAL_PLAN,KH 12,PARTY,"
                "INSTITUTIONS,PROVINCE,\n"),
            "criteria.csv");
  EXPECT_TRUE(IsRequest(CreateCriterionRequestOf(table.rows()[0], "id-1"), R"pb(
    request_id: "id-1"
    criterion {
      code: "NQ57-GOV-DATA-C04"
      title: "Dữ liệu: tiêu chí 04"
      source: RESOLUTION_57_NQ_TW
      source_reference: "57-NQ/TW"
      block: GOVERNMENT
      group: DATA
      level: COMMUNE
      deadline { seconds: 1767200399 }
    })pb"));
  // No deadline: the field stays unset (not an empty Timestamp).
  const auto no_deadline = CreateCriterionRequestOf(table.rows()[1], "id-2");
  EXPECT_FALSE(no_deadline.ok() && no_deadline->criterion().has_deadline());
  EXPECT_TRUE(IsRequest(no_deadline, R"pb(
    request_id: "id-2"
    criterion {
      code: "NQ57-PARTY-INST-C01"
      title: "Thể chế"
      source: PROVINCIAL_PLAN
      source_reference: "KH 12"
      block: PARTY
      group: INSTITUTIONS
      level: PROVINCE
    })pb"));
}

TEST(CriteriaRowsTest, BadCriterionRowNamesFileLineAndColumn) {
  const CsvTable table =
      Table(absl::StrCat(kCriteriaHeader,
                         "C1,t,BOGUS,,PARTY,DATA,COMMUNE,\n"
                         "C2,t,PROJECT_06,,PARTY,DATA,,\n"
                         "C3,t,PROJECT_06,,PARTY,DATA,COMMUNE,tomorrow\n"
                         "C4,t,PROJECT_06,,BLOCK_UNSPECIFIED,DATA,COMMUNE,\n"),
            "criteria.csv");
  EXPECT_THAT(
      ItemErrors(Rows(table), OneRow(CreateCriterionRequestOf)),
      ElementsAre(
          "criteria.csv:2: source: unknown value \"BOGUS\"",
          // An empty enum column is the unspecified value, which is refused.
          "criteria.csv:3: level: unknown value \"\"",
          StartsWith("criteria.csv:4: deadline: not an RFC 3339 time ("),
          "criteria.csv:5: block: unknown value \"BLOCK_UNSPECIFIED\""));
}

TEST(CriteriaRowsTest, AssignmentRowTargetsAProvinceOrUnits) {
  const CsvTable table = Table(
      "criterion,target,assign_time\n"
      "NQ57-GOV-DATA-C04,provinces/25,2025-07-01T00:00:00+07:00\n"
      "criteria/C2,provinces/25/communes/07900,\n"
      "C3,provinces/25/agencies/so-khcn,\n",
      "assignments.csv");
  EXPECT_TRUE(
      IsRequest(BatchCreateAssignmentsRequestOf(table.rows()[0], "id-1"), R"pb(
        request_id: "id-1"
        criterion: "criteria/NQ57-GOV-DATA-C04"
        province: "provinces/25"
        assign_time { seconds: 1751302800 })pb"));
  EXPECT_TRUE(
      IsRequest(BatchCreateAssignmentsRequestOf(table.rows()[1], "id-2"), R"pb(
        request_id: "id-2"
        criterion: "criteria/C2"
        units { units: "provinces/25/communes/07900" })pb"));
  EXPECT_TRUE(
      IsRequest(BatchCreateAssignmentsRequestOf(table.rows()[2], "id-3"), R"pb(
        request_id: "id-3"
        criterion: "criteria/C3"
        units { units: "provinces/25/agencies/so-khcn" })pb"));
}

TEST(CriteriaRowsTest, BadAssignmentRowNamesFileLineAndColumn) {
  const CsvTable table =
      Table("criterion,target,assign_time\nC1,provinces/25,2025-07-01\n",
            "assignments.csv");
  EXPECT_THAT(ItemErrors(Rows(table), OneRow(BatchCreateAssignmentsRequestOf)),
              ElementsAre(StartsWith(
                  "assignments.csv:2: assign_time: not an RFC 3339 time (")));
}

constexpr char kProgressHeader[] =
    "unit,criterion,state,complete_time,evidence,note\n";

TEST(CriteriaRowsTest, ProgressRowsBecomeOneBatch) {
  const CsvTable table = Table(
      absl::StrCat(kProgressHeader,
                   "provinces/25/communes/07900,NQ57-PARTY-INST-C01,COMPLETED,"
                   "2025-07-20T21:07:00+07:00,171/BC-ĐU,\n"
                   "provinces/25,criteria/C2,IN_PROGRESS,,,\"late, sorry\"\n"),
      "progress.csv");
  const auto req = BatchReportProgressRequestOf(Rows(table), "id-1");
  EXPECT_TRUE(IsRequest(req, R"pb(
    request_id: "id-1"
    items {
      assignment: "provinces/25/communes/07900/assignments/NQ57-PARTY-INST-C01"
      state: COMPLETED
      complete_time { seconds: 1753020420 }
      evidence { document_number: "171/BC-ĐU" }
    }
    items {
      assignment: "provinces/25/assignments/C2"
      state: IN_PROGRESS
      note: "late, sorry"
    })pb"));
  EXPECT_FALSE(req.ok() && req->items(1).has_complete_time());
  EXPECT_FALSE(req.ok() && req->items(1).has_evidence());
}

TEST(CriteriaRowsTest, BadProgressRowNamesItsOwnLine) {
  const CsvTable table =
      Table(absl::StrCat(kProgressHeader,
                         "provinces/25,C1,COMPLETED,2025-07-20T21:07:00Z,,\n"
                         "provinces/25,C2,DONE,,,\n"
                         "provinces/25,C3,COMPLETED,2025-99-20T21:07:00Z,,\n"),
            "progress.csv");
  EXPECT_THAT(
      ItemErrors(Rows(table), BatchReportProgressRequestOf),
      ElementsAre("", "progress.csv:3: state: unknown value \"DONE\"",
                  StartsWith("progress.csv:4: complete_time: not an RFC 3339 "
                             "time (")));
  // In a batch, the first bad row is the error.
  EXPECT_EQ(BatchReportProgressRequestOf(Rows(table), "id").status().message(),
            "progress.csv:3: state: unknown value \"DONE\"");
}

// ---- publicservice-server --------------------------------------------------

constexpr char kProceduresHeader[] =
    "unit,code,display_name,field,online_level,essential,"
    "level_effective_from\n";

TEST(PublicServiceRowsTest, ProcedureRowBecomesCreateProcedure) {
  const CsvTable table = Table(
      absl::StrCat(kProceduresHeader,
                   "provinces/25/agencies/so-khcn,1.001000,Khoa học: thủ tục "
                   "1.001000,science_technology,PARTIAL,true,2025-07-01\n"
                   "provinces/25,1.002000,Thủ tục,justice,OFFLINE,,\n"),
      "procedures.csv");
  EXPECT_TRUE(IsRequest(CreateProcedureRequestOf(table.rows()[0], "id-1"), R"pb(
    request_id: "id-1"
    parent: "provinces/25/agencies/so-khcn"
    procedure_id: "1.001000"
    procedure {
      display_name: "Khoa học: thủ tục 1.001000"
      field: "science_technology"
      online_level: PARTIAL
      essential: true
      level_effective_from { year: 2025 month: 7 day: 1 }
    })pb"));
  const auto no_date = CreateProcedureRequestOf(table.rows()[1], "id-2");
  EXPECT_FALSE(no_date.ok() && no_date->procedure().has_level_effective_from());
  EXPECT_TRUE(IsRequest(no_date, R"pb(
    request_id: "id-2"
    parent: "provinces/25"
    procedure_id: "1.002000"
    procedure { display_name: "Thủ tục" field: "justice" online_level: OFFLINE }
  )pb"));
}

TEST(PublicServiceRowsTest, BadProcedureRowNamesFileLineAndColumn) {
  const CsvTable table =
      Table(absl::StrCat(kProceduresHeader,
                         "provinces/25,1.1,P,land,OFFLINE,maybe,\n"
                         "provinces/25,1.2,P,land,OFFLINE,false,2025-02-30\n"
                         "provinces/25,1.3,P,land,ONLINE,false,\n"),
            "procedures.csv");
  EXPECT_THAT(
      ItemErrors(Rows(table), OneRow(CreateProcedureRequestOf)),
      ElementsAre(
          "procedures.csv:2: essential: expected true or false",
          "procedures.csv:3: level_effective_from: not a date (YYYY-MM-DD)",
          "procedures.csv:4: online_level: unknown value \"ONLINE\""));
}

TEST(PublicServiceRowsTest, DossierRowsSetTheCountsTheyGive) {
  const CsvTable table = Table(
      "unit,month,field,procedure,dossiers_received_online,"
      "dossiers_processed,fee_payments\n"
      "provinces/25/communes/07900,2025-10,land,,155,194,\n"
      "provinces/25,2025-10,,1.001000,0,,7\n",
      "dossier_stats.csv");
  EXPECT_TRUE(
      IsRequest(BatchReportDossierStatsRequestOf(Rows(table), "id-1"), R"pb(
        request_id: "id-1"
        requests {
          stats {
            unit: "provinces/25/communes/07900"
            period { month: "2025-10" }
            field: "land"
            counts { dossiers_received_online: 155 dossiers_processed: 194 }
          }
        }
        requests {
          stats {
            unit: "provinces/25"
            period { month: "2025-10" }
            procedure: "1.001000"
            counts { dossiers_received_online: 0 fee_payments: 7 }
          }
        })pb"));
}

TEST(PublicServiceRowsTest, BadDossierCountNamesFileLineAndColumn) {
  const CsvTable table = Table(
      "unit,month,field,dossiers_processed,fee_payments\n"
      "provinces/25,2025-10,land,1,2\n"
      "provinces/25,2025-10,land,3,x43\n",
      "dossier_stats.csv");
  EXPECT_THAT(ItemErrors(Rows(table), BatchReportDossierStatsRequestOf),
              ElementsAre("",
                          "dossier_stats.csv:3: fee_payments: not an "
                          "integer"));
}

// ---- eidentity-server ------------------------------------------------------

constexpr char kSnapshotsHeader[] = "unit,as_of_date,source,metric,value\n";

TEST(EidentityRowsTest, ConsecutiveRowsOfOneSnapshotBecomeOneSnapshot) {
  const CsvTable table =
      Table(absl::StrCat(kSnapshotsHeader,
                         "provinces/25/communes/07900,2025-10-20,vneid,"
                         "eid_accounts_issued,9185\n"
                         "provinces/25/communes/07900,2025-10-20,vneid,"
                         "eid_accounts_activated,8001\n"
                         "provinces/25/communes/07900,2025-10-20,tax,"
                         "business_households,12\n"),
            "metric_snapshots.csv");
  EXPECT_EQ(SnapshotKeyOf(table.rows()[0]),
            "provinces/25/communes/07900|2025-10-20|vneid");
  const Batch batch = Snapshots(table);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_TRUE(IsRequest(BatchReportSnapshotsRequestOf(batch, "id-1"), R"pb(
    request_id: "id-1"
    snapshots {
      unit: "provinces/25/communes/07900"
      as_of_date { year: 2025 month: 10 day: 20 }
      source: "vneid"
      values {
        key: "eid_accounts_issued"
        value { count: 9185 }
      }
      values {
        key: "eid_accounts_activated"
        value { count: 8001 }
      }
    }
    snapshots {
      unit: "provinces/25/communes/07900"
      as_of_date { year: 2025 month: 10 day: 20 }
      source: "tax"
      values {
        key: "business_households"
        value { count: 12 }
      }
    })pb"));
}

TEST(EidentityRowsTest, BadSnapshotRowNamesFileLineAndColumn) {
  const CsvTable table =
      Table(absl::StrCat(kSnapshotsHeader,
                         "provinces/25,2025-10-20,vneid,eid_accounts_issued,1\n"
                         "provinces/25,2025-10-20,vneid,eid_accounts_issued,2\n"
                         "provinces/25,2025-10-21,vneid,eid_accounts_issued,"
                         "abc\n"
                         "provinces/25,20/10/2025,c06,population,3\n"),
            "metric_snapshots.csv");
  EXPECT_THAT(
      ItemErrors(Snapshots(table), BatchReportSnapshotsRequestOf),
      ElementsAre("metric_snapshots.csv:3: metric: repeated in the snapshot",
                  "metric_snapshots.csv:4: value: not an integer",
                  "metric_snapshots.csv:5: as_of_date: not a date "
                  "(YYYY-MM-DD)"));
}

// ---- the file specs --------------------------------------------------------

TEST(FileSpecsTest, EveryServiceNamesItsFilesInLoadOrder) {
  const Endpoints endpoints;
  std::vector<std::string> files;
  for (const auto& specs :
       {CriteriaFileSpecs(&endpoints), PublicServiceFileSpecs(&endpoints),
        EidentityFileSpecs(&endpoints)}) {
    for (const FileSpec& spec : specs) {
      files.push_back(spec.file);
      EXPECT_TRUE(spec.send) << spec.file;
      EXPECT_GE(spec.batch_size, 1u) << spec.file;
      // A batch call names its repeated field so rejections map to lines.
      EXPECT_EQ(spec.batch_size > 1, !spec.items_field.empty()) << spec.file;
    }
  }
  EXPECT_EQ(files, (std::vector<std::string>{"criteria.csv", "assignments.csv",
                                             "progress.csv", "procedures.csv",
                                             "dossier_stats.csv",
                                             "metric_snapshots.csv"}));
}

}  // namespace
}  // namespace nq57::ctl
