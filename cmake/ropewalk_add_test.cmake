# ropewalk_add_test(<source> LABELS <label>... [ENGINE | UI] [FIXTURES <name>...] [TIMEOUT <s>])
# One source -> one QtTest executable -> one CTest test named after the file.
# Tests link rw_core through rw_test_support, with UI also the Qt workbench library rw_ui (still no
# LibTorch), or with ENGINE rw_engine (LibTorch) through rw_test_engine;
# the others are listed in the global property RW_TORCH_FREE_TESTS and checked to load no LibTorch (test torch_free_binaries).
# Tests get the venv python (oracle scripts), the source dir and the generated-fixture dir as
# compile definitions, and share one precompiled header target per library.
# The per-folder test lists are include()d into tests/CMakeLists.txt rather than added as
# subdirectories: Qt6::Test defines QT_TESTCASE_BUILDDIR from the target's binary dir, and the
# shared PCH is only valid for targets whose definitions match it.
function(ropewalk_add_test source)
  cmake_parse_arguments(ARG "ENGINE;UI" "TIMEOUT" "LABELS;FIXTURES" ${ARGN})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${source})
  if(ARG_ENGINE)
    set(kind engine)
    target_link_libraries(${name} PRIVATE rw_test_engine)
  else()
    set(kind core)
    target_link_libraries(${name} PRIVATE rw_test_support)
    if(ARG_UI)
      set(kind ui)
      target_link_libraries(${name} PRIVATE rw_ui)
    endif()
    ropewalk_require_torch_free(${name})
    set_property(GLOBAL APPEND PROPERTY RW_TORCH_FREE_TESTS $<TARGET_FILE:${name}>)
  endif()
  if(ROPEWALK_USE_PCH)
    target_precompile_headers(${name} REUSE_FROM rw_test_pch_${kind})
  endif()
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  ropewalk_set_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  # A QtTest program that skipped something and failed nothing shows as skipped, never as passed ("0 failed"
  # keeps a failure from hiding behind a skip); tools/test.sh lists each skipped function and why.
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_NUM_THREADS=2"
    SKIP_REGULAR_EXPRESSION "Totals: [0-9]+ passed, 0 failed, [1-9][0-9]* skipped")
  if(ARG_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()
