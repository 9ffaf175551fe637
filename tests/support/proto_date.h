// ProtoDate: a nq57.common.v1.Date with exactly the given fields, for tests.
//
// Unlike common/time's ToProtoDate(CivilDay) it does not normalise, so a test
// can build an invalid date (2025-02-30) to check that it is rejected.
// Header only (in nq57_test_support); a pure function.
#ifndef NQ57_TESTS_SUPPORT_PROTO_DATE_H_
#define NQ57_TESTS_SUPPORT_PROTO_DATE_H_

#include "nq57/common/v1/period.pb.h"

namespace nq57::testing {

inline common::v1::Date ProtoDate(int year, int month, int day) {
  common::v1::Date out;
  out.set_year(year);
  out.set_month(month);
  out.set_day(day);
  return out;
}

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_PROTO_DATE_H_
