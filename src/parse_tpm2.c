/* parse_tpm2.c — tpm2-pkcs11's debug log (TPM2_PKCS11_LOG_LEVEL=2, on
 * standard error): every PKCS#11 entry point logs
 *
 *   INFO on line: "97" in file: "src/pkcs11.c": enter "C_Initialize"
 *   ...its own messages (INFO, WARNING, ERROR) while it runs...
 *   INFO on line: "98" in file: "src/pkcs11.c": return "C_Initialize" value: 0
 *
 * (the format strings of src/lib/log.h and the TRACE_CALL/TRACE_RET macros
 * of src/pkcs11.c). No times, process or thread ids and no arguments: a
 * call is its name, its return value and the module's messages in between,
 * which become its detail lines (they say why a call failed). A return
 * closes the newest open call of that name; a C_Initialize after a
 * C_Finalize returned, or while calls are open, starts a new process
 * instance (the open calls never returned: incomplete).
 *
 * Data structure: the open calls are a callq.h queue, so events leave in
 * call-start order and a call that never returns leaves as incomplete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/callq.h"
#include "hsmscope/parser.h"
#include "hsmscope/pbase.h"

#define QMAX 64

struct hs_parser {
	struct hs_pbase b;          /* sink, file id, the open calls, counters, stop */
	int64_t inst;               /* process instance (0-based) */
	int finalized;              /* C_Finalize returned: a C_Initialize is a new process */
};

/* The message of a log line: after `LEVEL on line: "N" in file: "F": `
 * (verbose), `LEVEL: ` (quiet levels), or after `LEVEL:` of the TPM
 * software stack's own lines, `LEVEL:module:file.c:line:func() text` (the
 * library the module calls logs there too: a real trace of a failed
 * C_Login has `WARNING:esys:...Esys_Unseal_Finish() Received TPM Error`
 * between the module's lines). NULL when the line is not one. */
/* `module:` of a TSS log line (esys, tcti, sys, fapi...): lower-case
 * letters, digits and '_' then ':' */
static int tss_module(const char *q, const char *end)
{
	const char *s = q;

	while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
		q++;
	return q > s && q < end && *q == ':';
}

