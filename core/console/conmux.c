// SPDX-License-Identifier: MIT
/*
 * The console multiplexer (see include/fv/conmux.h for the rules).
 *
 * Invariant: the port that holds the line (owner) has an empty buffer; its
 * bytes go straight to the UART. Every other port's bytes wait in its
 * buffer until may_write lets them out: no longer than CONMUX_WAIT_MS on
 * another port. Whatever reaches a buffer or the UART has passed the
 * port's terminal filter.
 */
#include <fv/conmux.h>
#include <fv/fmt.h>
#include <fv/string.h>

#define NO_OWNER (-1)
#define NOT_DUE UINT64_MAX

void conmux_init(struct conmux *m, void (*write)(const char *, size_t), uint64_t (*now_ms)(void))
{
	memset(m, 0, sizeof(*m));
	spin_lock_init(&m->lock);
	m->owner = NO_OWNER;
	m->due_ms = NOT_DUE;
	m->write = write;
	m->now_ms = now_ms;
}

uint32_t conmux_add_port(struct conmux *m, const char *name, bool takes_input)
{
	if (m->port_count >= CONMUX_MAX_PORTS)
		return 0; /* sized for every VM plus the hypervisor: cannot happen */
	uint32_t i = m->port_count++;
	str_copy(m->port[i].name, name, sizeof(m->port[i].name));
	m->port[i].takes_input = takes_input;
	termfilter_init(&m->port[i].filter);
	if (takes_input && !m->port[m->focus].takes_input)
		m->focus = i;
	return i;
}

static void put(struct conmux *m, const void *s, size_t n)
{
	if (n)
		m->write(s, n);
}

/* End the owner's line early, its attributes reset; if `broken`, it continues later under "[name]+ ". */
static void end_owner_line(struct conmux *m, bool broken)
{
	uint8_t reset[TERMFILTER_MAX_OUT];

	if (m->owner == NO_OWNER)
		return;
	struct conmux_port *p = &m->port[m->owner];
	put(m, reset, termfilter_break(&p->filter, reset));
	put(m, "\r\n", 2);
	p->broken = broken;
	m->owner = NO_OWNER;
}

static void take_line(struct conmux *m, uint32_t pi)
{
	char prefix[FV_NAME_MAX + 4];

	if (m->owner == (int)pi)
		return;
	end_owner_line(m, true);
	int n = fmt_snprintf(prefix, sizeof(prefix), m->port[pi].broken ? "[%s]+ " : "[%s] ", m->port[pi].name);
	put(m, prefix, (size_t)n);
	m->port[pi].broken = false;
	m->owner = (int)pi;
}

/* Room in a port's buffer for what one more byte can become. */
static bool has_room(const struct conmux_port *p)
{
	return CONMUX_BUF - p->len >= TERMFILTER_MAX_OUT;
}

static void consume(struct conmux *m, uint32_t pi, uint32_t n)
{
	struct conmux_port *p = &m->port[pi];

	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
	p->bytes_out += n;
	/* room as conmux_room counts it: for the last of ready_room bytes, what one byte can become */
	if (p->wants_tx_ready && CONMUX_BUF - p->len >= MAX(p->ready_room, 1U) - 1 + TERMFILTER_MAX_OUT) {
		p->wants_tx_ready = false;
		p->ready_room = 0;
		m->ready |= 1U << pi;
	}
}

/* Write a port's whole lines; its trailing partial line too if `partial`. */
static void emit(struct conmux *m, uint32_t pi, bool partial)
{
	struct conmux_port *p = &m->port[pi];

	while (p->len) {
		uint8_t *nl = memchr(p->buf, '\n', p->len);
		if (!nl && !partial)
			return;
		uint32_t n = nl ? (uint32_t)(nl - p->buf) + 1 : p->len;
		take_line(m, pi);
		put(m, p->buf, n);
		consume(m, pi, n);
		if (nl)
			m->owner = NO_OWNER;
	}
}

/* A port told it cannot put: tell it when it can, and no earlier notice of room stands. */
static void told_full(struct conmux *m, uint32_t pi)
{
	m->port[pi].wants_tx_ready = true;
	m->ready &= ~(1U << pi);
}

static bool quiet(const struct conmux_port *p, uint64_t now)
{
	return now - p->last_ms >= CONMUX_WAIT_MS;
}

/* Another port holds the line and port pi's bytes may not wait on it any longer. */
static bool held_by_other(const struct conmux *m, uint32_t pi)
{
	return m->owner != NO_OWNER && m->owner != (int)pi;
}

/*
 * What port pi may write now. Its whole lines: when nobody else holds the
 * line, the holder has fallen quiet, or they have waited CONMUX_WAIT_MS on
 * it (or the buffer is full). Its partial line too (*partial): when the
 * port itself has fallen quiet, it has waited CONMUX_WAIT_MS on a holder,
 * the buffer is full, or it has been in the making for CONMUX_PARTIAL_MS
 * (dots of progress show, late). A port writing a line slowly with the line
 * free waits on nobody but itself, so its line stays whole that long.
 */
