#include "services/aggregator/published_figures.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"
#include "common/ratio/ratio.h"
#include "common/ratio/ratio_proto.h"

namespace nq57::aggregator {
namespace {

std::string EntryKey(std::string_view province, std::string_view period,
                     std::string_view figure) {
  return absl::StrCat(AbslView(province), "|", AbslView(period), "|",
                      AbslView(figure));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PublishedFigures>> PublishedFigures::Load(
    const std::string& path) {
  ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path));
  RETURN_IF_ERROR(
      table.RequireColumns({"province", "period", "figure", "text"}));
  auto out = std::make_unique<PublishedFigures>();
  out->version_ = std::string(table.version());
  for (const CsvRow& row : table.rows()) {
    if (!out->entries_
             .emplace(EntryKey(row.Get("province"), row.Get("period"),
                               row.Get("figure")),
                      Entry{std::string(row.Get("text")),
                            std::string(row.Get("note"))})
             .second) {
      return row.Error("duplicate figure");
    }
  }
  return out;
}

const PublishedFigures::Entry* PublishedFigures::Find(
    std::string_view province, std::string_view period,
    std::string_view figure) const {
  auto it = entries_.find(EntryKey(province, period, figure));
  return it == entries_.end() ? nullptr : &it->second;
}

void CheckPublished(const PublishedFigures* published,
                    std::string_view province, std::string_view period,
                    v1::Figure& figure) {
  if (published == nullptr) return;
  const PublishedFigures::Entry* entry =
      published->Find(province, period, figure.id());
  if (entry == nullptr) return;
  v1::PublishedCheck* check = figure.mutable_published();
  check->set_text(entry->text);
  check->set_note(entry->note);
  if (figure.value().ratio().denominator() == 0) return;
  absl::StatusOr<std::vector<RoundingMode>> modes = ReproducingModes(
      FromProto(figure.value().ratio()), entry->text, RenderScale::kPercent);
  if (!modes.ok()) {
    check->set_note(
        absl::StrCat(entry->note, " (", modes.status().message(), ")"));
    return;
  }
  for (RoundingMode m : *modes) check->add_reproducing_modes(ToProto(m));
  check->set_reproduced(!modes->empty());
}

}  // namespace nq57::aggregator
