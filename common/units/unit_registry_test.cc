#include "common/units/unit_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/base/field_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

using ::testing::HasSubstr;

const std::string kShippedConfig =
    std::string(NQ57_SOURCE_DIR) + "/deploy/config";

// The shipped registry, loaded once for the tests that only read it.
const UnitRegistry& Shipped() {
  static const UnitRegistry* const registry = [] {
    absl::StatusOr<std::unique_ptr<UnitRegistry>> loaded =
        UnitRegistry::Load(kShippedConfig);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? loaded->release() : nullptr;
  }();
  if (registry == nullptr) std::abort();
  return *registry;
}

TEST(ShippedUnitsTest, CountsAndVersion) {
  const UnitRegistry& units = Shipped();
  EXPECT_EQ(units.version(), "units-2025-07-01");
  EXPECT_EQ(units.provinces().size(), 34u);
  EXPECT_EQ(units.Children("", UnitLevel::kProvince), units.provinces());
  size_t communes = 0;
  std::map<std::string, int> by_type;
  for (const Unit* province : units.provinces()) {
    EXPECT_EQ(province->level, UnitLevel::kProvince);
    EXPECT_EQ(province->parent, "");
    ++by_type[province->type];
    for (const Unit* commune :
         units.Children(province->name, UnitLevel::kCommune)) {
      EXPECT_EQ(commune->parent, province->name);
      ++by_type[commune->type];
      ++communes;
    }
  }
  EXPECT_EQ(communes, 3321u);
  EXPECT_EQ(by_type["thanh_pho"], 6);
  EXPECT_EQ(by_type["tinh"], 28);
  EXPECT_EQ(by_type["xa"], 2621);
  EXPECT_EQ(by_type["phuong"], 687);
  EXPECT_EQ(by_type["dac_khu"], 13);
  EXPECT_EQ(units.size(), 34u + 3321u + 14u);
}

TEST(ShippedUnitsTest, PhuTho) {
  const UnitRegistry& units = Shipped();
  const absl::StatusOr<const Unit*> phu_tho = units.Lookup("provinces/25");
  ASSERT_TRUE(phu_tho.ok()) << phu_tho.status();
  EXPECT_EQ((*phu_tho)->code, "25");
  EXPECT_EQ((*phu_tho)->display_name, "Phú Thọ");
  EXPECT_EQ((*phu_tho)->official_name, "Tỉnh Phú Thọ");
  EXPECT_EQ((*phu_tho)->type, "tinh");

  const std::vector<const Unit*> communes =
      units.Children("provinces/25", UnitLevel::kCommune);
  ASSERT_EQ(communes.size(), 148u);
  int phuong = 0;
  for (const Unit* commune : communes) phuong += commune->type == "phuong";
  EXPECT_EQ(phuong, 15);
  // The official order, not sorted by code.
  EXPECT_EQ(communes[0]->name, "provinces/25/communes/07900");
  EXPECT_EQ(communes[1]->code, "07894");
  EXPECT_EQ(communes[2]->display_name, "Thanh Miếu");
}

TEST(ShippedUnitsTest, VietTri) {
  const Unit* viet_tri = Shipped().Find("provinces/25/communes/07900");
  ASSERT_NE(viet_tri, nullptr);
  EXPECT_EQ(viet_tri->name, "provinces/25/communes/07900");
  EXPECT_EQ(viet_tri->code, "07900");
  EXPECT_EQ(viet_tri->display_name, "Việt Trì");
  EXPECT_EQ(viet_tri->official_name, "Phường Việt Trì");
  EXPECT_EQ(viet_tri->type, "phuong");
  EXPECT_EQ(viet_tri->level, UnitLevel::kCommune);
  EXPECT_EQ(viet_tri->parent, "provinces/25");
  EXPECT_TRUE(Shipped().Children(viet_tri->name, UnitLevel::kCommune).empty());
}

TEST(ShippedUnitsTest, Agencies) {
  const UnitRegistry& units = Shipped();
  const Unit* science = units.Find("provinces/25/agencies/so-khcn");
  ASSERT_NE(science, nullptr);
  EXPECT_EQ(science->display_name, "Sở Khoa học và Công nghệ");
  EXPECT_EQ(science->type, "agency");
  EXPECT_EQ(science->level, UnitLevel::kAgency);
  EXPECT_EQ(science->parent, "provinces/25");
  const std::vector<const Unit*> agencies =
      units.Children("provinces/25", UnitLevel::kAgency);
  EXPECT_EQ(agencies.size(), 14u);
  std::set<std::string> names;
  for (const Unit* agency : agencies) names.insert(agency->display_name);
  EXPECT_TRUE(names.contains("Sở Văn hóa, Thể thao và Du lịch"));
  EXPECT_TRUE(names.contains("Công an tỉnh"));
}