static bool may_write(const struct conmux *m, uint32_t pi, uint64_t now, bool *partial)
{
	const struct conmux_port *p = &m->port[pi];
	bool full = !has_room(p), other = held_by_other(m, pi);
	bool waited = other && now - p->first_ms >= CONMUX_WAIT_MS;

	*partial = full || waited || quiet(p, now) || now - p->first_ms >= CONMUX_PARTIAL_MS;
	return full || waited || !other || quiet(&m->port[m->owner], now);
}

/* When port pi's bytes may go, as may_write says, if nothing else happens first. */
static uint64_t when(const struct conmux *m, uint32_t pi)
{
	const struct conmux_port *p = &m->port[pi];
	uint64_t t = MIN(p->last_ms + CONMUX_WAIT_MS, p->first_ms + CONMUX_PARTIAL_MS);

	if (held_by_other(m, pi)) {
		t = MIN(t, p->first_ms + CONMUX_WAIT_MS);
		if (memchr(p->buf, '\n', p->len)) /* whole lines go when the holder falls quiet */
			t = MIN(t, m->port[m->owner].last_ms + CONMUX_WAIT_MS);
	}
	return t;
}

/* Write whatever the rules allow now, in port order; note when to look again. */
static void flush(struct conmux *m, uint64_t now)
{
	for (uint32_t pi = 0; pi < m->port_count; pi++) {
		bool partial;
		if (m->port[pi].len && may_write(m, pi, now, &partial))
			emit(m, pi, partial); /* it may break the holder's line */
	}
	m->due_ms = NOT_DUE;
	for (uint32_t pi = 0; pi < m->port_count; pi++)
		if (m->port[pi].len)
			m->due_ms = MIN(m->due_ms, when(m, pi));
}

/* What the filter made of one byte of the port's: straight out if it holds the line, else into its buffer. */
static void out_bytes(struct conmux *m, uint32_t pi, const uint8_t *b, uint32_t n, uint64_t now)
{
	struct conmux_port *p = &m->port[pi];

	if (!n)
		return;
	if (m->owner == (int)pi) {
		put(m, b, n); /* in one piece: a sequence is never cut */
		p->bytes_out += n;
		if (b[n - 1] == '\n') /* a line end is always the last */
			m->owner = NO_OWNER;
		return;
	}
	if (!p->len)
		p->first_ms = now;
	m->due_ms = MIN(m->due_ms, now + CONMUX_WAIT_MS); /* when it may go, at the earliest */
	memcpy(p->buf + p->len, b, n);
	p->len += n;
}

/* One byte from port pi, under the lock; never refused. */
static void putc_locked(struct conmux *m, uint32_t pi, uint8_t c)
{
	struct conmux_port *p = &m->port[pi];
	uint64_t now = m->now_ms();
	uint8_t out[TERMFILTER_MAX_OUT];

	/* someone waited long enough, or this buffer is full: a full buffer always goes out
	 * (may_write), so after this there is room for what the byte becomes */
	if (now >= m->due_ms || (m->owner != (int)pi && !has_room(p)))
		flush(m, now);
	uint32_t n = termfilter_byte(&p->filter, c, out);
	out_bytes(m, pi, out, n, now);
	p->last_ms = now;
	if (p->filter.asked)
		m->asked |= 1U << pi;
	if (p->len && ((n && out[n - 1] == '\n') || !has_room(p)))
		flush(m, now);
}

bool conmux_putc(struct conmux *m, uint32_t pi, uint8_t c)
{
	if (pi >= m->port_count)
		return false;
	spin_lock(&m->lock);
	putc_locked(m, pi, c);
	spin_unlock(&m->lock);
	return true;
}

bool conmux_puts(struct conmux *m, uint32_t pi, const char *s)
{
	if (pi >= m->port_count)
		return false;
	spin_lock(&m->lock);
	while (*s)
		putc_locked(m, pi, (uint8_t)*s++);
	spin_unlock(&m->lock);
	return true;
}

