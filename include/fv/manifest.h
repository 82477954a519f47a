/* SPDX-License-Identifier: MIT */
/*
 * The flash image format: one definition shared by the image tool (which
 * writes it) and the hypervisor (which reads it), and one validator
 * (core/boot/manifest.c) that both run.
 *
 * Flash layout (bank 0, at physical address 0):
 *   0                      hypervisor binary; its header (struct hv_header)
 *                          sits right after the reset branch
 *   MANIFEST_FLASH_OFFSET  struct manifest (fixed size, little endian)
 *   after the manifest     the images, each at an IMAGE_ALIGN boundary,
 *                          each stored once however many VMs load it
 *
 * Everything is little endian and naturally aligned; the struct layout is
 * pinned by static_asserts below so that the host tool and the AArch64
 * hypervisor agree on every offset.
 */
#ifndef FV_MANIFEST_H
#define FV_MANIFEST_H

#include <fv/devices.h>
#include <fv/limits.h>
#include <fv/types.h>

#define MANIFEST_MAGIC 0x5346494e414d5646ULL /* "FVMANIFS" */
#include <fv/manifest_version.h>
#define MANIFEST_FLASH_OFFSET 0x200000ULL /* the hypervisor may use 2 MiB */
#define MANIFEST_IMAGE_ALIGN 0x1000ULL
#define MANIFEST_NO_IMAGE 0xffffffffU

#define HV_HEADER_MAGIC 0x5253495648534c46ULL /* "FLSHVISR" */
#define HV_HEADER_OFFSET 8

/* Header of the hypervisor binary, right after its first instruction. */
struct hv_header {
	uint64_t magic;
	uint64_t ram_base;   /* the RAM the hypervisor owns: [ram_base, +ram_size) */
	uint64_t ram_size;   /* includes the board DTB area and all of .bss */
	uint64_t image_size; /* bytes of flash the binary occupies */
	uint32_t version;    /* MANIFEST_VERSION the binary reads */
	uint32_t reserved;
};

struct manifest_image {
	char name[FV_NAME_MAX]; /* the file's base name, for messages */
	uint64_t offset;        /* from the start of flash */
	uint64_t size;          /* bytes */
	uint8_t sha256[32];
};

enum vm_boot {
	VM_BOOT_LINUX = 1, /* arm64 Image: x0 = DTB, Image header checked */
	VM_BOOT_BARE = 2,  /* raw binary: x0 = DTB, entry at its first byte */
};

enum vm_on_crash {
	VM_ON_CRASH_RESTART = 0,
	VM_ON_CRASH_STOP = 1,
	VM_ON_CRASH_HALT_BOARD = 2,
};

/* One guest RAM region: [ipa, ipa + size) maps to [pa, pa + size). */
struct manifest_mem {
	uint64_t ipa;
	uint64_t pa;
	uint64_t size;
};

/*
 * One device of a VM (the kinds: fv/devices.h). A passthrough device is a
 * board window: pa is on the board and intid the board interrupt, delivered
 * under the same INTID. An emulated one has pa 0; ipa and size are where the
 * VM sees its registers, intid the SPI it drives (0: none).
 */
struct manifest_device {
	uint32_t kind;  /* enum device_kind */
	uint32_t index; /* passthrough: the board's instance (virtio-mmio slot) */
	uint64_t pa;
	uint64_t ipa;
	uint64_t size;
	uint32_t intid;
	uint32_t reserved;
};

/* An image copied into guest RAM at start: [ipa, ipa + reserve) is its room. */
struct manifest_load {
	uint32_t image; /* index into manifest.image, or MANIFEST_NO_IMAGE */
	uint32_t reserved;
	uint64_t ipa;
	uint64_t reserve; /* >= the image size; a Linux kernel reserves image_size */
};

/* The owner said, in the config, that the VM's passthrough devices may DMA
 * anywhere (no IOMMU on virtio-mmio): the VM breaks isolation. Required
 * for any passthrough device. (Bit 0 was version 1's watchdog.) */