TEST(ShippedUnitsTest, OtherProvinces) {
  const UnitRegistry& units = Shipped();
  EXPECT_EQ(units.Children("provinces/01", UnitLevel::kCommune).size(), 126u);
  EXPECT_EQ(units.Children("provinces/79", UnitLevel::kCommune).size(), 168u);
  EXPECT_EQ(units.Find("provinces/01")->display_name, "Hà Nội");
  EXPECT_EQ(units.Find("provinces/01/communes/00070")->display_name,
            "Hoàn Kiếm");
}

TEST(ShippedUnitsTest, UnknownNames) {
  const UnitRegistry& units = Shipped();
  EXPECT_EQ(units.Find("provinces/99"), nullptr);
  EXPECT_EQ(units.Find(""), nullptr);
  // Hoàn Kiếm belongs to Hà Nội, not Phú Thọ.
  EXPECT_EQ(units.Find("provinces/25/communes/00070"), nullptr);
  const absl::StatusOr<const Unit*> missing =
      units.Lookup("provinces/25/communes/99999");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "unknown unit \"provinces/25/communes/99999\"");
  EXPECT_TRUE(units.Children("provinces/99", UnitLevel::kCommune).empty());
}

TEST(ShippedUnitsTest, ConcurrentReads) {
  const UnitRegistry& units = Shipped();
  std::vector<std::thread> readers;
  std::vector<size_t> found(4, 0);
  for (size_t t = 0; t < found.size(); ++t) {
    readers.emplace_back([&units, &found, t] {
      for (int i = 0; i < 50; ++i) {
        for (const Unit* province : units.provinces()) {
          for (const Unit* commune :
               units.Children(province->name, UnitLevel::kCommune)) {
            found[t] += units.Find(commune->name) == commune;
          }
        }
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  for (size_t count : found) EXPECT_EQ(count, 50u * 3321u);
}

// A deployment bound to one province refuses writes for any other, naming
// the field and the province; reads and an unbound registry accept all.
TEST(DeploymentProvinceTest, WritesOutsideTheProvinceNameFieldAndProvince) {
  auto bound = UnitRegistry::Load(kShippedConfig, {.province = "provinces/25"});
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ((*bound)->deployment_province(), "provinces/25");
  auto inside = (*bound)->LookupForWrite("provinces/25/communes/07900", "unit");
  ASSERT_TRUE(inside.ok()) << inside.status();
  EXPECT_EQ((*inside)->name, "provinces/25/communes/07900");
  EXPECT_TRUE((*bound)->LookupForWrite("provinces/25", "unit").ok());

  const std::string hanoi_commune =
      Shipped().Children("provinces/01", UnitLevel::kCommune)[0]->name;
  const absl::Status outside =
      (*bound)->LookupForWrite(hanoi_commune, "items[3].unit").status();
  EXPECT_EQ(outside.code(), absl::StatusCode::kInvalidArgument);
  const std::vector<FieldViolation> v = FieldViolationsOf(outside);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "items[3].unit");
  EXPECT_THAT(v[0].description, ::testing::HasSubstr("provinces/25"));
  EXPECT_EQ((*bound)->LookupForWrite("provinces/01", "unit").status().code(),
            absl::StatusCode::kInvalidArgument);
  // Unknown stays NOT_FOUND; reads are not bound.
  EXPECT_EQ((*bound)
                ->LookupForWrite("provinces/25/communes/99999", "unit")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE((*bound)->Lookup(hanoi_commune).ok());
  // Unbound: the whole country.
  EXPECT_TRUE(Shipped().LookupForWrite(hanoi_commune, "unit").ok());
  // The province must be one of the files'.
  EXPECT_EQ(UnitRegistry::Load(kShippedConfig, {.province = "provinces/99"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UnitLevelNameTest, Names) {
  EXPECT_EQ(UnitLevelName(UnitLevel::kProvince), "province");
  EXPECT_EQ(UnitLevelName(UnitLevel::kCommune), "commune");
  EXPECT_EQ(UnitLevelName(UnitLevel::kAgency), "agency");
}

// Small unit files in a fresh directory, one test each.
class UnitFilesTest : public ::testing::Test {
 protected:
  static constexpr char kProvinces[] =
      "# version: test-1\n"
      "code,name,official_name,type,commune_count\n"
      "01,Hà Nội,Thành phố Hà Nội,thanh_pho,1\n"
      "25,Phú Thọ,Tỉnh Phú Thọ,tinh,2\n";
  static constexpr char kCommunes[] =
      "# version: test-1\n"
      "code,name,official_name,type,province_code\n"
      "00070,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n"
      "07900,Việt Trì,Phường Việt Trì,phuong,25\n"
      "07894,Nông Trang,Phường Nông Trang,phuong,25\n";
  static constexpr char kAgencies[] =
      "# version: test-1\n"
      "# codes are local\n"
      "code,name,province_code\n"
      "so-khcn,Sở Khoa học và Công nghệ,25\n";

  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("unit_registry_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "units");
    Write("provinces.csv", kProvinces);
    Write("communes.csv", kCommunes);
    Write("agencies.csv", kAgencies);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / "units" / file, std::ios::binary) << text;
  }

  std::string PathOf(const std::string& file) const {
    return (dir_ / "units" / file).string();
  }

  // The error message of loading the directory ("" if it loads).
  std::string LoadError() const {
    absl::StatusOr<std::unique_ptr<UnitRegistry>> registry =
        UnitRegistry::Load(dir_.string());
    if (registry.ok()) return "";
    EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(registry.status().message());
  }

  std::filesystem::path dir_;
};

TEST_F(UnitFilesTest, LoadsValidFiles) {
  absl::StatusOr<std::unique_ptr<UnitRegistry>> registry =
      UnitRegistry::Load(dir_.string());
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ((*registry)->version(), "test-1");
  EXPECT_EQ((*registry)->size(), 6u);
  const std::vector<const Unit*> communes =
      (*registry)->Children("provinces/25", UnitLevel::kCommune);
  ASSERT_EQ(communes.size(), 2u);
  EXPECT_EQ(communes[0]->code, "07900");
  EXPECT_EQ(communes[1]->code, "07894");
}

TEST_F(UnitFilesTest, MalformedFileNamesFileAndLine) {
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "00070,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n"
        "07900,Việt Trì,phuong,25\n");
  EXPECT_EQ(LoadError(),
            PathOf("communes.csv") + ":4: expected 5 fields, got 4");
}

TEST_F(UnitFilesTest, UnknownParentNamesTheLine) {
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "00070,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n"
        "07900,Việt Trì,Phường Việt Trì,phuong,26\n");
  EXPECT_EQ(LoadError(), PathOf("communes.csv") +
                             ":4: unknown province \"26\" (not in " +
                             PathOf("provinces.csv") + ")");
}

TEST_F(UnitFilesTest, AgencyWithUnknownProvince) {
  Write("agencies.csv",
        "# version: test-1\n"
        "code,name,province_code\n"
        "so-khcn,Sở Khoa học và Công nghệ,99\n");
  EXPECT_THAT(LoadError(), HasSubstr(PathOf("agencies.csv") +
                                     ":3: unknown province \"99\""));
}

TEST_F(UnitFilesTest, DuplicateCodes) {
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "07900,Việt Trì,Phường Việt Trì,phuong,25\n"
        "07900,Nông Trang,Phường Nông Trang,phuong,25\n"
        "00070,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n");
  EXPECT_EQ(LoadError(),
            PathOf("communes.csv") +
                ":4: duplicate commune code \"07900\" (first on line 3)");
}

TEST_F(UnitFilesTest, DuplicateCommuneCodeAcrossProvinces) {
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "07900,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n"
        "07900,Việt Trì,Phường Việt Trì,phuong,25\n"
        "07894,Nông Trang,Phường Nông Trang,phuong,25\n");
  EXPECT_THAT(LoadError(), HasSubstr(":4: duplicate commune code \"07900\""));
}

TEST_F(UnitFilesTest, DuplicateProvinceAndAgency) {
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "25,Phú Thọ,Tỉnh Phú Thọ,tinh,2\n"
        "01,Hà Nội,Thành phố Hà Nội,thanh_pho,1\n"
        "25,Phú Thọ,Tỉnh Phú Thọ,tinh,2\n");
  EXPECT_EQ(LoadError(),
            PathOf("provinces.csv") +
                ":5: duplicate province code \"25\" (first on line 3)");
  Write("provinces.csv", kProvinces);
  Write("agencies.csv",
        "# version: test-1\n"
        "code,name,province_code\n"
        "so-khcn,Sở Khoa học và Công nghệ,25\n"
        "so-khcn,Sở Khoa học và Công nghệ,25\n"
        "so-khcn,Sở Khoa học và Công nghệ,01\n");
  EXPECT_THAT(LoadError(),
              HasSubstr(":4: duplicate agency code \"so-khcn\" in province 25 "
                        "(first on line 3)"));
}

TEST_F(UnitFilesTest, CodeFormats) {
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "1,Hà Nội,Thành phố Hà Nội,thanh_pho,1\n");
  EXPECT_EQ(LoadError(), PathOf("provinces.csv") +
                             ":3: province code \"1\" is not 2 digits");
  Write("provinces.csv", kProvinces);
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "7900,Việt Trì,Phường Việt Trì,phuong,25\n");
  EXPECT_EQ(LoadError(), PathOf("communes.csv") +
                             ":3: commune code \"7900\" is not 5 digits");
  Write("communes.csv", kCommunes);
  for (const char* bad : {"07900", "So-KHCN", "so--khcn", "so-", "", "-so"}) {
    Write("agencies.csv", std::string("# version: test-1\n"
                                      "code,name,province_code\n") +
                              bad + ",Sở Khoa học và Công nghệ,25\n");
    EXPECT_THAT(LoadError(),
                HasSubstr(PathOf("agencies.csv") + ":3: agency code \"" + bad +
                          "\" is not a local code"))
        << bad;
  }
}

