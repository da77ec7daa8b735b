# Finds LibTorch from the pip wheel in the project venv (never Debian's libtorch-dev).
# Pass -DROPEWALK_PYTHON=<venv>/bin/python3 (tools/test.sh does) or -DTorch_DIR=... yourself.
#
# The PyPI wheel is a CUDA build whose CMake config insists on a CUDA toolkit at configure time. On a
# machine without one (a CPU laptop), ROPEWALK_TORCH_CPU_ONLY builds against the same wheel's CPU
# libraries through a small imported target instead; CUDA stays usable at run time through libtorch.so.
set(ROPEWALK_PYTHON "" CACHE FILEPATH "Python of the venv that holds the pinned torch wheel")
set(ROPEWALK_TORCH_CPU_ONLY AUTO CACHE STRING "Link the wheel without its CUDA CMake config: AUTO, ON or OFF")
set_property(CACHE ROPEWALK_TORCH_CPU_ONLY PROPERTY STRINGS AUTO ON OFF)

function(_rw_ask_torch code out)
  execute_process(COMMAND ${ROPEWALK_PYTHON} -c "import torch, os; ${code}"
                  OUTPUT_VARIABLE value OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ROPEWALK_PYTHON=${ROPEWALK_PYTHON} cannot import torch; run tools/setup.sh")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

if(NOT Torch_DIR AND ROPEWALK_PYTHON)
  _rw_ask_torch("print(torch.utils.cmake_prefix_path)" _rw_torch_prefix)
  _rw_ask_torch("print(os.path.dirname(torch.__file__))" _rw_torch_root)
  _rw_ask_torch("print(torch.__version__.split('+')[0])" _rw_torch_version)
  list(PREPEND CMAKE_PREFIX_PATH ${_rw_torch_prefix})
  # Every object must use the wheel's libstdc++ ABI; Debian's spdlog/fmt/sentencepiece use the new one,
  # so a wheel built with the old ABI cannot be mixed in at all.
  _rw_ask_torch("print(int(torch._C._GLIBCXX_USE_CXX11_ABI))" ROPEWALK_TORCH_CXX11_ABI)
  if(NOT ROPEWALK_TORCH_CXX11_ABI STREQUAL "1")
    message(FATAL_ERROR "The torch wheel uses _GLIBCXX_USE_CXX11_ABI=${ROPEWALK_TORCH_CXX11_ABI}; "
                        "Debian's libraries need 1. Pin a wheel built with the C++11 ABI.")
  endif()
  add_compile_definitions(_GLIBCXX_USE_CXX11_ABI=1)

  set(_rw_cpu_only ${ROPEWALK_TORCH_CPU_ONLY})
  if(_rw_cpu_only STREQUAL "AUTO")
    find_package(CUDAToolkit QUIET)
    if(CUDAToolkit_FOUND)
      set(_rw_cpu_only OFF)
    else()
      set(_rw_cpu_only ON)
    endif()
  endif()
  if(_rw_cpu_only)
    add_library(torch INTERFACE IMPORTED)
    target_include_directories(torch SYSTEM INTERFACE
      ${_rw_torch_root}/include ${_rw_torch_root}/include/torch/csrc/api/include)
    target_link_libraries(torch INTERFACE
      ${_rw_torch_root}/lib/libtorch.so ${_rw_torch_root}/lib/libtorch_cpu.so ${_rw_torch_root}/lib/libc10.so)
    set(Torch_VERSION ${_rw_torch_version})
    set(TORCH_INSTALL_PREFIX ${_rw_torch_root})
    message(STATUS "LibTorch ${Torch_VERSION} (CPU libraries only, no CUDA toolkit) from ${_rw_torch_root}")
    return()
  endif()
endif()

# The CUDA wheel's config looks for the CUDA toolkit itself; with no GPU it warns about arch detection.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;8.9;9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}")
