#include "common/labels/criteria_labels.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"
#include "google/protobuf/descriptor.h"
#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57 {
namespace {

// The ids a kind of enum labels must have, in the order they are listed:
// every value of `e` but the unspecified 0, in numeric order.
std::vector<std::string> IdsOf(const google::protobuf::EnumDescriptor* e) {
  std::vector<std::pair<int, std::string>> values;
  for (int i = 0; i < e->value_count(); ++i) {
    if (e->value(i)->number() != 0) {
      values.emplace_back(e->value(i)->number(), e->value(i)->name());
    }
  }
  std::sort(values.begin(), values.end());
  std::vector<std::string> out;
  for (auto& [number, name] : values) out.push_back(std::move(name));
  return out;
}

const CriteriaLabel* FindIn(const std::vector<CriteriaLabel>& labels,
                            std::string_view id) {
  for (const CriteriaLabel& l : labels) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CriteriaLabels>> CriteriaLabels::LoadFromConfig(
    std::string_view config_dir) {
  return Load(absl::StrCat(AbslView(config_dir), "/labels/criteria.csv"));
}

absl::StatusOr<std::unique_ptr<CriteriaLabels>> CriteriaLabels::Load(
    const std::string& path) {
  ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path));
  return FromTable(table);
}

absl::StatusOr<std::unique_ptr<CriteriaLabels>> CriteriaLabels::Parse(
    std::string_view text, std::string_view source) {
  ASSIGN_OR_RETURN(CsvTable table, CsvTable::ParseString(text, source));
  return FromTable(table);
}

absl::StatusOr<std::unique_ptr<CriteriaLabels>> CriteriaLabels::FromTable(
    const CsvTable& table) {
  RETURN_IF_ERROR(table.RequireColumns(
      {"kind", "id", "label_vi", "label_en", "phrase_vi"}));
  if (table.version().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        AbslView(table.source()), ": missing \"# version: ...\" line"));
  }
  // kind -> the ids it must have, in listing order.
  const std::map<std::string, std::vector<std::string>, std::less<>> expected =
      {{"total", {"ALL"}},
       {"level", {"PROVINCE", "COMMUNE"}},
       {"block", IdsOf(criteria::v1::Block_descriptor())},
       {"group", IdsOf(criteria::v1::Group_descriptor())}};
  std::map<std::string, std::map<std::string, CriteriaLabel>, std::less<>> seen;
  for (const CsvRow& row : table.rows()) {
    const std::string_view kind = row.Get("kind");
    auto ids = expected.find(kind);
    if (ids == expected.end()) {
      return row.Error(absl::StrCat("unknown kind \"", AbslView(kind),
                                    "\" (total, level, block or group)"));
    }
    CriteriaLabel label{.id = std::string(row.Get("id")),
                        .vi = std::string(row.Get("label_vi")),
                        .en = std::string(row.Get("label_en")),
                        .phrase = std::string(row.Get("phrase_vi"))};
    if (std::find(ids->second.begin(), ids->second.end(), label.id) ==
        ids->second.end()) {
      return row.Error(
          absl::StrCat("unknown ", AbslView(kind), " \"", label.id, "\""));
    }
    if (label.vi.empty() || label.en.empty()) {
      return row.Error("label_vi and label_en must not be empty");
    }
    if ((kind == "block" || kind == "group") && label.phrase.empty()) {
      return row.Error(absl::StrCat("phrase_vi of ", AbslView(kind), " ",
                                    label.id, " must not be empty"));
    }
    if (!seen[std::string(kind)].emplace(label.id, label).second) {
      return row.Error(
          absl::StrCat("duplicate ", AbslView(kind), " \"", label.id, "\""));
    }
  }
  auto out = std::unique_ptr<CriteriaLabels>(new CriteriaLabels());
  out->version_ = std::string(table.version());
  for (const auto& [kind, ids] : expected) {
    std::vector<CriteriaLabel> labels;
    for (const std::string& id : ids) {
      auto it = seen[kind].find(id);
      if (it == seen[kind].end()) {
        return absl::InvalidArgumentError(absl::StrCat(AbslView(table.source()),
                                                       ": no label for ", kind,
                                                       " \"", id, "\""));
      }
      labels.push_back(it->second);
    }
    if (kind == "total") {
      out->total_ = labels[0];
    } else if (kind == "level") {
      out->province_level_ = labels[0];
      out->commune_level_ = labels[1];
    } else if (kind == "block") {
      out->blocks_ = std::move(labels);
    } else {
      out->groups_ = std::move(labels);
    }
  }
  return out;
}

const CriteriaLabel* CriteriaLabels::FindBlock(std::string_view id) const {
  return FindIn(blocks_, id);
}

const CriteriaLabel* CriteriaLabels::FindGroup(std::string_view id) const {
  return FindIn(groups_, id);
}

}  // namespace nq57