TEST_F(UnitFilesTest, TypesAndEmptyNames) {
  Write("communes.csv",
        "# version: test-1\n"
        "code,name,official_name,type,province_code\n"
        "00070,Hoàn Kiếm,Phường Hoàn Kiếm,phuong,01\n"
        "07900,Việt Trì,Phường Việt Trì,quan,25\n");
  EXPECT_EQ(LoadError(),
            PathOf("communes.csv") +
                ":4: commune type \"quan\" is not xa, phuong or dac_khu");
  Write("communes.csv", kCommunes);
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "01,Hà Nội,,thanh_pho,1\n");
  EXPECT_EQ(LoadError(), PathOf("provinces.csv") + ":3: empty official_name");
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "01,Hà Nội,Thành phố Hà Nội,huyen,1\n");
  EXPECT_THAT(LoadError(), HasSubstr(":3: province type \"huyen\""));
}

TEST_F(UnitFilesTest, CommuneCountMustMatch) {
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "01,Hà Nội,Thành phố Hà Nội,thanh_pho,1\n"
        "25,Phú Thọ,Tỉnh Phú Thọ,tinh,148\n");
  EXPECT_EQ(LoadError(),
            PathOf("provinces.csv") + ":4: commune_count is 148 but " +
                PathOf("communes.csv") + " lists 2 communes of province 25");
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,type,commune_count\n"
        "01,Hà Nội,Thành phố Hà Nội,thanh_pho,one\n");
  EXPECT_EQ(LoadError(), PathOf("provinces.csv") +
                             ":3: commune_count \"one\" is not a number");
}