bool conmux_room(struct conmux *m, uint32_t pi, uint32_t want)
{
	if (pi >= m->port_count || want > CONMUX_BUF + 1 - TERMFILTER_MAX_OUT)
		return false;
	struct conmux_port *p = &m->port[pi];
	uint32_t need = want - 1 + TERMFILTER_MAX_OUT; /* so that the last of them finds room as putc asks */
	/* A yes needs no lock: a port's bytes come from its one writer (the
	 * caller, under its device's lock), so its room only grows under its
	 * feet, and a holder that loses the line has an empty buffer. The
	 * PL011's flag register asks twice per character printed; only a no
	 * (which registers for the tx-ready notice) takes the lock. */
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == (int)pi ||
	    CONMUX_BUF - __atomic_load_n(&p->len, __ATOMIC_RELAXED) >= need)
		return true;
	spin_lock(&m->lock);
	if (m->owner != (int)pi && CONMUX_BUF - p->len < need)
		flush(m, m->now_ms()); /* answer as conmux_putc would */
	bool ok = m->owner == (int)pi || CONMUX_BUF - p->len >= need;
	if (!ok) {
		told_full(m, pi);
		p->ready_room = MAX(p->ready_room, want);
	}
	spin_unlock(&m->lock);
	return ok;
}

bool conmux_can_put(struct conmux *m, uint32_t pi)
{
	return conmux_room(m, pi, 1);
}

void conmux_line(struct conmux *m, uint32_t pi, const char *line)
{
	if (pi >= m->port_count)
		return;
	spin_lock(&m->lock);
	/* The hypervisor's lines are rare and matter: they do not wait. A whole
	 * line starts a line of its own, even after this port's partial one;
	 * what the port still had buffered (a prompt) goes out first, in order. */
	uint64_t now = m->now_ms();
	if (m->port[pi].len)
		emit(m, pi, true);
	end_owner_line(m, m->owner != (int)pi);
	m->port[pi].broken = false;
	take_line(m, pi);
	put(m, line, strlen(line));
	put(m, "\r\n", 2);
	m->owner = NO_OWNER;
	flush(m, now);
	spin_unlock(&m->lock);
}

void conmux_end_line(struct conmux *m, uint32_t pi)
{
	if (pi >= m->port_count)
		return;
	spin_lock(&m->lock);
	if (m->port[pi].len)
		emit(m, pi, true);
	if (m->owner == (int)pi)
		end_owner_line(m, false);
	m->port[pi].broken = false; /* that line is over: what comes next is new */
	termfilter_init(&m->port[pi].filter);
	m->asked &= ~(1U << pi);
	spin_unlock(&m->lock);
}

uint64_t conmux_poll(struct conmux *m)
{
	spin_lock(&m->lock);
	uint64_t now = m->now_ms();
	flush(m, now);
	uint64_t next = m->due_ms == NOT_DUE ? 0 : MAX(m->due_ms, now + 1);
	spin_unlock(&m->lock);
	return next;
}

uint32_t conmux_answer(struct conmux *m, uint32_t *port, uint8_t *out)
{
	uint32_t n = 0;

	spin_lock(&m->lock);
	for (uint32_t pi = 0; !n && m->asked && pi < m->port_count; pi++) {
		if (!(m->asked & (1U << pi)))
			continue;
		m->asked &= ~(1U << pi);
		*port = pi;
		n = termfilter_answer(&m->port[pi].filter, out);
	}
	spin_unlock(&m->lock);
	return n;
}

bool conmux_asked(const struct conmux *m)
{
	return __atomic_load_n(&m->asked, __ATOMIC_RELAXED) != 0;
}
uint32_t conmux_take_ready(struct conmux *m)
{
	spin_lock(&m->lock);
	uint32_t r = m->ready;
	m->ready = 0;
	spin_unlock(&m->lock);
	return r;
}

static void announce_focus(struct conmux *m)
{
	char line[96];

	fmt_snprintf(line, sizeof(line), "input goes to %s now (Ctrl-A three times switches)", m->port[m->focus].name);
	/* port 0 is the hypervisor's by convention (hv.c adds it first) */
	spin_unlock(&m->lock);
	conmux_line(m, 0, line);
	spin_lock(&m->lock);
}

void conmux_set_focus(struct conmux *m, uint32_t pi)
{
	spin_lock(&m->lock);
	if (pi < m->port_count && m->port[pi].takes_input) {
		m->focus = pi;
		announce_focus(m);
	}
	spin_unlock(&m->lock);
}

void conmux_input(struct conmux *m, uint8_t c, struct conmux_input *out)
{
	spin_lock(&m->lock);
	out->count = 0;
	out->switched = false;
	if (c == CONMUX_SWITCH_CHAR) {
		if (++m->switch_count == CONMUX_SWITCH_COUNT) {
			m->switch_count = 0;
			for (uint32_t i = 1; i <= m->port_count; i++) {
				uint32_t next = (m->focus + i) % m->port_count;
				if (m->port[next].takes_input) {
					m->focus = next;
					break;
				}
			}
			out->switched = true;
			announce_focus(m);
		}
	} else {
		for (uint32_t i = 0; i < m->switch_count; i++)
			out->bytes[out->count++] = CONMUX_SWITCH_CHAR;
		m->switch_count = 0;
		out->bytes[out->count++] = c;
	}
	out->port = m->focus;
	spin_unlock(&m->lock);
}
