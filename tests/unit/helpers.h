/* SPDX-License-Identifier: MIT */
/* Unit tests: cmocka plus the shared test bed. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testbed.h"

#endif
