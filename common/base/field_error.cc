#include "common/base/field_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "google/rpc/error_details.pb.h"

namespace nq57 {
namespace {

absl::Status BuildStatus(
    const std::vector<FieldViolation>& violations, std::string message,
    absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  absl::Status status(code, message);
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::string MessageFor(const std::vector<FieldViolation>& violations) {
  std::string message =
      absl::StrCat(violations[0].field, ": ", violations[0].description);
  if (violations.size() > 1) {
    absl::StrAppend(&message, " (and ", violations.size() - 1,
                    " more field errors)");
  }
  return message;
}

}  // namespace

absl::Status InvalidFieldError(std::string_view field,
                               std::string_view description) {
  std::vector<FieldViolation> one = {
      {std::string(field), std::string(description)}};
  return BuildStatus(one, MessageFor(one));
}

void FieldErrors::Add(std::string_view field, std::string_view description) {
  violations_.push_back({std::string(field), std::string(description)});
}

void FieldErrors::Add(const absl::Status& status) {
  if (status.ok()) return;
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) {
    Add("", std::string(status.message()));
    return;
  }
  for (FieldViolation& v : violations) violations_.push_back(std::move(v));
}

absl::Status FieldErrors::ToStatus(absl::StatusCode code) const {
  if (violations_.empty()) return absl::OkStatus();
  return BuildStatus(violations_, MessageFor(violations_), code);
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return out;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& v : bad_request.field_violations()) {
    out.push_back({v.field(), v.description()});
  }
  return out;
}

absl::Status PrefixFields(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) {
    // "items[3]: no assignment ..." (the path, then what is wrong), with
    // the status's details kept.
    std::string_view path = prefix;
    while (!path.empty() &&
           (path.back() == '.' || path.back() == ' ' || path.back() == ':')) {
      path.remove_suffix(1);
    }
    absl::Status out(status.code(),
                     absl::StrCat(AbslView(path), ": ", status.message()));
    status.ForEachPayload(
        [&out](absl::string_view type_url, const absl::Cord& payload) {
          out.SetPayload(type_url, payload);
        });
    return out;
  }
  for (FieldViolation& v : violations)
    v.field = absl::StrCat(AbslView(prefix), v.field);
  return BuildStatus(violations, MessageFor(violations));
}

}  // namespace nq57
