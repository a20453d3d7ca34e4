/* correlate_checks.c — anomalies of call traces that a run of events shows,
 * not one call: repeated failed logins on one token (pin_retry_burst) and
 * a jump in the tracer's own call counter (call_no_gap). Hooked from
 * hs_p11_event (correlate_p11.c), which also flags call_before_initialize.
 *
 * State: c->pinruns, one entry per token (file, slot, user type) that had
 * a failed login, holding the run of CKR_PIN_INCORRECT since its last
 * successful login; and per process instance with a call counter a
 * struct cnt_win: the lowest number not seen yet and the event numbers of
 * the CNT_WIN numbers after it, so calls logged out of order (threads;
 * libpkcs11shim's deferred mode writes a call when it returns) fill their
 * place before a number is called missing.
 */
#include "correlate_int.h"

#include <stdlib.h>
#include <string.h>

#define CKR_PIN_INCORRECT 0xa0
#define PIN_BURST 3             /* failed logins in a row that make a burst */
#define CNT_WIN 64              /* numbers a call may be logged late by */

struct cnt_win {
	int64_t next;               /* lowest number not seen (every one below is seen or missing);
	                               past max when every number up to max is seen */
	int64_t max;                /* highest number seen */
	int64_t n_of[CNT_WIN];      /* events.n of number v at v % CNT_WIN (v in [next, next +
	                               CNT_WIN)), HS_NONE when not seen */
};

/* ------------------------------------------------------- failed logins */

static int pin_flag(struct hs_correlator *c, const struct pin_run *r, int at_end)
{
	char hb[32];

	return hs_corr_anomaly(c, NULL, r->first_n, r->last_n, AN_PIN_RETRY_BURST, at_end,
	                    "%lld logins in a row failed with CKR_PIN_INCORRECT on slot %s%s (ref: the"
	                    " last): the token may lock the PIN", (long long)r->count,
	                    r->slot == HS_NONE ? "?" : hs_corr_hex(r->slot, hb, sizeof hb),
	                    at_end ? ", and no login succeeded before the log ends" : "");
}

int hs_p11_pin_check(struct hs_correlator *c, int64_t slot, const struct hs_event *e)
{
	struct pin_run *r = NULL;
	int i, rc = 0;

	if (e->incomplete || (!e->ok && e->rv != CKR_PIN_INCORRECT))
		return 0; /* another error says nothing of the PIN */
	for (i = 0; i < c->npinruns; i++)
		if (c->pinruns[i].file_id == e->file_id && c->pinruns[i].slot == slot &&
		    c->pinruns[i].user_type == e->user_type)
			r = &c->pinruns[i];
	if (e->ok) { /* the token resets its counter */
		if (r && r->count >= PIN_BURST)
			rc = pin_flag(c, r, 0);
		if (r)
			*r = c->pinruns[--c->npinruns];
		return rc;
	}
	if (!r) {
		if (c->npinruns == c->cappinruns) {
			int cap = c->cappinruns ? c->cappinruns * 2 : 8;
			struct pin_run *nr;
			if (cap > PINRUNS_MAX || !(nr = realloc(c->pinruns, (size_t)cap * sizeof *nr))) {
				c->dropped++;
				return 0;
			}
			c->pinruns = nr;
			c->cappinruns = cap;
		}
		r = &c->pinruns[c->npinruns++];
		memset(r, 0, sizeof *r);
		r->file_id = e->file_id;
		r->slot = slot;
		r->user_type = e->user_type;
		r->first_n = e->n;
	}
	r->count++;
	r->last_n = e->n;
	return 0;
}

/* ------------------------------------------------------- call counter */

/* Numbers lo..hi never logged; `after` the event of the number after them. */
static int cnt_flag(struct hs_correlator *c, int64_t lo, int64_t hi, int64_t after, int at_end)
{
	return hs_corr_anomaly(c, NULL, after, HS_NONE, AN_CALL_NO_GAP, at_end,
	                    "the tracer's call counter jumped from %lld to %lld: %lld call%s missing"
	                    " from the log", (long long)(lo - 1), (long long)(hi + 1),
	                    (long long)(hi - lo + 1), hi == lo ? "" : "s");
}

