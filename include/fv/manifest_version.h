/* SPDX-License-Identifier: MIT */
/* The flash format's version, for C and for the header in arch/aarch64/entry.S. */
#ifndef FV_MANIFEST_VERSION_H
#define FV_MANIFEST_VERSION_H

#define MANIFEST_VERSION 2 /* 2: every emulated device is a device entry */

#endif