static const char *message(const char *s, size_t n, size_t *mlen)
{
	static const char *const levels[] = { "ERROR", "WARNING", "INFO", "UNKNOWN", NULL };
	const char *end = s + n, *q;
	int i;

	for (i = 0; levels[i]; i++) {
		size_t k = strlen(levels[i]);
		if (n > k && memcmp(s, levels[i], k) == 0 && (s[k] == ' ' || s[k] == ':'))
			break;
	}
	if (!levels[i])
		return NULL;
	q = s + strlen(levels[i]);
	if (end - q >= 11 && memcmp(q, " on line: \"", 11) == 0) {
		for (q += 11; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (end - q < 12 || memcmp(q, "\" in file: \"", 12) != 0)
			return NULL;
		for (q += 12; q < end && *q != '"'; q++)
			;
		if (end - q < 3 || memcmp(q, "\": ", 3) != 0)
			return NULL;
		q += 3;
	} else if (end - q >= 2 && q[0] == ':' && q[1] == ' ') {
		q += 2;
	} else if (end - q >= 3 && q[0] == ':' && tss_module(q + 1, end)) {
		q += 1;
	} else {
		return NULL;
	}
	*mlen = (size_t)(end - q);
	return q;
}

/* `enter "C_X"` / `return "C_X" value: N`: the function's name, and rv */
static int trace(const char *m, size_t n, const char **func, size_t *flen, int64_t *rv)
{
	const char *q, *end = m + n;
	int ret;

	if (n > 7 && memcmp(m, "enter \"", 7) == 0)
		q = m + 7, ret = 0;
	else if (n > 8 && memcmp(m, "return \"", 8) == 0)
		q = m + 8, ret = 1;
	else
		return -1;
	*func = q;
	while (q < end && *q != '"')
		q++;
	if (q >= end || q == *func)
		return -1;
	*flen = (size_t)(q - *func);
	if (!ret)
		return q + 1 == end ? 0 : -1;
	if (end - q < 9 || memcmp(q, "\" value: ", 9) != 0)
		return -1;
	{
		char num[24];
		size_t k = (size_t)(end - q - 9);
		char *e;
		if (k == 0 || k >= sizeof num)
			return -1;
		memcpy(num, q + 9, k);
		num[k] = '\0';
		*rv = (int64_t)strtoull(num, &e, 10);
		if (*e)
			return -1;
	}
	return 1;
}

static void enter(struct hs_parser *p, const char *s, size_t n, const char *func, size_t flen,
                  int64_t off, int64_t line)
{
	struct hs_callq_call *c;
	int i;

	/* a new process: after a C_Finalize, or while calls are open (their
	 * process died in them) */
	if (flen == 12 && memcmp(func, "C_Initialize", 12) == 0 &&
	    (p->finalized || hs_callq_oldest_open(&p->b.q))) {
		for (i = 0; i < p->b.q.count; i++)
			hs_callq_give_up(&p->b.q, hs_callq_at(&p->b.q, i));
		hs_callq_emit_front(&p->b.q, 0);
		p->inst++;
		p->finalized = 0;
	}
	if (!(c = hs_callq_new(&p->b.q))) {
		p->b.stop = 1;
		return;
	}
	c->pc.ev.format = "tpm2";
	c->pc.ev.file_id = p->b.file_id;
	c->pc.ev.offset = off;
	c->pc.ev.line = line;
	c->pc.ev.instance = p->inst;
	if (hs_p11call_func(&c->pc, func, flen) < 0) {
		hs_callq_discard(&p->b.q, c);
		hs_callq_skip(&p->b.q, NULL, line, off, "enter of something that is not a PKCS#11 function");
		return;
	}
	hs_callq_push(&p->b.q, c);
	if (hs_p11call_line(&c->pc, s, n) < 0 || hs_p11call_saw(&c->pc, line) < 0)
		p->b.stop = 1;
}

/* The newest open call named func (NULL: none) */
static struct hs_callq_call *open_named(struct hs_parser *p, const char *func, size_t flen)
{
	int i;

	for (i = p->b.q.count - 1; i >= 0; i--) {
		struct hs_callq_call *c = hs_callq_at(&p->b.q, i);
		if (!c->returned && strlen(c->pc.ev.func) == flen && memcmp(c->pc.ev.func, func, flen) == 0)
			return c;
	}
	return NULL;
}

static int tpm2_feed(struct hs_parser *p, const char *s, size_t n, int64_t off, int64_t line)
{
	const char *m, *func;
	size_t mlen, flen;
	int64_t rv = 0;
	struct hs_callq_call *c;
	int kind;

	if (p->b.stop)
		return 1;
	if (!(m = message(s, n, &mlen))) {
		/* a message of several lines goes on indented (sign.c's
		 * `mechanism: 0x1041` then `\thas_params: no`, `\tlen: 0`) */
		if (n && (s[0] == '\t' || s[0] == ' ') && (c = hs_callq_newest_open(&p->b.q))) {
			if (hs_p11call_line(&c->pc, s, n) < 0 || hs_p11call_saw(&c->pc, line) < 0)
				p->b.stop = 1;
			return p->b.stop;
		}
		if (n)
			hs_callq_skip(&p->b.q, hs_callq_newest_open(&p->b.q), line, off,
			              "not a tpm2-pkcs11 log line");
		return p->b.stop;
	}
	kind = trace(m, mlen, &func, &flen, &rv);
	if (kind == 0) {
		enter(p, s, n, func, flen, off, line);
	} else if (kind == 1) {
		if (!(c = open_named(p, func, flen))) {
			hs_callq_skip(&p->b.q, NULL, line, off, "return of a call whose enter is not in the log");
			return p->b.stop;
		}
		hs_p11call_line(&c->pc, s, n);
		if (hs_p11call_saw(&c->pc, line) < 0)
			p->b.stop = 1;
		hs_p11call_return(&c->pc, rv, NULL, 0);
		c->returned = 1;
		if (strcmp(c->pc.ev.func, "C_Finalize") == 0 && rv == 0)
			p->finalized = 1;
		hs_callq_emit_front(&p->b.q, 0);
	} else if ((c = hs_callq_newest_open(&p->b.q))) {
		/* the module's own message while a call runs: why it failed */
		if (hs_p11call_line(&c->pc, s, n) < 0 || hs_p11call_saw(&c->pc, line) < 0)
			p->b.stop = 1;
	} else {
		hs_callq_skip(&p->b.q, NULL, line, off, "tpm2-pkcs11 message outside any call");
	}
	return p->b.stop;
}

static int tpm2_probe(const char *const *lines, int nlines)
{
	int i, traced = 0, logged = 0;

	for (i = 0; i < nlines; i++) {
		size_t mlen, flen;
		const char *m = message(lines[i], strlen(lines[i]), &mlen), *f;
		int64_t rv;
		if (!m)
			continue;
		logged += strstr(lines[i], " on line: \"") != NULL;
		traced += trace(m, mlen, &f, &flen, &rv) >= 0 && flen > 2 && f[0] == 'C' && f[1] == '_';
	}
	return traced ? 90 : logged >= 2 ? 45 : 0;
}

static struct hs_parser *tpm2_create(const struct hs_sink *sink, const struct hs_parser_opts *o)
{
	return hs_pbase_create(sizeof(struct hs_parser), sink, o, sizeof(struct hs_callq_call), QMAX,
	                       NULL);
}

/* state: inst=<process instance> fin=<1: its C_Finalize returned> */
static void tpm2_resume(struct hs_parser *p, const char *state)
{
	int64_t inst, fin;

	if (hs_pstate_get_int(state, "inst", &inst) && inst >= 0 && hs_pstate_get_int(state, "fin", &fin)) {
		p->inst = inst;
		p->finalized = fin != 0;
	}
}

static void tpm2_finish(struct hs_parser *p, int64_t end_offset, int64_t end_line,
                        struct hs_parse_stats *st)
{
	struct hs_callq_call *c = hs_callq_oldest_open(&p->b.q);

	/* a refresh re-reads from the oldest call still open */
	hs_pstate_int(&p->b.state, "inst", c ? c->pc.ev.instance : p->inst);
	hs_pstate_int(&p->b.state, "fin", c ? 0 : p->finalized);
	hs_pbase_finish(&p->b, c ? c->pc.ev.offset : end_offset, c ? c->pc.ev.line : end_line, st);
}

static void tpm2_destroy(struct hs_parser *p) { hs_pbase_destroy(p ? &p->b : NULL); }

static const char *const tpm2_samples[] = {
	"INFO on line: \"97\" in file: \"src/pkcs11.c\": enter \"C_Initialize\"",
	"INFO on line: \"98\" in file: \"src/pkcs11.c\": return \"C_Initialize\" value: 0",
	"INFO on line: \"112\" in file: \"src/pkcs11.c\": enter \"C_GetSlotList\"",
	"INFO on line: \"113\" in file: \"src/pkcs11.c\": return \"C_GetSlotList\" value: 0",
	NULL,
};

HS_PARSER_DESC(tpm2, tpm2, "tpm2-pkcs11 debug log", 1);
