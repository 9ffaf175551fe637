#include "tools/nq57ctl/report_table.h"

#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/base/vietnam_time.h"
#include "common/time/proto_time.h"

namespace nq57::ctl {
namespace {

using aggregator::v1::Count;
using aggregator::v1::Figure;
using aggregator::v1::Report;

// Display width of UTF-8 text: code points (Vietnamese is precomposed).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(std::string_view s, size_t width, bool right = false) {
  const size_t w = Width(s);
  std::string fill(w < width ? width - w : 0, ' ');
  return right ? fill + std::string(s) : std::string(s) + fill;
}

// The printed name of an enum `value`, `otherwise` if it has none.
std::string NameOf(int value,
                   std::initializer_list<std::pair<int, const char*>> names,
                   const char* otherwise) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return otherwise;
}

std::string Colour(int colour) {
  return NameOf(colour,
                {{common::v1::GREEN, "green"},
                 {common::v1::YELLOW, "yellow"},
                 {common::v1::RED, "RED"},
                 {common::v1::NO_DATA, "no data"}},
                "");
}

// "half-up 1dp".
std::string RoundingText(const common::v1::RenderedRatio& value) {
  return absl::StrCat(RoundingName(value.rounding()), " ", value.decimals(),
                      "dp");
}

constexpr size_t kLabel = 54;

std::string FigureLine(const Figure& f) {
  const auto& v = f.value();
  const std::string label = absl::StrCat(f.label_vi(), " · ", f.label_en());
  const std::string ratio = RatioText(v.ratio());
  const std::string percent = PercentText(v);
  const std::string rounding = v.percent().empty() ? "" : RoundingText(v);
  const std::string coverage =
      f.has_coverage()
          ? absl::StrCat(f.coverage().reported(), "/", f.coverage().expected())
          : "";
  // A label too long for its column gets a line of its own.
  std::string wrapped;
  if (Width(label) > kLabel) {
    wrapped = absl::StrCat("  ", label, "\n");
  }
  std::string line = absl::StrCat(
      "  ", wrapped.empty() ? Pad(label, kLabel) : std::string(kLabel, ' '),
      " ", Pad(ratio, 19, true), " ", Pad(percent, 8, true), "  ",
      Pad(rounding, 13), Pad(coverage, 9), " ", Pad(Colour(f.colour()), 7));
  const std::string published = PublishedText(f);
  if (!published.empty()) absl::StrAppend(&line, " published ", published);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return wrapped + line + "\n";
}

std::string CountLine(const Count& c) {
  const std::string label = absl::StrCat(c.label_vi(), " · ", c.label_en());
  const bool wrap = Width(label) > kLabel;
  return absl::StrCat(
      wrap ? absl::StrCat("  ", label, "\n") : "", "  ",
      wrap ? std::string(kLabel, ' ') : Pad(label, kLabel), " ",
      Pad(GroupThousands(c.value()), 19, true), "   ", std::string(22, ' '),
      absl::StrCat(c.coverage().reported(), "/", c.coverage().expected()),
      "\n");
}

std::string Heading(std::string_view title) {
  return absl::StrCat("\n", Pad(title, kLabel + 3), Pad("done/total", 19, true),
                      "        %  rounding     coverage  colour\n");
}

}  // namespace

