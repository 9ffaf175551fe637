# nq57_test: the one way to declare a GoogleTest target.
#
#   nq57_test(<name>
#     SOURCES <file.cc>...            # the test sources (required)
#     [LIBS <target>...]              # what the test links, besides gtest_main
#     [DEFINES <NAME=value>...]       # private compile definitions
#     [DEPENDS <target>...]           # targets to build first (server binaries)
#     [PROPERTIES <name> <value>...]) # ctest properties, e.g. TIMEOUT 120
#
# It adds the executable, compiles it with ${NQ57_WARNINGS}, links
# GTest::gtest_main and LIBS, and registers every test case with
# gtest_discover_tests(DISCOVERY_TIMEOUT 60). Two short names in DEFINES
# stand for the paths tests need:
#   SOURCE_DIR -> NQ57_SOURCE_DIR="<repo root>" (deploy/config, datasets)
#   BIN_DIR    -> NQ57_BIN_DIR="<build>/bin" (server binaries, nq57ctl)
# Any other DEFINES entry is passed as it is.
#
# Every test target uses it (tests/, common/, services/, tools/); a folder
# still spelling out add_executable + gtest_discover_tests (for example
# services/aggregator/, tools/dataset_gen/, bench/ when this was added)
# should switch to it: one call per test, the same LIBS it links today
# minus GTest::gtest_main.
# e.g.
#   nq57_test(store_test SOURCES store_test.cc LIBS nq57_store)
#   nq57_test(e2e_test SOURCES e2e/e2e_test.cc DEFINES SOURCE_DIR BIN_DIR
#     LIBS nq57_server_process DEPENDS criteria-server nq57ctl
#     PROPERTIES TIMEOUT 120)
function(nq57_test name)
  cmake_parse_arguments(PARSE_ARGV 1 T "" ""
    "SOURCES;LIBS;DEFINES;DEPENDS;PROPERTIES")
  if(NOT T_SOURCES)
    message(FATAL_ERROR "nq57_test(${name}): SOURCES is required")
  endif()
  add_executable(${name} ${T_SOURCES})
  target_compile_options(${name} PRIVATE ${NQ57_WARNINGS})
  set(defines)
  foreach(define IN LISTS T_DEFINES)
    if(define STREQUAL "SOURCE_DIR")
      list(APPEND defines NQ57_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    elseif(define STREQUAL "BIN_DIR")
      list(APPEND defines NQ57_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
    else()
      list(APPEND defines ${define})
    endif()
  endforeach()
  if(defines)
    target_compile_definitions(${name} PRIVATE ${defines})
  endif()
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest_main)
  if(T_DEPENDS)
    add_dependencies(${name} ${T_DEPENDS})
  endif()
  if(T_PROPERTIES)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      PROPERTIES ${T_PROPERTIES})
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
