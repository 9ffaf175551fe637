// The procedures section of a dataset (procedures.csv): the procedure
// catalogue with its online levels, shuffled by the seed.
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv/csv_writer.h"
#include "tools/dataset_gen/dataset_sections.h"

namespace nq57::dataset {
namespace {

struct FieldDef {
  const char* field;
  const char* vi;
  const char* agency;  // the Phú Thọ agency that owns it
};
constexpr FieldDef kFields[] = {
    {"science_technology", "Khoa học và công nghệ", "so-khcn"},
    {"finance", "Tài chính", "so-tc"},
    {"home_affairs", "Nội vụ", "so-nv"},
    {"justice", "Tư pháp", "so-tp"},
    {"construction", "Xây dựng", "so-xd"},
    {"health", "Y tế", "so-yt"},
    {"education", "Giáo dục và đào tạo", "so-gddt"},
    {"land", "Đất đai, nông nghiệp và môi trường", "so-nnmt"},
    {"industry_trade", "Công thương", "so-ct"},
    {"culture_tourism", "Văn hóa, thể thao và du lịch", "so-vhttdl"},
    {"ethnic_religion", "Dân tộc và tôn giáo", "so-dttg"},
    {"general", "Hành chính tổng hợp", "vp-ubnd"},
    {"inspection", "Thanh tra", "thanh-tra"},
    {"police", "Công an", "cong-an"}};

}  // namespace

std::string ProceduresCsv(std::string_view dataset, bool synthetic,
                          uint64_t seed, const Unit& province, int full,
                          int partial, int offline, bool by_agency,
                          SeededRandom& random) {
  std::vector<const char*> levels;
  levels.insert(levels.end(), full, "FULL_PROCESS");
  levels.insert(levels.end(), partial, "PARTIAL");
  levels.insert(levels.end(), offline, "OFFLINE");
  for (size_t i = levels.size(); i > 1; --i) {
    std::swap(levels[i - 1],
              levels[static_cast<size_t>(random.Uniform(0, i - 1))]);
  }
  std::string out =
      Header(dataset, synthetic, seed,
             absl::StrFormat(
                 "the procedure catalogue: %d procedures, %d full-process, "
                 "%d partial, %d offline",
                 levels.size(), full, partial, offline));
  AppendCsvRow(out, {"unit", "code", "display_name", "field", "online_level",
                     "essential", "level_effective_from"});
  constexpr int kFieldCount = sizeof(kFields) / sizeof(kFields[0]);
  for (size_t i = 0; i < levels.size(); ++i) {
    const FieldDef& f = kFields[i % kFieldCount];
    const std::string unit =
        by_agency ? absl::StrCat(province.name, "/agencies/", f.agency)
                  : province.name;
    const std::string code = absl::StrFormat("1.%06d", 1000 + 7 * i);
    AppendCsvRow(
        out,
        {unit, code, absl::StrFormat("%s: thủ tục %s", f.vi, code), f.field,
         levels[i], i % 40 == 0 ? "true" : "false", "2025-07-01"});
  }
  return out;
}

}  // namespace nq57::dataset
