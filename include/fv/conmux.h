/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer: every VM's console and the hypervisor's own
 * messages share the board's one UART.
 *
 * Output: each port (a VM, or the hypervisor) writes bytes; lines appear on
 * the UART prefixed with "[name] ". What a port writes passes through its
 * terminal filter first (fv/termfilter.h): it cannot leave its own line.
 * A line is written whole, so lines of different ports never interleave,
 * with one bound: no byte waits on another port longer than CONMUX_WAIT_MS.
 * A port mid-line (a shell prompt, echo of typed characters) holds the
 * line, and its bytes go out at once; another port's bytes wait in that
 * port's own buffer. Its whole lines go once the holder has been quiet for
 * CONMUX_WAIT_MS; once they have waited CONMUX_WAIT_MS themselves, or the
 * buffer is full, they go anyway. Either way the holder's line is broken;
 * the broken line continues later under "[name]+ ", so that readers can
 * join the pieces. A partial line goes out once its port has been quiet
 * for CONMUX_WAIT_MS (so prompts appear), and at the latest
 * CONMUX_PARTIAL_MS after it began (so progress dots do). A full buffer
 * goes out at once, so a byte is never refused; a port asking for room it
 * has not got (conmux_room, the PL011's FIFO-empty flag) is told once it has
 * it, within CONMUX_WAIT_MS.
 *
 * A port that asks the terminal where its cursor is (CSI 6 n) is answered
 * by the multiplexer (conmux_answer): the terminal never sees the question.
 *
 * Input: bytes typed go to the port with input focus. Ctrl-A pressed three
 * times in a row moves focus to the next port that takes input; one or two
 * Ctrl-A followed by something else are delivered as typed.
 *
 * Pure logic: the UART and clock come in through callbacks, so it runs in
 * host tests unchanged.
 */
#ifndef FV_CONMUX_H
#define FV_CONMUX_H

#include <fv/limits.h>
#include <fv/spinlock.h>
#include <fv/termfilter.h>
#include <fv/types.h>

#define CONMUX_MAX_PORTS (FV_MAX_VMS + 1)
#define CONMUX_BUF 512U
#define CONMUX_WAIT_MS 50U      /* the longest a byte waits on another port */
#define CONMUX_PARTIAL_MS 500U  /* the longest a partial line waits on its own port */
#define CONMUX_SWITCH_CHAR 0x01 /* Ctrl-A */
#define CONMUX_SWITCH_COUNT 3

struct conmux_port {
	char name[FV_NAME_MAX];
	bool takes_input;
	bool broken;         /* its last line was ended early: the rest gets "[name]+ " */
	bool wants_tx_ready; /* refused a byte: tell it when there is room */
	uint32_t ready_room; /* ... this much room */
	uint8_t buf[CONMUX_BUF];
	uint32_t len;
	uint64_t first_ms; /* when the oldest byte in buf came */
	uint64_t last_ms;  /* when its last byte came */
	uint64_t bytes_out;
	struct termfilter filter;
};

struct conmux {
	struct spinlock lock;
	struct conmux_port port[CONMUX_MAX_PORTS];
	uint32_t port_count;
	int owner;                              /* port holding the UART line mid-line, or -1 (at column 0) */
	uint64_t due_ms;                        /* the earliest time a buffered byte has waited enough */
	uint32_t asked;                         /* ports with a cursor-position query to answer (bitmap) */
	uint32_t focus;                         /* port receiving input */
	uint32_t switch_count;                  /* Ctrl-A seen in a row */
	uint32_t ready;                         /* ports refused earlier that have room now */
	void (*write)(const char *s, size_t n); /* the UART */
	uint64_t (*now_ms)(void);
};

/* Input outcome for one typed byte. */
struct conmux_input {
	uint32_t port; /* deliver bytes[0..count) to this port */
	uint8_t bytes[CONMUX_SWITCH_COUNT];
	uint32_t count;
	bool switched; /* focus moved: the multiplexer has announced it */
};

void conmux_init(struct conmux *m, void (*write)(const char *, size_t), uint64_t (*now_ms)(void));
/* Add a port; returns its index. */
uint32_t conmux_add_port(struct conmux *m, const char *name, bool takes_input);
/* Output one byte from a port; never refused (false: no such port). */
bool conmux_putc(struct conmux *m, uint32_t port, uint8_t c);
/* Output a string from a port in one piece: no other CPU's output comes between its bytes.
 * False: no such port. */
bool conmux_puts(struct conmux *m, uint32_t port, const char *s);
/* Whether a port can take another byte now; if not, it is told (conmux_take_ready) once it can. */
bool conmux_can_put(struct conmux *m, uint32_t port);
/* Whether a port can take `want` more bytes now; if not, it is told once it can. */
bool conmux_room(struct conmux *m, uint32_t port, uint32_t want);
/* Emit a whole line from a port (the hypervisor's messages); never refused. */
void conmux_line(struct conmux *m, uint32_t port, const char *line);
/*
 * Write out what idle time allows. Returns the time (ms) at which to call
 * again, or 0 if nothing is waiting.
 */
uint64_t conmux_poll(struct conmux *m);
/* A pending answer to a port's terminal query, to type into that port: its length (0: none) and *port.
 * `out` holds TERMFILTER_ANSWER_MAX bytes. */
uint32_t conmux_answer(struct conmux *m, uint32_t *port, uint8_t *out);
/* Whether some port waits for an answer (no lock: a hint). */
bool conmux_asked(const struct conmux *m);
/* Ports that were refused a byte, or told they could not put one, and now have room (bitmap); clears it. */
uint32_t conmux_take_ready(struct conmux *m);
/* Write out a port's pending partial line and end it (the VM stopped). */
void conmux_end_line(struct conmux *m, uint32_t port);
/* Route one typed byte. */
void conmux_input(struct conmux *m, uint8_t c, struct conmux_input *out);
/* Move input focus to a port (announces it). */
void conmux_set_focus(struct conmux *m, uint32_t port);

#endif
