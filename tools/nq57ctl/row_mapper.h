// Row mappers: how the rows of one dataset CSV file become RPCs of a data
// service. Each service's mapper (criteria_rows.h, publicservice_rows.h,
// eidentity_rows.h) describes its files as FileSpecs; DatasetLoader
// (dataset_loader.h) reads the files, cuts them into batches, sends them and
// reports what was rejected.
//
// A FileSpec and its `send` hold a stub shared by their copies and a pointer
// to the loader's Endpoints, which must outlive them. `send` is called from
// several threads at once (gRPC stubs are thread-safe).
//
//   FileSpec{.file = "procedures.csv",
//            .columns = {"unit", "code"},
//            .send = CreateSender(stub, &Stub::CreateProcedure, endpoints,
//                                 OneRow(CreateProcedureRequestOf))};
#ifndef NQ57_TOOLS_NQ57CTL_ROW_MAPPER_H_
#define NQ57_TOOLS_NQ57CTL_ROW_MAPPER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"
#include "tools/nq57ctl/endpoints.h"

namespace nq57::ctl {

// One item of a call: the rows it was built from (a snapshot spans several).
using RowGroup = std::vector<const CsvRow*>;
// The items of one call, in file order.
using Batch = std::vector<RowGroup>;

// What a service accepted of one batch.
struct BatchOutcome {
  // Items the service accepted (including replays of an earlier load).
  int64_t accepted = 0;
  // Items that already existed under another request (ALREADY_EXISTS on a
  // create), left unchanged.
  int64_t existing = 0;
};

// How the rows of one file become calls.
struct FileSpec {
  using Send = std::function<absl::StatusOr<BatchOutcome>(
      const Batch& batch, const std::string& request_id)>;

  std::string file;
  std::vector<std::string_view> columns;  // required
  // Consecutive rows with the same key form one item ("" key: one row each).
  std::function<std::string(const CsvRow&)> item_key;
  size_t batch_size = 1;
  // The repeated field of the batch request ("" for one item per call).
  std::string items_field;
  // Proto field names that are not CSV columns -> the column to blame.
  std::map<std::string, std::string, std::less<>> aliases;
  // Sends one batch under `request_id`.
  Send send;
};

// Builds the request of a batch (the row mapper proper).
template <typename Request>
using BuildRequest = std::type_identity_t<std::function<absl::StatusOr<Request>(
    const Batch& batch, const std::string& request_id)>>;

// The BuildRequest of a file sent one row a call.
template <typename Request>
BuildRequest<Request> OneRow(absl::StatusOr<Request> (*request_of)(
    const CsvRow& row, const std::string& request_id)) {
  return [request_of](const Batch& batch, const std::string& request_id) {
    return request_of(*batch[0][0], request_id);
  };
}

// A batch request: `request_id`, and per item of `batch` what `item_of`
// makes of its rows, added with `add` (e.g.
// &BatchReportProgressRequest::add_items). The first bad row is the error.
template <typename Request, typename Item>
absl::StatusOr<Request> BatchRequestOf(
    const Batch& batch, const std::string& request_id, Item* (Request::*add)(),
    const std::type_identity_t<
        std::function<absl::StatusOr<Item>(const RowGroup&)>>& item_of) {
  Request request;
  request.set_request_id(request_id);
  for (const RowGroup& rows : batch) {
    ASSIGN_OR_RETURN(*(request.*add)(), item_of(rows));
  }
  return request;
}

// A call that creates one resource: ALREADY_EXISTS counts it as existing.
template <typename Stub, typename Request, typename Response>
FileSpec::Send CreateSender(std::shared_ptr<Stub> stub,
                            Rpc<Stub, Request, Response> rpc,
                            const Endpoints* endpoints,
                            BuildRequest<Request> build) {
  return [=](const Batch& batch,
             const std::string& id) -> absl::StatusOr<BatchOutcome> {
    ASSIGN_OR_RETURN(Request request, build(batch, id));
    absl::StatusOr<Response> response = Call(*stub, rpc, *endpoints, request);
    if (response.status().code() == absl::StatusCode::kAlreadyExists) {
      return BatchOutcome{.existing = 1};
    }
    RETURN_IF_ERROR(response.status());
    return BatchOutcome{.accepted = 1};
  };
}

// A batch call: `accepted` reads from the response how many items it took
// (a function of the response, or one of its methods such as
// &BatchReportDossierStatsResponse::stats_size).
template <typename Stub, typename Request, typename Response>
FileSpec::Send BatchSender(
    std::shared_ptr<Stub> stub, Rpc<Stub, Request, Response> rpc,
    const Endpoints* endpoints, BuildRequest<Request> build,
    std::type_identity_t<std::function<int64_t(const Response&)>> accepted) {
  return [=](const Batch& batch,
             const std::string& id) -> absl::StatusOr<BatchOutcome> {
    ASSIGN_OR_RETURN(Request request, build(batch, id));
    ASSIGN_OR_RETURN(Response response, Call(*stub, rpc, *endpoints, request));
    return BatchOutcome{.accepted = accepted(response)};
  };
}

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_ROW_MAPPER_H_
