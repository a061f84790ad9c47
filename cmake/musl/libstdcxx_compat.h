// SPDX-License-Identifier: Apache-2.0
/* Force-included (-include) into every C++ file of the musl build (cmake/musl-toolchain.cmake).
 *
 * Debian ships libstdc++ configured for glibc only, and in C++20 <memory> pulls in <ostream> and
 * the atomic-wait code. Those headers name a few glibc things musl does not have; this file gives
 * the compiler those names and nothing more:
 * - __GLIBC_PREREQ: version tests, answered "no" (musl is not glibc);
 * - __locale_t: glibc's name for what musl calls locale_t;
 * - the _IS* classification bits and pthread_*_clock* functions: declared so the headers parse.
 *   Code that really used a ctype facet or a clock-timed lock would need glibc's __ctype_b_loc
 *   or those functions at link time, and the static link fails loudly: the minimal profile uses
 *   neither (no iostreams, no locales, no threads). */
#ifndef MV_MUSL_LIBSTDCXX_COMPAT_H
#define MV_MUSL_LIBSTDCXX_COMPAT_H
#include <locale.h>
#include <pthread.h>
#include <time.h>

#define __GLIBC_PREREQ(major, minor) 0
typedef locale_t __locale_t;

/* glibc's <ctype.h> values on little-endian machines. */
enum {
  _ISupper = 1 << 8,
  _ISlower = 1 << 9,
  _ISalpha = 1 << 10,
  _ISdigit = 1 << 11,
  _ISxdigit = 1 << 12,
  _ISspace = 1 << 13,
  _ISprint = 1 << 14,
  _ISgraph = 1 << 15,
  _ISblank = 1 << 0,
  _IScntrl = 1 << 1,
  _ISpunct = 1 << 2,
  _ISalnum = 1 << 3
};

#ifdef __cplusplus
extern "C" {
#endif
int pthread_cond_clockwait(pthread_cond_t*, pthread_mutex_t*, clockid_t, const struct timespec*);
int pthread_mutex_clocklock(pthread_mutex_t*, clockid_t, const struct timespec*);
int pthread_rwlock_clockrdlock(pthread_rwlock_t*, clockid_t, const struct timespec*);
int pthread_rwlock_clockwrlock(pthread_rwlock_t*, clockid_t, const struct timespec*);
#ifdef __cplusplus
}
#endif
#endif
