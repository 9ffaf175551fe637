// VerifyAggregates: recounts every aggregate from the raw records and
// compares with what the writes maintained incrementally (the property the
// tests check after random reports, replacements and level changes).
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {

absl::Status PublicServiceCore::VerifyAggregates() const {
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  AggregateDelta recount;
  absl::Status scan_error;
  RETURN_IF_ERROR(store_->Scan(
      kStats, "", "",
      [&](std::string_view key, std::string_view value) {
        v1::DossierStats s;
        KeyReader reader(key);
        std::string unit_name;
        uint64_t month;
        if (!s.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            !reader.String(&unit_name) || !reader.Uint64(&month)) {
          scan_error = absl::DataLossError("corrupt dossier statistics");
          return false;
        }
        const Unit* unit = units_->Find(unit_name);
        if (unit == nullptr) {
          scan_error = absl::DataLossError("statistics of an unknown unit");
          return false;
        }
        recount.AddMonth(*unit, month, s.counts(), 1);
        recount.AddReporter(*unit, month);
        return true;
      },
      snapshot.get()));
  RETURN_IF_ERROR(scan_error);
  RETURN_IF_ERROR(store_->Scan(
      kProcedures, "", "",
      [&](std::string_view, std::string_view value) {
        v1::Procedure p;
        if (!p.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          scan_error = absl::DataLossError("corrupt procedure");
          return false;
        }
        const Unit* unit = units_->Find(p.unit());
        if (unit == nullptr) {
          scan_error = absl::DataLossError("procedure of an unknown unit");
          return false;
        }
        AddHistory(*unit, p, 1, &recount);
        return true;
      },
      snapshot.get()));
  RETURN_IF_ERROR(scan_error);

  auto load = [&](const char* family,
                  std::map<std::string, std::string>* out) -> absl::Status {
    return store_->Scan(
        family, "", "",
        [&](std::string_view key, std::string_view value) {
          out->emplace(std::string(key), std::string(value));
          return true;
        },
        snapshot.get());
  };
  auto escape = [](const std::string& key) { return absl::CHexEscape(key); };

  std::map<std::string, std::string> stored;
  RETURN_IF_ERROR(load(kMonthTotals, &stored));
  if (stored.size() != recount.months().size()) {
    return absl::InternalError(
        absl::StrCat("month totals: ", stored.size(), " stored, ",
                     recount.months().size(), " recounted"));
  }
  for (const auto& [key, counts] : recount.months()) {
    auto it = stored.find(key);
    if (it == stored.end() || it->second != counts.SerializeAsString()) {
      return absl::InternalError(absl::StrCat("month totals differ at ",
                                              escape(key), ": recounted ",
                                              counts.ShortDebugString()));
    }
  }
  auto compare_counters =
      [&](const char* family,
          const std::map<std::string, int64_t>& want) -> absl::Status {
    std::map<std::string, std::string> have;
    RETURN_IF_ERROR(load(family, &have));
    size_t nonzero = 0;
    for (const auto& [key, n] : want) {
      if (n == 0) continue;
      ++nonzero;
      auto it = have.find(key);
      uint64_t raw = 0;
      if (it == have.end() || !DecodeUint64(it->second, &raw) ||
          static_cast<int64_t>(raw) != n) {
        return absl::InternalError(absl::StrCat(
            family, " differs at ", escape(key), ": recounted ", n));
      }
    }
    if (nonzero != have.size()) {
      return absl::InternalError(absl::StrCat(
          family, ": ", have.size(), " stored, ", nonzero, " recounted"));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(compare_counters(kReporters, recount.reporters()));
  RETURN_IF_ERROR(compare_counters(kCatalogDeltas, recount.catalog()));
  return absl::OkStatus();
}

}  // namespace nq57::publicservice
