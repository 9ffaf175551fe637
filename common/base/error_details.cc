#include "common/base/error_details.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/quote.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"

namespace nq57 {

absl::Status WithDetail(absl::Status status,
                        const google::protobuf::Message& detail) {
  status.SetPayload(
      absl::StrCat("type.googleapis.com/", detail.GetDescriptor()->full_name()),
      absl::Cord(detail.SerializeAsString()));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo retry;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  retry.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  retry.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1000000000));
  return WithDetail(std::move(status), retry);
}

absl::Status NotFoundResource(std::string_view resource_type,
                              std::string_view resource_name,
                              std::string_view description) {
  google::rpc::ResourceInfo info;
  info.set_resource_type(std::string(resource_type));
  info.set_resource_name(QuotePrefix(resource_name));
  info.set_description(std::string(description));
  return WithDetail(absl::NotFoundError(AbslView(description)), info);
}

absl::Status PreconditionError(std::string_view type, std::string_view subject,
                               std::string_view description) {
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type(std::string(type));
  v->set_subject(QuotePrefix(subject));
  v->set_description(std::string(description));
  return WithDetail(absl::FailedPreconditionError(AbslView(description)),
                    failure);
}

}  // namespace nq57
