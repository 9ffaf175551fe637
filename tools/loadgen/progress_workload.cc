#include "tools/loadgen/progress_workload.h"

#include <random>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/server/grpc_status.h"
#include "common/time/proto_time.h"
#include "grpcpp/client_context.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"

namespace nq57::loadgen {
namespace {

using criteria::v1::CriteriaService;

std::unique_ptr<grpc::ClientContext> ContextFor(std::string_view actor) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context->AddMetadata("x-nq57-actor", std::string(actor));
  return context;
}

}  // namespace

absl::StatusOr<ProgressWorkload> ProgressWorkload::Discover(
    const std::shared_ptr<grpc::Channel>& channel, std::string_view actor,
    std::string_view unit_prefix, size_t max_assignments, uint64_t seed) {
  std::unique_ptr<CriteriaService::Stub> stub =
      CriteriaService::NewStub(channel);
  std::vector<std::string> criteria;
  criteria::v1::ListCriteriaRequest list;
  list.set_page_size(1000);
  do {
    criteria::v1::ListCriteriaResponse page;
    RETURN_IF_ERROR(FromGrpcStatus(
        stub->ListCriteria(ContextFor(actor).get(), list, &page)));
    for (const auto& c : page.criteria()) {
      criteria.push_back(absl::StrCat("criteria/", c.code()));
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  std::vector<Target> targets;
  for (const std::string& criterion : criteria) {
    criteria::v1::ListAssignmentsRequest req;
    req.set_criterion(criterion);
    req.set_page_size(1000);
    do {
      criteria::v1::ListAssignmentsResponse page;
      RETURN_IF_ERROR(FromGrpcStatus(
          stub->ListAssignments(ContextFor(actor).get(), req, &page)));
      for (const auto& a : page.assignments()) {
        if (!absl::StartsWith(a.unit(), AbslView(unit_prefix))) continue;
        if (targets.size() >= max_assignments) break;
        targets.push_back({a.name(), FromProtoTime(a.assign_time())});
      }
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && targets.size() < max_assignments);
    if (targets.size() >= max_assignments) break;
  }
  if (targets.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the server holds no assignments", unit_prefix.empty() ? "" : " under ",
        AbslView(unit_prefix), " (load a dataset first: nq57ctl load)"));
  }
  // Unique to this run, so no call replays an earlier run's request.
  const std::string run_id = absl::StrCat(
      "loadgen-", absl::ToUnixNanos(absl::Now()) ^ static_cast<int64_t>(seed));
  return ProgressWorkload(std::move(targets), seed, run_id, absl::Now());
}

ProgressWorkload::ProgressWorkload(std::vector<Target> targets, uint64_t seed,
                                   std::string run_id, absl::Time now)
    : targets_(std::move(targets)),
      seed_(seed),
      run_id_(std::move(run_id)),
      now_(now) {}

std::string ProgressWorkload::Request(uint64_t n) const {
  std::mt19937_64 rng(seed_ ^ (n * 0x9E3779B97F4A7C15ull));
  const Target& target = targets_[rng() % targets_.size()];
  criteria::v1::ReportProgressRequest request;
  request.set_request_id(absl::StrCat(run_id_, "-", n));
  criteria::v1::ProgressReport* report = request.mutable_report();
  report->set_assignment(target.assignment);
  if (rng() % 10 < 6) {
    report->set_state(criteria::v1::COMPLETED);
    // Whole seconds, never before the assignment (not even by its nanos).
    const int64_t from = absl::ToUnixSeconds(
        absl::UnixEpoch() +
        absl::Ceil(target.assign_time - absl::UnixEpoch(), absl::Seconds(1)));
    const int64_t to = std::max(from, absl::ToUnixSeconds(now_) - 1);
    const int64_t at = from + static_cast<int64_t>(
                                  rng() % static_cast<uint64_t>(to - from + 1));
    report->mutable_complete_time()->set_seconds(at);
    report->mutable_evidence()->set_document_number(
        absl::StrCat(rng() % 900 + 100, "/QĐ-UBND"));
  } else {
    report->set_state(criteria::v1::IN_PROGRESS);
  }
  report->set_reporter("nq57-loadgen");
  report->set_note(absl::StrCat("load test call ", n));
  return request.SerializeAsString();
}

}  // namespace nq57::loadgen
