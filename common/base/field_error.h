// Errors that name the request field at fault.
//
// Every INVALID_ARGUMENT an nq57 service returns says which field is wrong,
// as google.rpc.BadRequest field violations (AIP-193). Inside the services the
// violations ride on the absl::Status as a payload under the BadRequest type
// URL; the gRPC adapter (common/server/grpc_status.h) turns them into the
// status details a client reads with grpc::ExtractErrorDetails.
//
//   if (req.completed() > req.assigned())
//     return InvalidFieldError("completed", "must not exceed assigned");
//
//   FieldErrors errors;
//   errors.Add("items[3].unit", "unknown unit");
//   RETURN_IF_ERROR(errors.ToStatus());
#ifndef NQ57_COMMON_BASE_FIELD_ERROR_H_
#define NQ57_COMMON_BASE_FIELD_ERROR_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace nq57 {

// The type URL under which BadRequest details are attached to a Status.
inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

struct FieldViolation {
  std::string field;        // path in the request, e.g. "items[3].unit"
  std::string description;  // what is wrong with it
};

// INVALID_ARGUMENT with one field violation; the message reads
// "<field>: <description>".
absl::Status InvalidFieldError(std::string_view field,
                               std::string_view description);

// Collects violations so a request can report all its bad fields at once.
class FieldErrors {
 public:
  void Add(std::string_view field, std::string_view description);
  // Adds the violations `status` carries (nothing if OK; a status without
  // field violations is added under its message, field "").
  void Add(const absl::Status& status);
  bool empty() const { return violations_.empty(); }
  // OK when nothing was added; otherwise `code` (INVALID_ARGUMENT, or e.g.
  // PERMISSION_DENIED for fields out of the caller's scope) carrying every
  // violation (the message names the first and counts the rest).
  absl::Status ToStatus(
      absl::StatusCode code = absl::StatusCode::kInvalidArgument) const;

 private:
  std::vector<FieldViolation> violations_;
};

// The field violations carried by `status` (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// Returns `status` with every violation's field prefixed by `prefix` (e.g.
// "items[3]."), so a batch can report which item failed. Non-field errors get
// the prefix in their message.
absl::Status PrefixFields(const absl::Status& status, std::string_view prefix);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_FIELD_ERROR_H_
