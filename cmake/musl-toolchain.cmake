# SPDX-License-Identifier: Apache-2.0
# Static builds against musl for the minimal profile (scripts/check-minimal-size.sh):
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/musl-toolchain.cmake -DMAILVERIFY_MINIMAL=ON ...
# Why musl: a static glibc costs ~950 KiB (getaddrinfo alone pulls in NSS, dlopen, iconv and
# locale code) and still needs glibc's NSS modules at run time; static musl costs ~60 KiB and its
# resolver reads /etc/hosts and /etc/resolv.conf itself. Debian packages: musl-tools, musl-dev.
#
# C is compiled by musl-gcc. Debian has no libstdc++ built for musl, so C++ uses g++ with the
# glibc-configured libstdc++ headers in front of musl's C headers (plus the two names of
# musl/libstdcxx_compat.h) and links the few libstdc++.a objects it needs (std::string, operator
# new) against musl's libc.a through musl-gcc's specs. That holds because those objects call only
# plain C functions with the same ABI in both libcs (malloc, memcpy, strlen, abort); the minimal
# driver keeps exceptions, iostreams and locales out, and the minimal build is run end to end
# against the real mail stack in CI.
set(CMAKE_SYSTEM_NAME Linux)

find_program(MV_MUSL_GCC musl-gcc REQUIRED)
set(CMAKE_C_COMPILER "${MV_MUSL_GCC}")
set(CMAKE_CXX_COMPILER g++)

execute_process(COMMAND g++ -dumpversion OUTPUT_VARIABLE _mv_gcc_major OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND g++ -dumpmachine OUTPUT_VARIABLE _mv_gnu_triple OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND g++ -print-file-name=include OUTPUT_VARIABLE _mv_gcc_include
                OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REPLACE "-gnu" "-musl" _mv_musl_triple "${_mv_gnu_triple}")
set(_mv_musl_specs "/usr/lib/${_mv_musl_triple}/musl-gcc.specs")
if(NOT EXISTS "${_mv_musl_specs}")
  message(FATAL_ERROR "musl-toolchain: ${_mv_musl_specs} not found (apt-get install musl-dev musl-tools)")
endif()

# Search order matters: the C++ headers #include_next the C ones, so they come first.
string(JOIN " " CMAKE_CXX_FLAGS_INIT
       -nostdinc
       "-isystem /usr/include/c++/${_mv_gcc_major}"
       "-isystem /usr/include/${_mv_gnu_triple}/c++/${_mv_gcc_major}"
       "-isystem ${_mv_gcc_include}"
       "-isystem /usr/include/${_mv_musl_triple}"
       "-include ${CMAKE_CURRENT_LIST_DIR}/musl/libstdcxx_compat.h")
# musl-gcc's specs pick musl's start files and libc.a. In the link rule rather than in
# CMAKE_EXE_LINKER_FLAGS, so a user's -DCMAKE_EXE_LINKER_FLAGS=... adds to it instead of dropping
# it (glibc's crt1.o with musl's libc.a links, and must not).
set(CMAKE_CXX_LINK_EXECUTABLE
    "<CMAKE_CXX_COMPILER> -specs=${_mv_musl_specs} -static <FLAGS> <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
