// SPDX-License-Identifier: Apache-2.0
// The minimal profile is built with -fno-exceptions, yet libstdc++'s containers still call its
// std::__throw_* helpers (length_error from std::string, ...) and its operator new throws
// bad_alloc. The library's own versions throw, which links the whole exception runtime and the
// unwinder (about 120 KiB, and glibc-only symbols that a musl build cannot resolve) only to end in
// terminate(). These replacements end the same way without it: they name the failure on stderr and
// abort. The engine's bounds (core/limits.hpp) keep every container far below these
// limits, so reaching one is a bug, never a server's doing.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <stdexcept>

namespace {

[[noreturn]] void die(const char* what) {
  constexpr const char kPrefix[] = "verify-roundtrip-min: internal error: ";
  (void)!::write(2, kPrefix, sizeof kPrefix - 1);
  (void)!::write(2, what, std::strlen(what));
  (void)!::write(2, "\n", 1);
  std::abort();
}

}  // namespace

namespace std {

void __throw_bad_exception() {
  die("bad_exception");
}
void __throw_bad_alloc() {
  die("out of memory");
}
void __throw_bad_array_new_length() {
  die("bad_array_new_length");
}
void __throw_bad_cast() {
  die("bad_cast");
}
void __throw_bad_typeid() {
  die("bad_typeid");
}
void __throw_logic_error(const char* what) {
  die(what);
}
void __throw_domain_error(const char* what) {
  die(what);
}
void __throw_invalid_argument(const char* what) {
  die(what);
}
void __throw_length_error(const char* what) {
  die(what);
}
void __throw_out_of_range(const char* what) {
  die(what);
}
void __throw_out_of_range_fmt(const char* format, ...) {
  die(format);
}
void __throw_runtime_error(const char* what) {
  die(what);
}
void __throw_range_error(const char* what) {
  die(what);
}
void __throw_overflow_error(const char* what) {
  die(what);
}
void __throw_underflow_error(const char* what) {
  die(what);
}
void __throw_bad_function_call() {
  die("bad_function_call");
}

}  // namespace std

// The replaceable global allocation functions (the standard allows a program to define them).
void* operator new(std::size_t size) {
  if (void* p = std::malloc(size ? size : 1)) return p;
  die("out of memory");
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
