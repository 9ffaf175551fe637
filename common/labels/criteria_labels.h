// CriteriaLabels: the names of the criteria blocks, groups and levels, as
// versioned reference data (deploy/config/labels/criteria.csv) instead of
// code.
//
// File: a "# version: X" line, then the columns kind,id,label_vi,label_en,
// phrase_vi, one row per
//   total  ALL                    the label of all blocks together;
//   level  PROVINCE, COMMUNE      the suffix of a block's per-level figures;
//   block  every nq57.criteria.v1.Block but BLOCK_UNSPECIFIED;
//   group  every nq57.criteria.v1.Group but GROUP_UNSPECIFIED.
// label_vi and label_en are what reports print; phrase_vi is the form used
// inside a sentence (generated criterion titles), required for blocks and
// groups. Load() checks that each of these appears exactly once, with
// non-empty labels, and nothing else; errors name the file and line.
// Blocks and groups are listed in enum order, whatever the file's order.
//
// Used by the aggregator's report builder (report labels; the version goes
// into Report.config_versions["labels"]) and by tools/dataset_gen, which is
// why it lives in common/ and not in services/aggregator/.
//
// Immutable once loaded: thread-safe.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CriteriaLabels> labels,
//                    CriteriaLabels::LoadFromConfig("deploy/config"));
//   for (const CriteriaLabel& b : labels->blocks()) std::cout << b.vi;
#ifndef NQ57_COMMON_LABELS_CRITERIA_LABELS_H_
#define NQ57_COMMON_LABELS_CRITERIA_LABELS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nq57 {

class CsvTable;

struct CriteriaLabel {
  std::string id;      // "PARTY", "DATA", "PROVINCE", "ALL"
  std::string vi;      // "Khối Đảng"
  std::string en;      // "Party block"
  std::string phrase;  // "khối Đảng" (blocks and groups)
};

class CriteriaLabels {
 public:
  // <config_dir>/labels/criteria.csv.
  static absl::StatusOr<std::unique_ptr<CriteriaLabels>> LoadFromConfig(
      std::string_view config_dir);
  static absl::StatusOr<std::unique_ptr<CriteriaLabels>> Load(
      const std::string& path);
  // The same over CSV text (`source` names it in errors).
  static absl::StatusOr<std::unique_ptr<CriteriaLabels>> Parse(
      std::string_view text, std::string_view source);

  const std::string& version() const { return version_; }
  const CriteriaLabel& total() const { return total_; }
  const CriteriaLabel& province_level() const { return province_level_; }
  const CriteriaLabel& commune_level() const { return commune_level_; }
  // In enum order (PARTY, COUNCIL, GOVERNMENT, FRONT).
  const std::vector<CriteriaLabel>& blocks() const { return blocks_; }
  // In enum order (INSTITUTIONS ... DIRECTION).
  const std::vector<CriteriaLabel>& groups() const { return groups_; }

  // The block or group with `id`, or nullptr.
  const CriteriaLabel* FindBlock(std::string_view id) const;
  const CriteriaLabel* FindGroup(std::string_view id) const;

 private:
  static absl::StatusOr<std::unique_ptr<CriteriaLabels>> FromTable(
      const CsvTable& table);

  std::string version_;
  CriteriaLabel total_, province_level_, commune_level_;
  std::vector<CriteriaLabel> blocks_;
  std::vector<CriteriaLabel> groups_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_LABELS_CRITERIA_LABELS_H_