TEST_F(UnitFilesTest, MissingColumn) {
  Write("provinces.csv",
        "# version: test-1\n"
        "code,name,official_name,commune_count\n"
        "01,Hà Nội,Thành phố Hà Nội,1\n");
  EXPECT_EQ(LoadError(),
            PathOf("provinces.csv") + ":2: missing required column \"type\"");
}

TEST_F(UnitFilesTest, Versions) {
  Write("agencies.csv",
        "code,name,province_code\n"
        "so-khcn,Sở Khoa học và Công nghệ,25\n");
  EXPECT_EQ(LoadError(),
            PathOf("agencies.csv") +
                ":1: no \"# version: ...\" comment before the header");
  Write("agencies.csv",
        "# version: test-2\n"
        "code,name,province_code\n");
  EXPECT_EQ(LoadError(), PathOf("agencies.csv") +
                             ":2: version \"test-2\" differs from \"test-1\" "
                             "in " +
                             PathOf("provinces.csv"));
}

TEST_F(UnitFilesTest, MissingFile) {
  std::filesystem::remove(dir_ / "units" / "agencies.csv");
  absl::StatusOr<std::unique_ptr<UnitRegistry>> registry =
      UnitRegistry::Load(dir_.string());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(registry.status().message(), HasSubstr(PathOf("agencies.csv")));
}

}  // namespace
}  // namespace nq57
