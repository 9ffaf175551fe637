// ProcedureRequest: the CreateProcedureRequest tests send to make a
// procedure of a province's catalogue (statistics of a procedure must name
// one): a fully online land procedure in effect since 2025-01-01.
//
//   v1::CreateProcedureRequest create =
//       nq57::testing::ProcedureRequest("provinces/25", "1.1", "p-1");
#ifndef NQ57_TESTS_SUPPORT_PROCEDURE_REQUEST_H_
#define NQ57_TESTS_SUPPORT_PROCEDURE_REQUEST_H_

#include <string>
#include <utility>

#include "nq57/publicservice/v1/publicservice.pb.h"

namespace nq57::testing {

inline publicservice::v1::CreateProcedureRequest ProcedureRequest(
    std::string parent, const std::string& code, std::string request_id) {
  publicservice::v1::CreateProcedureRequest create;
  create.set_request_id(std::move(request_id));
  create.set_parent(std::move(parent));
  create.set_procedure_id(code);
  publicservice::v1::Procedure* p = create.mutable_procedure();
  p->set_display_name("Thủ tục " + code);
  p->set_field("land");
  p->set_online_level(publicservice::v1::FULL_PROCESS);
  p->mutable_level_effective_from()->set_year(2025);
  p->mutable_level_effective_from()->set_month(1);
  p->mutable_level_effective_from()->set_day(1);
  return create;
}

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_PROCEDURE_REQUEST_H_
