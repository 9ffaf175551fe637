// SourceAdapter: turns one source's change records into rollup changes.
//
// One adapter per kind of source (criteria, publicservice, eidentity, and
// another aggregator for federation), declared below and defined in
// <kind>_rollup.cc. An adapter must be deterministic and use
// only the record and the RollupState (never wall-clock time or other
// services), so replaying a source from sequence 0 (Rebuild) reproduces the
// incremental state exactly. Records it does not know are ignored.
#ifndef NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_
#define NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "common/units/unit_registry.h"
#include "nq57/changes/v1/changes.pb.h"
#include "services/aggregator/rollup_state.h"

namespace nq57::aggregator {

// Adapters keep no state of their own (everything lives in the
// RollupState), so an adapter is a plain function.
using SourceAdapter = absl::Status (*)(const changes::v1::ChangeRecord& record,
                                       RollupState& state);

// "criteria", "publicservice", "eidentity" or "aggregator"; INVALID_ARGUMENT
// for anything else.
absl::StatusOr<SourceAdapter> SourceAdapterFor(std::string_view kind);

// criteria (criteria_rollup.cc). It mirrors each criterion (block, group,
// level, deadline, state) and each assignment (state, assign and complete
// times), and keeps, per province, in "at:" buckets by effective time
// (point_in_time.h):
//   criteria.<level>.<BLOCK>.<GROUP>.assigned   from assign_time
//   criteria.<level>.<BLOCK>.<GROUP>.completed  from complete_time
//     where level is "province" (the province and its agencies) or
//     "commune";
//   criteria.deadline.with_deadline (assign_time), .on_time / .late
//     (complete_time);
//   criteria.deadline.open in buckets "open:<deadline, RFC 3339 UTC>|at:<t>":
//     +1 at assign_time, -1 at complete_time, so the tasks open at as_of,
//     overdue or pending, are one range read;
// and per unit "criteria.unit.reported": one per progress report (an update
// of an assignment), at its complete_time if it completes the task, else
// when it was reported.
// Only ACTIVE criteria count. A change of a criterion's state, deadline,
// block or group moves the contributions of all its assignments (for all
// times: criteria metadata is not versioned in time).
absl::Status ApplyCriteriaChange(const changes::v1::ChangeRecord& record,
                                 RollupState& state);

// publicservice (publicservice_rollup.cc). Per province it keeps the measures
// of the public-service indicator catalogue
// (deploy/config/indicators/publicservice.textproto), named
// "publicservice.<code>", in "at:" buckets by effective time
// (point_in_time.h):
//   procedures_total / _full_process / _partial / _offline   stocks, from
//     each Procedure version's online level as of its level_effective_from
//     (a new version replaces the old one from then on);
//   every DossierCounts field (dossiers_received_online, ...)  flows, at the
//     first instant of the statistics' month, applied as new - previous so a
//     replaced report is not double-counted;
// plus "publicservice.unit.reported" per unit (statistics records held, by
// month).
absl::Status ApplyPublicServiceChange(const changes::v1::ChangeRecord& record,
                                      RollupState& state);

// eidentity (eidentity_rollup.cc). Per province it keeps the measures of the
// Project 06 catalogue (deploy/config/indicators/eidentity.textproto), named
// "eidentity.<code>", in "at:" buckets by effective time (00:00 Vietnam of the
// point's as-of date, point_in_time.h), from the
// "{unit}/metrics/{metric}/points/{date}" records:
//   STOCK metrics  each unit's value counts from its date until the unit's
//                  next report of the metric (a step: +change at the date,
//                  -change at the next one), so the sum at t is the sum of
//                  each unit's latest value on or before t. Each series is
//                  mirrored ("e/<unit>|<metric>|<day>") to find neighbours.
//   FLOW metrics   at their date (new - previous, so a replaced report is
//                  not double-counted).
// Coverage: "eidentity.unit.reported" per unit, one per point held.
absl::Status ApplyEidentityChange(const changes::v1::ChangeRecord& record,
                                  RollupState& state);

// aggregator (federation_rollup.cc), another aggregator's feed. An
// aggregator's change feed carries its measures (MeasureValue, new and
// previous). A national aggregator applies each as a delta to the same
// (scope, bucket, measure), so it holds every province's measures exactly
// once, with the same exactly-once rules as for data services.
absl::Status ApplyFederatedChange(const changes::v1::ChangeRecord& record,
                                  RollupState& state);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_
