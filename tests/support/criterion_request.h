// CriterionRequest: the CreateCriterionRequest process tests send to a real
// criteria-server: a commune-level criterion of a provincial plan
// (Government block, Data group), valid against the shipped config.
//
//   v1::CreateCriterionRequest create = nq57::testing::CriterionRequest(
//       "PT-GOV-DATA-001", "Cơ sở dữ liệu đất đai", "create-1");
#ifndef NQ57_TESTS_SUPPORT_CRITERION_REQUEST_H_
#define NQ57_TESTS_SUPPORT_CRITERION_REQUEST_H_

#include <string>
#include <utility>

#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57::testing {

inline criteria::v1::CreateCriterionRequest CriterionRequest(
    std::string code, std::string title, std::string request_id) {
  criteria::v1::CreateCriterionRequest create;
  create.set_request_id(std::move(request_id));
  criteria::v1::Criterion* c = create.mutable_criterion();
  c->set_code(std::move(code));
  c->set_title(std::move(title));
  c->set_source(criteria::v1::PROVINCIAL_PLAN);
  c->set_source_reference("123/KH-UBND");
  c->set_block(criteria::v1::GOVERNMENT);
  c->set_group(criteria::v1::DATA);
  c->set_level(common::v1::COMMUNE);
  return create;
}

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_CRITERION_REQUEST_H_
