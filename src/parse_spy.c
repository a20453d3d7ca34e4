/* parse_spy.c — OpenSC pkcs11-spy logs, both header styles.
 *
 * A spy call looks like
 *     N: C_Name
 *     YYYY-MM-DD HH:MM:SS.mmm                      (OpenSC <= 0.23)
 *     P:<pid>; T:0x<tid> YYYY-MM-DD HH:MM:SS.mmm   (OpenSC >= 0.24)
 *     [in] ... / [out] ... / indented templates and hex dumps
 *     Returned:  <rv> <CKR_NAME>
 * and every process that loads the spy writes a banner and restarts N at 0.
 * Threads and processes appending to one file interleave at the granularity
 * of the spy's fprintf calls, so a call's lines can be apart.
 *
 * Data structure: `q` is a FIFO of calls in the order their headers were
 * read. A call stays in it until it has returned (or is given up as
 * incomplete) *and* every call before it has been emitted, so events leave
 * in header order. Which open call a line belongs to is decided per kind of
 * line: a timestamp goes to the newest call still without one, `[in]` to the
 * newest call, a hex dump to the newest call in the middle of a dump, and
 * `[out]` and `Returned:` to the oldest open call (the spy prints them when
 * the call returns, and with several threads in flight the one that entered
 * first is the likeliest to leave first). A thread that starts a new call
 * ends any older call of its own as incomplete: a thread is in one call at
 * a time.
 *
 * The parser only reads; redaction is applied to every event after it
 * leaves here (see redact.h), and the parser never copies a PIN dump into
 * the summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/ckconst.h"
#include "hsmscope/parser.h"

#define QMAX 256                /* calls held at once before the oldest is forced out */
#define MAX_INSTANCES 64        /* process instances remembered for attribution */

struct call {
	struct hs_event ev;         /* the event being built; owns its detail */
	int has_ts;                 /* timestamp line seen */
	int returned;               /* Returned: seen */
	int in_dump;                /* last line opened or continued a hex dump */
	int label_next;             /* the next hex line is CKA_LABEL's value */
	char mech[48];              /* pMechanism->type, for the summary */
	char label[48];             /* CKA_LABEL decoded, for the summary */
	int64_t found;              /* objects reported by C_FindObjects, -1 none */
};

struct instance {
	int64_t pid;                /* HS_NONE until a new-style header names it */
	int64_t last_n;             /* last call number seen, -1 none */
};

struct hs_parser {
	struct hs_sink sink;        /* where events go */
	int file_id;
	struct call *q[QMAX];       /* FIFO of calls, q[head .. head+count) mod QMAX */
	int head, count;
	struct call *spare;         /* one recycled call, to avoid malloc per call */
	struct instance inst[MAX_INSTANCES]; /* ring of recent instances */
	int64_t ninst;              /* instances seen (banners, plus one implicit) */
	int64_t unbound_from;       /* first instance whose pid is not known yet */
	int after_banner;           /* the previous line was the banner */
	int stop;                   /* the sink asked to stop */
	struct call *last;          /* call that took the last detail line (may be gone) */
	struct hs_parse_stats st;   /* running counters */
};

static const char banner_mark[] = "OpenSC PKCS#11 spy";

/* ---------------------------------------------------------------- helpers */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

static struct instance *inst_get(struct hs_parser *p, int64_t id)
{
	return &p->inst[id % MAX_INSTANCES];
}

static int64_t new_instance(struct hs_parser *p)
{
	int64_t id = p->ninst++;
	struct instance *in = inst_get(p, id);

	in->pid = HS_NONE;
	in->last_n = -1;
	return id;
}

