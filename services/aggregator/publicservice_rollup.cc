#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "google/protobuf/descriptor.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/point_in_time.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {
namespace {

using publicservice::v1::DossierCounts;
using publicservice::v1::DossierStats;
using publicservice::v1::Procedure;

constexpr char kSource[] = "publicservice";

std::string Measure(std::string_view code) {
  return measures::SourceMeasure(kSource, code);
}

// When a procedure version took effect: its level_effective_from, else when
// it was written.
absl::Time EffectiveTime(const Procedure& p,
                         const changes::v1::ChangeRecord& record) {
  if (IsSet(p.level_effective_from())) {
    return StartOfDay(FromProtoDate(p.level_effective_from()));
  }
  if (IsSet(p.update_time())) return FromProtoTime(p.update_time());
  if (IsSet(p.create_time())) return FromProtoTime(p.create_time());
  return FromProtoTime(record.commit_time());
}

absl::Status AddProcedure(const Procedure& p, int sign, absl::Time when,
                          RollupState& state) {
  const std::string province(ProvinceOf(p.unit()));
  if (province.empty()) return absl::OkStatus();
  const std::string at = AtBucket(when);
  RETURN_IF_ERROR(
      state.AddMeasure({province, at, Measure("procedures_total")}, sign));
  const char* level = nullptr;
  switch (p.online_level()) {
    case publicservice::v1::FULL_PROCESS:
      level = "procedures_full_process";
      break;
    case publicservice::v1::PARTIAL:
      level = "procedures_partial";
      break;
    case publicservice::v1::OFFLINE:
      level = "procedures_offline";
      break;
    default:
      return absl::OkStatus();
  }
  return state.AddMeasure({province, at, Measure(level)}, sign);
}

absl::Status AddCounts(const DossierStats& s, int sign, RollupState& state) {
  const std::string province(ProvinceOf(s.unit()));
  absl::CivilMonth month;
  if (province.empty() || !absl::ParseCivilTime(s.period().month(), &month)) {
    return absl::OkStatus();
  }
  // A month's statistics take effect at its first instant.
  const absl::Time when = StartOfDay(absl::CivilDay(month));
  const std::string at = AtBucket(when);
  // Every int64 field of DossierCounts is the measure of the same name.
  const DossierCounts& counts = s.counts();
  const google::protobuf::Reflection* reflection = counts.GetReflection();
  const google::protobuf::Descriptor* descriptor = counts.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
      continue;
    }
    const int64_t value = reflection->GetInt64(counts, field);
    RETURN_IF_ERROR(
        state.AddMeasure({province, at, Measure(field->name())}, sign * value));
  }
  return RecordReport(kSource, s.unit(), when, sign, state);
}

template <typename T>
bool Unpack(const google::protobuf::Any& any, T* out) {
  return any.Is<T>() && any.UnpackTo(out);
}

}  // namespace

absl::Status ApplyPublicServiceChange(const changes::v1::ChangeRecord& record,
                                      RollupState& state) {
  // Each record is a Procedure or a DossierStats; apply it as
  // -previous +new.
  Procedure p_old, p_new;
  DossierStats s_old, s_new;
  const bool had_procedure = Unpack(record.previous_value(), &p_old);
  const bool has_procedure = Unpack(record.new_value(), &p_new);
  if (had_procedure || has_procedure) {
    // A new version replaces the old one from the time it takes effect (never
    // before the old one did): the old version still counts before then.
    absl::Time when = has_procedure ? EffectiveTime(p_new, record)
                                    : FromProtoTime(record.commit_time());
    if (had_procedure) when = std::max(when, EffectiveTime(p_old, record));
    if (had_procedure) RETURN_IF_ERROR(AddProcedure(p_old, -1, when, state));
    if (has_procedure) RETURN_IF_ERROR(AddProcedure(p_new, +1, when, state));
    return absl::OkStatus();
  }
  if (Unpack(record.previous_value(), &s_old)) {
    RETURN_IF_ERROR(AddCounts(s_old, -1, state));
  }
  if (Unpack(record.new_value(), &s_new)) {
    RETURN_IF_ERROR(AddCounts(s_new, +1, state));
  }
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
