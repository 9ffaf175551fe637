// PublishedFigures: the figures a province published
// (deploy/config/published/figures.csv, versioned CSV
// province,period,figure,text[,note]), and the check of a report's figure
// against them: which declared rounding modes reproduce the published text
// from the exact ratio, or a flag that none does.
//
// Immutable once loaded: thread-safe.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<PublishedFigures> published,
//                    PublishedFigures::Load("deploy/config/published/figures.csv"));
//   CheckPublished(published.get(), "provinces/25", "2025-10", figure);
#ifndef NQ57_SERVICES_AGGREGATOR_PUBLISHED_FIGURES_H_
#define NQ57_SERVICES_AGGREGATOR_PUBLISHED_FIGURES_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nq57/aggregator/v1/aggregator.pb.h"

namespace nq57::aggregator {

class PublishedFigures {
 public:
  // INVALID_ARGUMENT naming the file and line for a missing column or a
  // figure published twice.
  static absl::StatusOr<std::unique_ptr<PublishedFigures>> Load(
      const std::string& path);
  struct Entry {
    std::string text;  // as printed, e.g. "98,7"
    std::string note;
  };
  // The entry of (province, period, figure id), or nullptr.
  const Entry* Find(std::string_view province, std::string_view period,
                    std::string_view figure) const;
  const std::string& version() const { return version_; }

 private:
  std::string version_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Fills figure.published when `published` (may be null) has an entry for
// the figure: its text and note, the rounding modes that reproduce the text
// from figure.value's ratio, and whether any does. A text that is not a
// percentage is noted, not an error; a figure with nothing to divide by
// keeps only text and note.
void CheckPublished(const PublishedFigures* published,
                    std::string_view province, std::string_view period,
                    v1::Figure& figure);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_PUBLISHED_FIGURES_H_
