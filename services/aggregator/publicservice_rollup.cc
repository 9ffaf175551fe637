#include "services/aggregator/publicservice_rollup.h"

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {
namespace {

using publicservice::v1::DossierCounts;
using publicservice::v1::DossierStats;
using publicservice::v1::Procedure;

constexpr char kSource[] = "publicservice";

std::string Measure(std::string_view code) {
  return measures::SourceMeasure(kSource, code);
}

absl::Status AddProcedure(const Procedure& p, int sign, RollupState& state) {
  const std::string province(ProvinceOf(p.unit()));
  if (province.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(
      state.AddMeasure({province, "", Measure("procedures_total")}, sign));
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
  return state.AddMeasure({province, "", Measure(level)}, sign);
}

absl::Status AddCounts(const DossierStats& s, int sign, RollupState& state) {
  const std::string province(ProvinceOf(s.unit()));
  if (province.empty() || s.period().month().empty()) return absl::OkStatus();
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
    RETURN_IF_ERROR(state.AddMeasure(
        {province, s.period().month(), Measure(field->name())}, sign * value));
  }
  return CountReporting(kSource, s.unit(), sign, state);
}

template <typename T>
bool Unpack(const google::protobuf::Any& any, T* out) {
  return any.Is<T>() && any.UnpackTo(out);
}

}  // namespace

absl::Status CountReporting(std::string_view source, std::string_view unit,
                            int delta, RollupState& state) {
  const std::string unit_measure = measures::UnitReported(source);
  ASSIGN_OR_RETURN(int64_t before,
                   state.GetMeasure({std::string(unit), "", unit_measure}));
  RETURN_IF_ERROR(
      state.AddMeasure({std::string(unit), "", unit_measure}, delta));
  const int64_t after = before + delta;
  if (unit.find("/communes/") == std::string_view::npos)
    return absl::OkStatus();
  const std::string province(ProvinceOf(unit));
  const std::string units = measures::UnitsReporting(source);
  if (before <= 0 && after > 0) {
    return state.AddMeasure({province, "", units}, 1);
  }
  if (before > 0 && after <= 0) {
    return state.AddMeasure({province, "", units}, -1);
  }
  return absl::OkStatus();
}

absl::Status PublicServiceRollup::Apply(const changes::v1::ChangeRecord& record,
                                        RollupState& state) const {
  // Each record is a Procedure or a DossierStats; apply it as
  // -previous +new.
  Procedure p_old, p_new;
  DossierStats s_old, s_new;
  if (Unpack(record.previous_value(), &p_old)) {
    RETURN_IF_ERROR(AddProcedure(p_old, -1, state));
  } else if (Unpack(record.previous_value(), &s_old)) {
    RETURN_IF_ERROR(AddCounts(s_old, -1, state));
  }
  if (Unpack(record.new_value(), &p_new)) {
    RETURN_IF_ERROR(AddProcedure(p_new, +1, state));
  } else if (Unpack(record.new_value(), &s_new)) {
    RETURN_IF_ERROR(AddCounts(s_new, +1, state));
  }
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