#define VM_FLAG_UNISOLATED_DMA BIT(1)

struct manifest_vm {
	char name[FV_NAME_MAX];
	uint32_t boot;     /* enum vm_boot */
	uint32_t on_crash; /* enum vm_on_crash */
	uint32_t cpu_count;
	uint32_t mem_count;
	uint32_t device_count;
	uint32_t flags;            /* VM_FLAG_* */
	uint8_t cpu[FV_MAX_VCPUS]; /* board CPU index running vCPU n */
	struct manifest_mem mem[FV_MAX_VM_MEM];
	struct manifest_device device[FV_MAX_VM_DEVICES];
	struct manifest_load kernel;
	struct manifest_load initrd;
	struct manifest_load dtb;
	uint64_t entry;             /* IPA of the first guest instruction */
	uint64_t kaslr_seed_offset; /* offset of /chosen/kaslr-seed's value in the DTB, or 0 */
};

/* What the image requires of the board; the hypervisor checks the live board. */
struct manifest_board {
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t flash_size;
	uint32_t cpu_count;
	uint32_t reserved;
};

struct manifest {
	uint64_t magic;
	uint32_t version;
	uint32_t size;      /* sizeof(struct manifest) */
	uint8_t sha256[32]; /* of the whole struct with this field zeroed */
	uint64_t image_end; /* flash bytes used by hypervisor, manifest and images */
	struct hv_header hv;
	struct manifest_board board;
	uint32_t vm_count;
	uint32_t image_count;
	struct manifest_vm vm[FV_MAX_VMS];
	struct manifest_image image[FV_MAX_IMAGES];
};

_Static_assert(sizeof(struct hv_header) == 40, "hv_header layout");
_Static_assert(sizeof(struct manifest_image) == 80, "manifest_image layout");
_Static_assert(sizeof(struct manifest_device) == 40, "manifest_device layout");
_Static_assert(sizeof(struct manifest_load) == 24, "manifest_load layout");
_Static_assert(sizeof(struct manifest_vm) % 8 == 0, "manifest_vm layout");
_Static_assert(sizeof(struct manifest) % 8 == 0, "manifest layout");

/*
 * A sink for validation errors. `where` names the place in the user's terms:
 * a configuration node such as "/vms/linux-a", `prop` the property in it
 * (or NULL); the tool adds the file and line. `what` says why.
 */
struct diag {
	void (*report)(struct diag *d, const char *where, const char *prop, const char *what);
	unsigned int error_count;
};

void diag_error(struct diag *d, const char *where, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The board as the hypervisor found it, reduced to what the manifest needs. */
struct board;

/*
 * Check a manifest's internal consistency: counts within limits, names
 * unique, CPUs, memory and devices never shared between VMs, every region
 * inside the board and outside the hypervisor, every image inside flash and
 * every load inside its VM's RAM. `flash_bytes` is how much of the image is
 * present (the tool: the file it writes; the hypervisor: the flash bank).
 * Returns true if no error was reported.
 */
bool manifest_validate(const struct manifest *m, uint64_t flash_bytes, struct diag *d);

/* Check that a live board satisfies a validated manifest. */
bool manifest_check_board(const struct manifest *m, const struct board *b, struct diag *d);

/* SHA-256 of the manifest with its own sha256 field taken as zero. */
void manifest_digest(const struct manifest *m, uint8_t out[32]);

/* Image and VM helpers. */
const struct manifest_vm *manifest_find_vm(const struct manifest *m, const char *name);
uint64_t manifest_vm_ram_size(const struct manifest_vm *vm);

/* Translate a guest range of a VM to physical; false if not entirely in one RAM region. */
bool manifest_vm_ipa_to_pa(const struct manifest_vm *vm, uint64_t ipa, uint64_t size, uint64_t *pa);

#endif