/* Move the window's start past its first number: seen, or (when force)
 * given up as missing together with the unseen run that follows it. */
static int cnt_advance(struct hs_correlator *c, struct cnt_win *w, int at_end)
{
	int64_t lo = w->next, v = lo;

	while (v <= w->max && w->n_of[v % CNT_WIN] == HS_NONE)
		v++;
	if (v > w->max) /* nothing seen after: not a gap (yet) */
		return 0;
	if (v > lo && cnt_flag(c, lo, v - 1, w->n_of[v % CNT_WIN], at_end) < 0)
		return -1;
	for (; lo < v; lo++)
		w->n_of[lo % CNT_WIN] = HS_NONE;
	w->next = v;
	return 1;
}

/* Slide over the numbers seen at the window's start. */
static void cnt_slide(struct cnt_win *w)
{
	while (w->next <= w->max && w->n_of[w->next % CNT_WIN] != HS_NONE) {
		w->n_of[w->next % CNT_WIN] = HS_NONE;
		w->next++;
	}
}

int hs_p11_cnt_check(struct hs_correlator *c, struct p11_proc *p, struct hs_event *e)
{
	struct cnt_win *w = p->cnt;
	int64_t v = e->call_no;
	int i;

	if (v == HS_NONE || v < 0)
		return 0;
	if (!w) {
		if (!(w = p->cnt = malloc(sizeof *w))) {
			c->dropped++;
			return 0;
		}
		w->next = w->max = v; /* the log may start anywhere: no gap before its first */
		for (i = 0; i < CNT_WIN; i++)
			w->n_of[i] = HS_NONE;
	}
	if (v < w->next || (v < w->next + CNT_WIN && w->n_of[v % CNT_WIN] != HS_NONE))
		return 0; /* seen, or far behind: not the counter's news */
	while (v >= w->next + CNT_WIN) { /* a number that waited a whole window is missing */
		int rc = cnt_advance(c, w, 0);
		if (rc < 0)
			return -1;
		if (rc == 0) { /* nothing seen in the window: the jump ends at v */
			if (cnt_flag(c, w->next, v - 1, e->n, 0) < 0)
				return -1;
			for (i = 0; i < CNT_WIN; i++)
				w->n_of[i] = HS_NONE;
			w->next = v;
			break;
		}
		cnt_slide(w);
	}
	w->n_of[v % CNT_WIN] = e->n;
	if (v > w->max)
		w->max = v;
	cnt_slide(w);
	return 0;
}

int hs_p11_cnt_end(struct hs_correlator *c, struct p11_proc *p, int at_end)
{
	struct cnt_win *w = p->cnt;
	int rc = 0;

	while (w && w->next <= w->max && (rc = cnt_advance(c, w, at_end)) > 0)
		cnt_slide(w);
	free(w);
	p->cnt = NULL;
	return rc < 0 ? -1 : 0;
}

int hs_p11_checks_finish(struct hs_correlator *c)
{
	int i;

	for (i = 0; i < c->npinruns; i++)
		if (c->pinruns[i].count >= PIN_BURST && pin_flag(c, &c->pinruns[i], 1) < 0)
			return -1;
	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		if (p->used && p->cnt && hs_p11_cnt_end(c, p, 1) < 0)
			return -1;
	}
	return 0;
}

size_t hs_p11_cnt_size(void)
{
	return sizeof(struct cnt_win);
}

int hs_p11_cnt_check_loaded(const struct cnt_win *w)
{
	/* what hs_p11_cnt_check() keeps: max < next + CNT_WIN (the loops over
	 * the window count on it), and room to add CNT_WIN */
	return w->next >= 0 && w->next < INT64_MAX / 2 && w->max >= w->next - 1 &&
	       w->max < w->next + CNT_WIN ? 0 : -1;
}