std::string GroupThousands(int64_t value) {
  std::string digits = absl::StrCat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string RatioText(const common::v1::Ratio& ratio) {
  return absl::StrCat(GroupThousands(ratio.numerator()), "/",
                      GroupThousands(ratio.denominator()));
}

std::string PercentText(const common::v1::RenderedRatio& value) {
  return value.percent().empty() ? "—" : value.percent() + "%";
}

std::string InputSequencesText(
    const google::protobuf::Map<std::string, uint64_t>& sequences) {
  const std::map<std::string, uint64_t> by_source(sequences.begin(),
                                                  sequences.end());
  std::vector<std::string> parts;
  for (const auto& [source, sequence] : by_source) {
    parts.push_back(absl::StrCat(source, " #", sequence));
  }
  return absl::StrJoin(parts, ", ");
}

std::string RoundingName(int mode) {
  return NameOf(mode,
                {{common::v1::HALF_UP, "half-up"},
                 {common::v1::HALF_EVEN, "half-even"},
                 {common::v1::TRUNCATE, "truncate"}},
                "unspecified");
}

std::string PublishedText(const Figure& figure) {
  if (!figure.has_published()) return "";
  const auto& p = figure.published();
  if (p.reproduced()) {
    std::vector<std::string> modes;
    for (int m : p.reproducing_modes()) modes.push_back(RoundingName(m));
    return absl::StrCat(p.text(), " = ", absl::StrJoin(modes, ", "));
  }
  return absl::StrCat(p.text(), " FLAG: no declared rounding reproduces it");
}

std::string FormatReportTable(const Report& report) {
  std::string out;
  const absl::Time as_of = FromProtoTime(report.as_of());
  absl::StrAppend(
      &out, "Báo cáo NQ57 · nq57 report — ", report.province_name(), " (",
      report.province(), "), kỳ/period ", report.period(), ", as of ",
      absl::FormatTime("%Y-%m-%d %H:%M %Ez", as_of, VietnamTime()), "\n");
  std::vector<std::string> sources;
  for (const auto& f : report.freshness()) {
    sources.push_back(absl::StrCat(f.source(), " #", f.applied_sequence(),
                                   f.serving() ? "" : " (NOT caught up)"));
  }
  if (!sources.empty()) {
    absl::StrAppend(&out, "inputs: ", absl::StrJoin(sources, ", "), "\n");
  }

  const auto& c = report.criteria();
  out += Heading("TIÊU CHÍ · CRITERIA (completed / assigned)");
  out += FigureLine(c.total());
  for (const Figure& f : c.blocks()) out += FigureLine(f);
  out += Heading("KHỐI UBND THEO NHÓM · PEOPLE'S COMMITTEE BY GROUP");
  for (const Figure& f : c.block_groups()) {
    if (f.id().rfind("criteria.block_group.GOVERNMENT.", 0) != 0) continue;
    // The section names the block; the lines name the group.
    Figure group = f;
    for (auto [label, prefix] :
         {std::pair{group.mutable_label_vi(), std::string_view("Khối UBND — ")},
          std::pair{group.mutable_label_en(),
                    std::string_view("People's Committee block — ")}}) {
      if (label->rfind(prefix, 0) == 0) label->erase(0, prefix.size());
    }
    out += FigureLine(group);
  }
  const auto& d = c.deadlines();
  absl::StrAppend(&out, "\n  Nhiệm vụ có hạn · tasks with a deadline: ",
                  GroupThousands(d.with_deadline()), " — on time ",
                  GroupThousands(d.on_time()), ", late ",
                  GroupThousands(d.completed_late()), ", overdue ",
                  GroupThousands(d.overdue()), ", pending ",
                  GroupThousands(d.pending()));
  if (!d.completed().percent().empty()) {
    absl::StrAppend(&out, "; completed ", d.completed().percent(), "% (",
                    RoundingText(d.completed()), ")");
  }
  out += "\n";

  out += Heading("DỊCH VỤ CÔNG · PUBLIC SERVICES");
  for (const Figure& f : report.public_services()) out += FigureLine(f);
  for (const Count& n : report.public_service_counts()) {
    if (n.id().find("procedures_") != std::string::npos) out += CountLine(n);
  }
  out += Heading("ĐỀ ÁN 06 · PROJECT 06");
  for (const Figure& f : report.project06()) out += FigureLine(f);
  for (const Count& n : report.project06_counts()) {
    static constexpr const char* kShown[] = {
        "eidentity.eid_accounts_issued",
        "eidentity.eid_accounts_activated",
        "eidentity.population_records_cleaned",
        "eidentity.land_parcels_in_database",
        "eidentity.land_database_connected_communes",
        "eidentity.business_households_einvoice",
        "eidentity.business_households"};
    for (const char* id : kShown) {
      if (n.id() == id) out += CountLine(n);
    }
  }
  // Published figures no declared rounding reproduces.
  std::vector<std::string> flags;
  auto check = [&](const Figure& f) {
    if (f.has_published() && !f.published().reproduced()) {
      flags.push_back(
          absl::StrCat("  FLAG ", f.id(), ": published ", f.published().text(),
                       ", computed ", f.value().percent(), "% (",
                       RatioText(f.value().ratio()), ")",
                       f.published().note().empty()
                           ? ""
                           : absl::StrCat("; ", f.published().note()),
                       "\n"));
    }
  };
  check(c.total());
  for (const auto* list : {&c.blocks(), &c.block_groups(),
                           &report.public_services(), &report.project06()}) {
    for (const Figure& f : *list) check(f);
  }
  if (!flags.empty()) {
    out += "\nPublished figures no declared rounding reproduces:\n";
    for (const std::string& f : flags) out += f;
  }
  return out;
}

}  // namespace nq57::ctl
