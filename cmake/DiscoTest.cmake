# Test registration helpers. Every test gets a timeout and a label:
#   unit        - cmocka programs linking single modules (also run under ASan/UBSan)
#   integration - scripts or programs that start real processes
#   isa         - MIPS programs compared against QEMU
# The ASan pass of `make test` runs the "unit" label only.

# disco_unit_test(NAME SOURCES a.c b.c LIBS lib... [TIMEOUT s])
function(disco_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS unit)
endfunction()

# disco_script_test(NAME COMMAND cmd args... [TIMEOUT s] [LABELS l...])
function(disco_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS integration)
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
    ENVIRONMENT "DISCO_BUILD=${CMAKE_BINARY_DIR};DISCO_SOURCE=${CMAKE_SOURCE_DIR}")
endfunction()
