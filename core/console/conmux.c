// SPDX-License-Identifier: MIT
/*
 * The console multiplexer (see include/fv/conmux.h for the rules).
 *
 * Invariant: the port that holds the line (owner) has an empty buffer; its
 * bytes go straight to the UART. Every other port's bytes wait in its
 * buffer until they can be written as whole lines, or as a partial line
 * once the port has been quiet for CONMUX_IDLE_MS.
 */
#include <fv/conmux.h>
#include <fv/fmt.h>
#include <fv/string.h>

#define NO_OWNER (-1)

void conmux_init(struct conmux *m, void (*write)(const char *, size_t), uint64_t (*now_ms)(void))
{
	memset(m, 0, sizeof(*m));
	spin_lock_init(&m->lock);
	m->owner = NO_OWNER;
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
	if (takes_input && !m->port[m->focus].takes_input)
		m->focus = i;
	return i;
}

static void put(struct conmux *m, const char *s, size_t n)
{
	if (n)
		m->write(s, n);
}

/* End the owner's line; it continues later under a "[name]+ " prefix. */
static void break_line(struct conmux *m)
{
	if (m->owner != NO_OWNER) {
		put(m, "\r\n", 2);
		m->port[m->owner].broken = true;
		m->owner = NO_OWNER;
	}
}

static void take_line(struct conmux *m, uint32_t pi)
{
	char prefix[FV_NAME_MAX + 4];

	if (m->owner == (int)pi)
		return;
	break_line(m);
	int n = fmt_snprintf(prefix, sizeof(prefix), m->port[pi].broken ? "[%s]+ " : "[%s] ", m->port[pi].name);
	put(m, prefix, (size_t)n);
	m->port[pi].broken = false;
	m->owner = (int)pi;
	m->owner_bytes = 0;
}

static void consume(struct conmux *m, uint32_t pi, uint32_t n)
{
	struct conmux_port *p = &m->port[pi];

	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
	p->bytes_out += n;
	if (p->wants_tx_ready && CONMUX_BUF - p->len >= MAX(p->ready_room, 1U)) {
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
		put(m, (const char *)p->buf, n);
		m->owner_bytes += n;
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

static bool idle(const struct conmux *m, uint32_t pi, uint64_t now)
{
	return now - m->port[pi].last_ms >= CONMUX_IDLE_MS;
}

/*
 * May port pi write now? Only if nobody holds the line, or the holder is
 * quiet, or the holder has written a whole buffer's worth without ending
 * its line: a VM streaming one endless line must not silence the others.
 */
static bool line_free(const struct conmux *m, uint32_t pi, uint64_t now)
{
	return m->owner == NO_OWNER || m->owner == (int)pi || idle(m, (uint32_t)m->owner, now) ||
	       m->owner_bytes >= CONMUX_BUF;
}

static bool others_waiting(const struct conmux *m, uint32_t pi)
{
	for (uint32_t i = 0; i < m->port_count; i++)
		if (i != pi && m->port[i].len)
			return true;
	return false;
}

static bool has_line(const struct conmux_port *p)
{
	return p->len && memchr(p->buf, '\n', p->len);
}

/* Write whatever the rules allow now, in port order. */
static void flush(struct conmux *m, uint64_t now)
{
	for (uint32_t pi = 0; pi < m->port_count; pi++) {
		struct conmux_port *p = &m->port[pi];
		if (!p->len || !line_free(m, pi, now))
			continue;
		bool partial = idle(m, pi, now) || p->len == CONMUX_BUF;
		if (has_line(p) || partial)
			emit(m, pi, partial);
	}
}

/* One byte from port pi, under the lock. */
static bool putc_locked(struct conmux *m, uint32_t pi, uint8_t c)
{
	struct conmux_port *p = &m->port[pi];
	uint64_t now = m->now_ms();

	if (m->owner == (int)pi && m->owner_bytes >= CONMUX_BUF && others_waiting(m, pi)) {
		break_line(m); /* a whole buffer on one line: let the others speak */
		flush(m, now);
	}
	if (m->owner != (int)pi && p->len == CONMUX_BUF)
		flush(m, now); /* a full buffer may go out now, and leave this port holding the line */
	if (m->owner == (int)pi) {
		put(m, (const char *)&c, 1);
		p->bytes_out++;
		m->owner_bytes++;
		if (c == '\n')
			m->owner = NO_OWNER;
	} else {
		if (p->len == CONMUX_BUF) {
			told_full(m, pi);
			return false;
		}
		p->buf[p->len++] = c;
		if (c == '\n' || p->len == CONMUX_BUF)
			flush(m, now);
	}
	p->last_ms = now;
	return true;
}

bool conmux_putc(struct conmux *m, uint32_t pi, uint8_t c)
{
	if (pi >= m->port_count)
		return false;
	spin_lock(&m->lock);
	bool ok = putc_locked(m, pi, c);
	spin_unlock(&m->lock);
	return ok;
}

bool conmux_puts(struct conmux *m, uint32_t pi, const char *s)
{
	bool ok = true;

	if (pi >= m->port_count)
		return false;
	spin_lock(&m->lock);
	while (ok && *s)
		ok = putc_locked(m, pi, (uint8_t)*s++);
	spin_unlock(&m->lock);
	return ok;
}

bool conmux_room(struct conmux *m, uint32_t pi, uint32_t want)
{
	if (pi >= m->port_count || want > CONMUX_BUF)
		return false;
	spin_lock(&m->lock);
	struct conmux_port *p = &m->port[pi];
	if (m->owner != (int)pi && CONMUX_BUF - p->len < want)
		flush(m, m->now_ms()); /* answer as conmux_putc would */
	bool ok = m->owner == (int)pi || CONMUX_BUF - p->len >= want;
	if (!ok) {
		told_full(m, pi);
		if (want > p->ready_room)
			p->ready_room = want;
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
	if (m->port[pi].len) {
		break_line(m);
		emit(m, pi, true);
	}
	if (m->owner == (int)pi) {
		put(m, "\r\n", 2);
		m->owner = NO_OWNER;
	} else {
		break_line(m);
	}
	m->port[pi].broken = false;
	take_line(m, pi);
	put(m, line, strlen(line));
	put(m, "\r\n", 2);
	m->owner = NO_OWNER;
	m->port[pi].last_ms = m->now_ms();
	flush(m, m->port[pi].last_ms);
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
		break_line(m);
	m->port[pi].broken = false; /* that line is over: what comes next is new */
	spin_unlock(&m->lock);
}

uint64_t conmux_poll(struct conmux *m)
{
	uint64_t next = 0;

	spin_lock(&m->lock);
	uint64_t now = m->now_ms();
	flush(m, now);
	for (uint32_t pi = 0; pi < m->port_count; pi++) {
		const struct conmux_port *p = &m->port[pi];
		if (!p->len)
			continue;
		uint64_t t = p->last_ms + CONMUX_IDLE_MS;
		if (m->owner != NO_OWNER && m->port[m->owner].last_ms + CONMUX_IDLE_MS > t)
			t = m->port[m->owner].last_ms + CONMUX_IDLE_MS;
		if (t <= now)
			t = now + 1;
		if (!next || t < next)
			next = t;
	}
	spin_unlock(&m->lock);
	return next;
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