/* "N: C_Name" (also "N: SetOperationState"), trailing blanks allowed. */
static int parse_header(const char *s, size_t n, int64_t *num, const char **name, size_t *nlen)
{
	size_t i = 0, j;

	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0 || i > 12 || i + 2 >= n || s[i] != ':' || s[i + 1] != ' ')
		return 0;
	j = i + 2;
	if (!(s[j] == 'C' || s[j] == 'S' || s[j] == 'M') )
		return 0;
	*name = s + j;
	while (j < n && (s[j] == '_' || is_digit(s[j]) || (s[j] >= 'A' && s[j] <= 'Z') ||
	                 (s[j] >= 'a' && s[j] <= 'z')))
		j++;
	*nlen = (size_t)(s + j - *name);
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j != n || *nlen < 3)
		return 0;
	hs_parse_int(s, num);
	return 1;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" at s; returns µs or HS_NONE. */
static int64_t parse_ts(const char *s, size_t n)
{
	int f[6], i, k = 0;
	long ms = 0;
	const char *p = s;
	static const char seps[] = "-- ::";

	if (n < 19)
		return HS_NONE;
	for (i = 0; i < 6; i++) {
		int v = 0, d = 0;
		while (is_digit(*p) && d < 4) {
			v = v * 10 + (*p++ - '0');
			d++;
		}
		if (!d)
			return HS_NONE;
		f[i] = v;
		if (i < 5 && *p++ != seps[i])
			return HS_NONE;
	}
	if (*p == '.') {
		p++;
		for (k = 0; k < 6 && is_digit(*p); k++)
			ms = ms * 10 + (*p++ - '0');
		while (k < 6) {
			ms *= 10;
			k++;
		}
	}
	if ((size_t)(p - s) != n)
		return HS_NONE;
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
		return HS_NONE;
	return hs_civil_to_us(f[0], f[1], f[2], f[3], f[4], f[5], ms);
}

/* "P:<pid>; T:0x<tid> <ts>" — the tid is printed in decimal after "0x" by
 * the spy; digits a-f mean it really is hex. */
static int parse_new_ts(const char *s, size_t n, int64_t *pid, int64_t *tid, int64_t *ts)
{
	const char *p = s, *end = s + n, *t;
	int64_t v = 0;
	int hex = 0;

	if (n < 10 || s[0] != 'P' || s[1] != ':')
		return 0;
	p += 2;
	if (!hs_parse_int(p, pid))
		return 0;
	while (p < end && is_digit(*p))
		p++;
	if (end - p < 6 || memcmp(p, "; T:", 4) != 0)
		return 0;
	p += 4;
	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (t = p; t < end && is_hex(*t); t++)
		if (!is_digit(*t))
			hex = 1;
	for (; p < t; p++) {
		int d = is_digit(*p) ? *p - '0' : (*p | 0x20) - 'a' + 10;
		v = hex ? v * 16 + d : v * 10 + d;
	}
	*tid = v;
	if (p >= end || *p != ' ')
		return 0;
	*ts = parse_ts(p + 1, (size_t)(end - p - 1));
	return *ts != HS_NONE;
}

