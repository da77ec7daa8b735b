# Finds LibTorch from the pip wheel in the project venv (never Debian's libtorch-dev).
# Pass -DROPEWALK_PYTHON=<venv>/bin/python3 (tools/test.sh does) or -DTorch_DIR=... yourself.
set(ROPEWALK_PYTHON "" CACHE FILEPATH "Python of the venv that holds the pinned torch wheel")
if(NOT Torch_DIR AND ROPEWALK_PYTHON)
  execute_process(
    COMMAND ${ROPEWALK_PYTHON} -c "import torch; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _rw_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _rw_torch_rc)
  if(NOT _rw_torch_rc EQUAL 0)
    message(FATAL_ERROR "ROPEWALK_PYTHON=${ROPEWALK_PYTHON} cannot import torch; run tools/setup.sh")
  endif()
  list(PREPEND CMAKE_PREFIX_PATH ${_rw_torch_prefix})
  # Every object must use the wheel's libstdc++ ABI; Debian's spdlog/fmt/sentencepiece use the new one,
  # so a wheel built with the old ABI cannot be mixed in at all.
  execute_process(
    COMMAND ${ROPEWALK_PYTHON} -c "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"
    OUTPUT_VARIABLE ROPEWALK_TORCH_CXX11_ABI OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT ROPEWALK_TORCH_CXX11_ABI STREQUAL "1")
    message(FATAL_ERROR "The torch wheel uses _GLIBCXX_USE_CXX11_ABI=${ROPEWALK_TORCH_CXX11_ABI}; "
                        "Debian's libraries need 1. Pin a wheel built with the C++11 ABI.")
  endif()
  add_compile_definitions(_GLIBCXX_USE_CXX11_ABI=1)
endif()
# The CUDA wheel's config looks for the CUDA toolkit itself; with no GPU it warns about arch detection.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;8.9;9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}")
