// SPDX-License-Identifier: MIT
/*
 * The device kinds this build has: one per line of DEVICE_KINDS
 * (include/fv/devices.h), each defined in its device's own file as
 * `const struct vdev_kind <prefix>_kind`.
 */
#include <fv/device.h>

#define DECLARE_KIND(name, code, model, prefix, flags, size) extern const struct vdev_kind prefix##_kind;
DEVICE_KINDS(DECLARE_KIND)
#undef DECLARE_KIND

static const struct vdev_kind *const kinds[] = {
#define LIST_KIND(name, code, model, prefix, flags, size) &prefix##_kind,
	DEVICE_KINDS(LIST_KIND)
#undef LIST_KIND
};

const struct vdev_kind *vdev_kind_of(uint32_t kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i]->kind == kind)
			return kinds[i];
	return NULL;
}