static const char *find_sub(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	if (n < m)
		return NULL;
	for (i = 0; i + m <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
			return s + i;
	return NULL;
}

/* ------------------------------------------------------------ call queue */

static struct call *q_at(struct hs_parser *p, int i) { return p->q[(p->head + i) % QMAX]; }

static void summarize(struct call *c)
{
	struct hs_event *e = &c->ev;
	struct hs_buf b;
	int i;
	const char *u;

	hs_buf_init(&b);
	if (e->slot != HS_NONE)
		hs_buf_printf(&b, "slot=0x%llx ", (unsigned long long)e->slot);
	if (e->session != HS_NONE)
		hs_buf_printf(&b, "session=0x%llx ", (unsigned long long)e->session);
	if (e->user_type != HS_NONE) {
		u = hs_ck_name(HS_CK_USER, (uint64_t)e->user_type);
		if (u)
			hs_buf_printf(&b, "user=%s ", u);
		else
			hs_buf_printf(&b, "user=0x%llx ", (unsigned long long)e->user_type);
	}
	if (c->mech[0])
		hs_buf_printf(&b, "mech=%s ", c->mech);
	for (i = 0; i < e->nkeys; i++)
		hs_buf_printf(&b, "%s=0x%llx ", e->keys[i].role, (unsigned long long)e->keys[i].handle);
	if (c->label[0])
		hs_buf_printf(&b, "label=\"%s\" ", c->label);
	if (c->found >= 0)
		hs_buf_printf(&b, "found=%lld ", (long long)c->found);
	if (b.len && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	hs_strlcpy(e->summary, hs_buf_cstr(&b), sizeof e->summary);
	hs_buf_free(&b);
}

static void emit(struct hs_parser *p, struct call *c)
{
	if (!c->returned) {
		c->ev.incomplete = 1;
		p->st.incomplete++;
	}
	summarize(c);
	p->st.events++;
	if (!p->stop && p->sink.on_event(p->sink.ctx, &c->ev))
		p->stop = 1;
	if (!p->spare) {
		p->spare = c;
	} else {
		hs_event_free(&c->ev);
		free(c);
	}
	if (p->last == c)
		p->last = NULL;
}

/* Emit calls from the front while they are finished. */
static void drain(struct hs_parser *p)
{
	while (p->count && q_at(p, 0)->returned) {
		struct call *c = q_at(p, 0);
		p->head = (p->head + 1) % QMAX;
		p->count--;
		emit(p, c);
	}
}

/* Give up on the oldest call: it leaves as incomplete. */
static void force_front(struct hs_parser *p)
{
	struct call *c = q_at(p, 0);

	p->head = (p->head + 1) % QMAX;
	p->count--;
	emit(p, c);
	drain(p);
}

static struct call *new_call(struct hs_parser *p)
{
	struct call *c = p->spare;

	if (c) {
		p->spare = NULL;
		hs_event_reset(&c->ev);
	} else {
		c = malloc(sizeof *c);
		if (!c)
			return NULL;
		hs_event_init(&c->ev);
	}
	c->has_ts = c->returned = c->in_dump = c->label_next = 0;
	c->mech[0] = c->label[0] = '\0';
	c->found = -1;
	if (p->count == QMAX)
		force_front(p);
	p->q[(p->head + p->count) % QMAX] = c;
	p->count++;
	return c;
}

static struct call *newest_open(struct hs_parser *p)
{
	int i;

	for (i = p->count - 1; i >= 0; i--)
		if (!q_at(p, i)->returned)
			return q_at(p, i);
	return NULL;
}

static int is_open(struct hs_parser *p, const struct call *c)
{
	int i;

	for (i = 0; c && i < p->count; i++)
		if (q_at(p, i) == c)
			return !c->returned;
	return 0;
}

static struct call *oldest_open(struct hs_parser *p)
{
	int i;

	for (i = 0; i < p->count; i++)
		if (!q_at(p, i)->returned)
			return q_at(p, i);
	return NULL;
}

/* ---------------------------------------------------------- line kinds */

static int is_dump_line(const char *s, size_t n)
{
	size_t i;

	/* print_generic: "    0000001F  AB CD ..." */
	if (n >= 14 && memcmp(s, "    ", 4) == 0) {
		for (i = 4; i < 12 && is_hex(s[i]); i++)
			;
		if (i == 12 && s[12] == ' ' && s[13] == ' ')
			return 1;
	}
	return 0;
}

/* print_print: "    62617369 632D7273 61" or its ascii line "     b a s i" */
static int is_print_line(const char *s, size_t n)
{
	size_t i;
	int digits = 0;

	if (n < 5 || memcmp(s, "    ", 4) != 0)
		return 0;
	if (s[4] == ' ') {
		for (i = 4; i + 1 < n; i += 2)
			if (s[i] != ' ' && !(i + 2 < n && s[i] == ' '))
				return 0;
		return 1;
	}
	for (i = 4; i < n; i++) {
		if (is_hex(s[i]))
			digits++;
		else if (s[i] != ' ')
			return 0;
	}
	return digits >= 2 && digits % 2 == 0;
}

/* The last line opens a dump: "... <addr> / <len>" with len > 0. */
static int opens_dump(const char *s, size_t n)
{
	const char *slash = NULL;
	size_t i;

	for (i = n; i > 2; i--)
		if (s[i - 1] == '/' && s[i - 2] == ' ') {
			slash = s + i - 1;
			break;
		}
	if (!slash || slash + 2 > s + n)
		return 0;
	return slash[1] == ' ' && slash + 2 < s + n && slash[2] >= '1' && slash[2] <= '9';
}

static void decode_label(struct call *c, const char *s, size_t n)
{
	size_t i, o = strlen(c->label);

	for (i = 4; i + 1 < n && o + 1 < sizeof c->label; i++) {
		if (!is_hex(s[i]) || !is_hex(s[i + 1]))
			continue;
		int hi = is_digit(s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
		int lo = is_digit(s[i + 1]) ? s[i + 1] - '0' : (s[i + 1] | 0x20) - 'a' + 10;
		char ch = (char)(hi * 16 + lo);
		c->label[o++] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? ch : '.';
		i++;
	}
	c->label[o] = '\0';
}

/* Pick apart "[in] name = value" lines we know for the event's fields. */
static void note_param(struct call *c, const char *s, size_t n)
{
	const char *name, *eq, *end = s + n;
	size_t nl;
	int64_t v;
	char role[24];

	name = s[1] == 'i' ? s + 5 : s + 6;
	if (name >= end)
		return;
	eq = find_sub(name, (size_t)(end - name), " = ");
	if (!eq)
		return;
	nl = (size_t)(eq - name);
	eq += 3;
	if ((nl == 16 && memcmp(name, "pMechanism->type", 16) == 0) ||
	    (nl == 4 && memcmp(name, "type", 4) == 0)) {
		size_t ml = (size_t)(end - eq);
		while (ml && eq[ml - 1] == ' ')
			ml--;
		if (ml >= sizeof c->mech)
			ml = sizeof c->mech - 1;
		memcpy(c->mech, eq, ml);
		c->mech[ml] = '\0';
		return;
	}
	if (nl == 8 && memcmp(name, "userType", 8) == 0) {
		uint64_t u;
		char tmp[40];
		size_t ul = (size_t)(end - eq);
		while (ul && eq[ul - 1] == ' ')
			ul--;
		if (ul < sizeof tmp) {
			memcpy(tmp, eq, ul);
			tmp[ul] = '\0';
			if (hs_ck_lookup(tmp, &u, NULL))
				c->ev.user_type = (int64_t)u;
			else if (hs_parse_int(tmp, &v))
				c->ev.user_type = v;
		}
		return;
	}
	if (!hs_parse_int(eq, &v))
		return;
	if (*name == '*')
		name++, nl--;
	if (nl == 6 && memcmp(name, "slotID", 6) == 0)
		c->ev.slot = v;
	else if ((nl == 8 && memcmp(name, "hSession", 8) == 0) ||
	         (nl == 9 && memcmp(name, "phSession", 9) == 0))
		c->ev.session = v;
	else if (nl >= 2 && (name[0] == 'h' || (name[0] == 'p' && name[1] == 'h')) &&
	         nl < sizeof role && strncmp(name, "hSession", 8) != 0) {
		memcpy(role, name, nl);
		role[nl] = '\0';
		hs_event_add_key(&c->ev, v, role);
	} else if (nl == 13 && memcmp(name, "ulObjectCount", 13) == 0)
		c->found = v;
}

/* --------------------------------------------------------------- parser */

static int add_detail(struct hs_parser *p, struct call *c, const char *s, size_t n)
{
	if (hs_event_add_line(&c->ev, s, n) < 0) {
		p->stop = 1; /* out of memory: stop rather than lose data silently */
		return -1;
	}
	return 0;
}

static void on_returned(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *c = oldest_open(p);
	const char *q = hs_skip_ws(s + 10), *end = s + n;
	int64_t rv;
	int used;
	size_t k;

	if (!c) {
		if (p->sink.on_skip)
			p->sink.on_skip(p->sink.ctx, lineno, off, "'Returned:' without a call");
		p->st.skipped++;
		return;
	}
	used = hs_parse_int(q, &rv);
	if (used) {
		const char *nm = hs_skip_ws(q + used), *known;
		c->ev.rv = rv;
		k = (size_t)(end - nm);
		while (k && nm[k - 1] == ' ')
			k--;
		known = hs_ck_name(HS_CK_RV, (uint64_t)rv);
		if (k && !(k == 6 && memcmp(nm, "(null)", 6) == 0) && k < sizeof c->ev.rv_name) {
			memcpy(c->ev.rv_name, nm, k);
			c->ev.rv_name[k] = '\0';
		} else if (known) {
			hs_strlcpy(c->ev.rv_name, known, sizeof c->ev.rv_name);
		} else {
			snprintf(c->ev.rv_name, sizeof c->ev.rv_name, "0x%llx", (unsigned long long)rv);
		}
		c->ev.ok = rv == 0;
	}
	c->returned = 1;
	drain(p);
}

static void on_header(struct hs_parser *p, int64_t num, const char *name, size_t nlen,
                      int64_t off, int64_t lineno)
{
	int64_t id = p->ninst - 1, k;
	struct call *c;

	/* Old-style logs carry no pid: when processes interleave, a call whose
	 * number continues another live instance's count belongs to it. */
	if (!p->after_banner && inst_get(p, id)->last_n + 1 != num) {
		for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
			if (inst_get(p, k)->last_n + 1 == num) {
				id = k;
				break;
			}
	}
	p->after_banner = 0;
	c = new_call(p);
	if (!c) {
		p->stop = 1;
		return;
	}
	c->ev.format = "spy";
	c->ev.file_id = p->file_id;
	c->ev.offset = off;
	c->ev.line = lineno;
	c->ev.call_no = num;
	c->ev.instance = id;
	if (nlen >= sizeof c->ev.func)
		nlen = sizeof c->ev.func - 1;
	memcpy(c->ev.func, name, nlen);
	c->ev.func[nlen] = '\0';
	inst_get(p, id)->last_n = num;
}

/* A new-style timestamp names the process and thread: bind the call to the
 * instance of that pid, or to the newest instance whose pid is not known. */
static void bind_pid(struct hs_parser *p, struct call *c, int64_t pid, int64_t tid)
{
	int64_t k, id = HS_NONE;
	int i;

	c->ev.pid = pid;
	c->ev.tid = tid;
	for (k = p->ninst - 1; k >= 0 && k >= p->ninst - MAX_INSTANCES; k--)
		if (inst_get(p, k)->pid == pid) {
			id = k;
			break;
		}
	/* A restarted count (N == 0) with an unbound banner means a new process
	 * that happens to reuse the pid. */
	if (id == HS_NONE || (c->ev.call_no == 0 && p->unbound_from < p->ninst)) {
		if (p->unbound_from < p->ninst)
			id = p->unbound_from++;
		else
			id = new_instance(p), p->unbound_from = p->ninst;
		inst_get(p, id)->pid = pid;
	}
	c->ev.instance = id;
	/* A thread is in one call at a time: its older open calls are over. */
	for (i = 0; i < p->count; i++) {
		struct call *o = q_at(p, i);
		if (o != c && !o->returned && o->ev.pid == pid && o->ev.tid == tid)
			o->returned = 1, o->ev.incomplete = 1, p->st.incomplete++;
	}
}

static void on_detail(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	struct call *c = NULL;
	int dump = is_dump_line(s, n), print = !dump && is_print_line(s, n);
	int i;

	if (dump || print) {
		for (i = p->count - 1; i >= 0; i--) {
			struct call *o = q_at(p, i);
			if (!o->returned && o->in_dump) {
				c = o;
				break;
			}
		}
	}
	if (!c) {
		if (s[0] == '[' && s[1] == 'o')
			c = oldest_open(p);
		else if (s[0] == '[')
			c = newest_open(p);
		else if (is_open(p, p->last))
			c = p->last; /* a continuation stays with the call before it */
		else
			c = newest_open(p);
	}
	if (!c) {
		if (p->sink.on_skip)
			p->sink.on_skip(p->sink.ctx, lineno, off, "text outside any call");
		p->st.skipped++;
		return;
	}
	p->last = c;
	if (add_detail(p, c, s, n) < 0)
		return;
	if (s[0] == '[' && (s[1] == 'i' || s[1] == 'o'))
		note_param(c, s, n);
	if (dump || print) {
		if (c->label_next && print && s[4] != ' ')
			decode_label(c, s, n);
		c->in_dump = 1;
		return;
	}
	c->label_next = 0;
	c->in_dump = opens_dump(s, n);
	if (n > 13 && memcmp(s, "    CKA_LABEL ", 14) == 0)
		c->label_next = 1, c->label[0] = '\0';
	else if (n > 6 && memcmp(s, "Object ", 7) == 0) {
		int64_t h;
		if (hs_parse_int(s + 7, &h))
			hs_event_add_key(&c->ev, h, "found");
	}
}

static int is_elision(const char *s, size_t n)
{
	size_t i, dots = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return dots >= 3;
}

/* A line may hold pieces of several: "[in] type = X    [out] pInfo:" or
 * "...0x80001234Returned:  112 CKR_...". Split and handle each piece. */
static int feed_piece(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	const char *r;

	if (n == 0)
		return 0;
	if (n >= 10 && memcmp(s, "Returned:", 9) == 0) {
		on_returned(p, s, n, off, lineno);
		return 0;
	}
	r = find_sub(s, n, "Returned:  ");
	if (r && r > s) {
		feed_piece(p, s, (size_t)(r - s), off, lineno);
		on_returned(p, r, n - (size_t)(r - s), off, lineno);
		return 0;
	}
	if (s[0] == '[') {
		const char *g = n > 6 ? find_sub(s + 4, n - 4, "[out] ") : NULL;
		if (!g && n > 6)
			g = find_sub(s + 4, n - 4, "[in] ");
		if (g && g[-1] == ' ') {
			size_t a = (size_t)(g - s);
			while (a && s[a - 1] == ' ')
				a--;
			on_detail(p, s, a, off, lineno);
			return feed_piece(p, g, n - (size_t)(g - s), off, lineno);
		}
	}
	on_detail(p, s, n, off, lineno);
	return 0;
}

static int spy_feed(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t lineno)
{
	int64_t num, ts, pid, tid;
	const char *name;
	size_t nlen, t = n;

	while (t && (s[t - 1] == ' ' || s[t - 1] == '\t'))
		t--;
	if (t == 0)
		return p->stop;
	if (s[0] == '*' && find_sub(s, t, banner_mark)) {
		new_instance(p);
		p->after_banner = 1;
		return p->stop;
	}
	if (s[0] == 'L' && t > 8 && memcmp(s, "Loaded: ", 8) == 0)
		return p->stop;
	if (is_digit(s[0])) {
		if (parse_header(s, t, &num, &name, &nlen)) {
			on_header(p, num, name, nlen, off, lineno);
			return p->stop;
		}
		ts = parse_ts(s, t);
		if (ts != HS_NONE) {
			struct call *c = NULL;
			int i;
			for (i = p->count - 1; i >= 0; i--)
				if (!q_at(p, i)->has_ts && !q_at(p, i)->returned) {
					c = q_at(p, i);
					break;
				}
			if (c) {
				c->ev.ts_us = ts;
				c->has_ts = 1;
				return p->stop;
			}
		}
	}
	if (s[0] == 'P' && s[1] == ':' && parse_new_ts(s, t, &pid, &tid, &ts)) {
		struct call *c = NULL;
		int i;
		for (i = p->count - 1; i >= 0; i--)
			if (!q_at(p, i)->has_ts && !q_at(p, i)->returned) {
				c = q_at(p, i);
				break;
			}
		if (c) {
			c->ev.ts_us = ts;
			c->has_ts = 1;
			bind_pid(p, c, pid, tid);
			drain(p);
			return p->stop;
		}
	}
	if (is_elision(s, t)) {
		if (p->sink.on_skip)
			p->sink.on_skip(p->sink.ctx, lineno, off, "elision");
		p->st.skipped++;
		return p->stop;
	}
	feed_piece(p, s, t, off, lineno);
	return p->stop;
}

static struct hs_parser *spy_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	struct hs_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->sink = *sink;
	p->file_id = o->file_id;
	/* Text before any banner (a log cut from the middle) is instance 0. */
	new_instance(p);
	p->unbound_from = 0;
	return p;
}

static void spy_resume(struct hs_parser *p, const char *state)
{
	long long k;

	if (state && sscanf(state, "instances=%lld", &k) == 1 && k > 0) {
		p->ninst = k;
		p->unbound_from = k;
		inst_get(p, k - 1)->pid = HS_NONE;
		inst_get(p, k - 1)->last_n = -1;
	}
}

static void spy_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                       struct hs_parse_stats *st)
{
	int64_t safe = end_offset, safe_line = end_line;
	int64_t open_instances;

	if (p->count) {
		/* The oldest unfinished call is where a refresh must start again. */
		struct call *c = oldest_open(p);
		if (c) {
			safe = c->ev.offset;
			safe_line = c->ev.line;
		}
	}
	open_instances = p->ninst;
	while (p->count)
		force_front(p);
	p->st.safe_offset = safe;
	p->st.safe_line = safe_line;
	snprintf(p->st.state, sizeof p->st.state, "instances=%lld", (long long)open_instances);
	*st = p->st;
}

static void spy_destroy(struct hs_parser *p)
{
	if (!p)
		return;
	while (p->count) {
		struct call *c = q_at(p, 0);
		p->head = (p->head + 1) % QMAX;
		p->count--;
		hs_event_free(&c->ev);
		free(c);
	}
	if (p->spare) {
		hs_event_free(&p->spare->ev);
		free(p->spare);
	}
	free(p);
}

static int spy_probe(const char *const *lines, int nlines)
{
	int i, score = 0;
	int64_t num, ts, pid, tid;
	const char *name;
	size_t nlen;

	for (i = 0; i < nlines; i++) {
		const char *s = lines[i];
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
			n--;
		if (n > 18 && find_sub(s, n, banner_mark))
			score += 60;
		else if (n > 10 && memcmp(s, "Returned:  ", 11) == 0)
			score += 15;
		else if (parse_header(s, n, &num, &name, &nlen) && name[0] == 'C' && name[1] == '_')
			score += 15;
		else if (parse_new_ts(s, n, &pid, &tid, &ts))
			score += 10;
	}
	return score > 100 ? 100 : score;
}

static const char *const spy_samples[] = {
	"",
	"*************** OpenSC PKCS#11 spy *****************",
	"Loaded: \"/usr/lib/softhsm/libsofthsm2.so\"",
	"",
	"0: C_Initialize",
	"2026-11-22 12:03:09.513",
	"[in] pInitArgs = (nil)",
	"Returned:  0 CKR_OK",
	NULL,
};

const struct hs_parser_desc hs_parser_spy = {
	.name = "spy",
	.title = "OpenSC pkcs11-spy",
	.call_trace = 1,
	.probe = spy_probe,
	.create = spy_create,
	.resume = spy_resume,
	.feed_line = spy_feed,
	.finish = spy_finish,
	.destroy = spy_destroy,
	.samples = spy_samples,
};
