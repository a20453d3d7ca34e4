/* correlate_audit.c — correlation rules for CloudHSM audit logs (format
 * "cloudhsm"): one stream per HSM (events.hsm), in the order its log holds.
 *
 * State (see correlate_int.h): one au_stream per HSM with its last
 * sequence number and reboot counter and its open logins (oldest first);
 * audit keys share the object map, keyed by (-(stream + 1), 0, handle);
 * two bounded lists of marks (successful logins, key-sync events) feed the
 * cluster view computed at the end, when every stream has been read.
 *
 * Rules:
 *  - sequence numbers go up by one within a stream; a jump is a seq_gap on
 *    the event after it (also a seq_gaps row), a step back a seq_order; a
 *    changed reboot counter is a reboot (numbering starts again at 0, and
 *    every open login ends). The first event of a stream starting above 0
 *    is an excerpt, not a gap.
 *  - a login span is a successful CN_LOGIN of (user, type) → the CN_LOGOUT
 *    of the same user (the session handles may differ: the one of the
 *    login is preferred when several of the user's logins are open), or
 *    CN_APP_FINALIZE / CN_CLOSE_SESSION (which CloudHSM logs when the user
 *    did not log out: the user named, else the same session handle, else —
 *    for an app finalize — every open login of the stream), or a reboot;
 *  - every event is attributed to the users logged in on its stream at that
 *    moment (attributions row; login_id = the most recent open login), the
 *    login and logout events to their own user; a failed CN_LOGIN only to
 *    the user who tried, in no login span (it is not that user's session);
 *  - keys by handle: generate / create / unwrap / derive / insert (a key
 *    arriving by sync) create, destroy and tombstone end, the rest use;
 *  - at the end: the same user's logins on other streams within
 *    SAME_LOGIN_US are linked (same_login), and each
 *    INSERT_MASKED_OBJECT_USER is linked to the nearest
 *    EXTRACT_MASKED_OBJECT_USER of the same handle on another stream
 *    within SYNC_US (sync); with two or more streams loaded, one without a
 *    partner is sync_unmatched.
 */
#include "correlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is(const char *f, const char *name) { return strcmp(f, name) == 0; }

static int is_creator(const char *f)
{
	return is(f, "CN_GENERATE_KEY") || is(f, "CN_GENERATE_KEY_PAIR") || is(f, "CN_CREATE_OBJECT") ||
	       is(f, "CN_UNWRAP_KEY") || is(f, "CN_DERIVE_KEY") || is(f, "CN_INSERT_MASKED_OBJECT_USER");
}

static int stream_get(struct hs_correlator *c, const struct hs_event *e)
{
	struct au_stream *s;
	int i;

	for (i = c->nstreams - 1; i >= 0; i--)
		if (strcmp(c->streams[i].hsm, e->hsm) == 0)
			return i;
	if (c->nstreams == STREAMS_MAX) {
		c->dropped++;
		return -1;
	}
	if (c->nstreams == c->capstreams) {
		int cap = c->capstreams ? c->capstreams * 2 : 4;
		struct au_stream *ns = realloc(c->streams, (size_t)cap * sizeof *ns);
		if (!ns) {
			c->dropped++;
			return -1;
		}
		c->streams = ns;
		c->capstreams = cap;
	}
	s = &c->streams[c->nstreams];
	memset(s, 0, sizeof *s);
	hs_strlcpy(s->hsm, e->hsm, sizeof s->hsm);
	s->file_id = e->file_id;
	s->id = c->next_stream++;
	s->first_n = e->n;
	s->first_ts = s->last_ts = HS_NONE;
	return c->nstreams++;
}

static int add_mark(struct au_mark **v, int *n, int *cap, const struct au_mark *m)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 16;
		struct au_mark *nv;
		if (nc > MARKS_MAX)
			return -1;
		nv = realloc(*v, (size_t)nc * sizeof *nv);
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *m;
	return 0;
}

/* ---------------------------------------------------------------- logins */

static void count_in(struct au_login *l, const struct hs_event *e)
{
	l->calls++;
	l->last_n = e->n;
	if (!e->ok && !e->incomplete)
		l->errors++;
}

/* End open login i of stream s at n (HS_NONE: never). */
static int end_login(struct hs_correlator *c, struct au_stream *s, int i, int64_t n,
                     const char *state, int link)
{
	struct au_login l = s->logins[i];

	memmove(&s->logins[i], &s->logins[i + 1], (size_t)(s->nlogins - i - 1) * sizeof l);
	s->nlogins--;
	if (hs_corr_write_au_login(c, s, &l, n, state) < 0)
		return -1;
	return link ? hs_corr_link(c, l.login_n, n, "login") : 0;
}

/* The users logged in on s, comma-separated, each once. */
static void open_users(const struct au_stream *s, char *out, size_t len)
{
	size_t o = 0;
	int i, j;

	out[0] = '\0';
	for (i = 0; i < s->nlogins; i++) {
		for (j = 0; j < i && strcmp(s->logins[j].user, s->logins[i].user) != 0; j++)
			;
		if (j < i || !s->logins[i].user[0])
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "", s->logins[i].user);
		if (o >= len)
			break;
	}
}

/* The open login a logout of e->user ends: its own session first. */
static int match_user(const struct au_stream *s, const struct hs_event *e)
{
	int i, best = -1;

	for (i = s->nlogins - 1; i >= 0; i--) {
		if (strcmp(s->logins[i].user, e->user) != 0)
			continue;
		if (s->logins[i].session == e->session)
			return i;
		if (best < 0)
			best = i;
	}
	return best;
}

static int login_events(struct hs_correlator *c, int si, struct hs_event *e, char *users,
                        size_t ulen)
{
	struct au_stream *s = &c->streams[si];
	const char *f = e->func;
	int i;

	if (is(f, "CN_LOGIN")) {
		struct au_login *l;
		struct au_mark m;
		if (!e->ok) { /* who tried, not who was logged in; in no one's span */
			hs_strlcpy(users, e->user, ulen);
			return 0;
		}
		if (s->nlogins == AU_LOGINS_MAX) { /* too many open: the oldest is given up */
			c->dropped++;
			if (end_login(c, s, 0, HS_NONE, "open", 0) < 0)
				return -1;
		}
		l = &s->logins[s->nlogins++];
		memset(l, 0, sizeof *l);
		l->id = c->next_login++;
		l->login_n = e->n;
		l->session = e->session;
		l->user_type = e->user_type;
		hs_strlcpy(l->user, e->user, sizeof l->user);
		count_in(l, e);
		e->login_id = l->id;
		hs_strlcpy(users, e->user, ulen);
		memset(&m, 0, sizeof m);
		m.stream = si;
		m.n = e->n;
		m.ts = e->ts_us;
		m.v = e->user_type;
		hs_strlcpy(m.user, e->user, sizeof m.user);
		if (e->ts_us != HS_NONE &&
		    add_mark(&c->logmarks, &c->nlogmarks, &c->caplogmarks, &m) < 0)
			c->dropped++;
		return 0;
	}
	if (is(f, "CN_LOGOUT")) {
		hs_strlcpy(users, e->user, ulen);
		i = match_user(s, e);
		if (i >= 0) {
			count_in(&s->logins[i], e);
			e->login_id = s->logins[i].id;
			e->peer = s->logins[i].login_n;
			return e->ok ? end_login(c, s, i, e->n, "ended", 1) : 0;
		}
		if (e->ok && s->from_start && !s->reboots)
			return hs_corr_anomaly(c, e, e->n, HS_NONE, AN_LOGOUT_WITHOUT_LOGIN, 0,
			                    "CN_LOGOUT of %s with no CN_LOGIN before it on this HSM",
			                    e->user[0] ? e->user : "an unnamed user");
		return 0;
	}
	if (is(f, "CN_APP_FINALIZE") || is(f, "CN_CLOSE_SESSION")) {
		int end[AU_LOGINS_MAX], nend = 0;
		size_t o = 0;
		users[0] = '\0';
		if (e->user[0] && (i = match_user(s, e)) >= 0) {
			end[nend++] = i;
		} else {
			for (i = s->nlogins - 1; i >= 0; i--)
				if (s->logins[i].session == e->session)
					end[nend++] = i;
			for (i = s->nlogins - 1; !nend && i >= 0 && is(f, "CN_APP_FINALIZE"); i--)
				end[nend++] = i; /* the connection closed: every login on it */
		}
		for (i = 0; i < nend; i++) { /* indexes descend, so ending one keeps the rest */
			struct au_login *l = &s->logins[end[i]];
			count_in(l, e);
			if (e->login_id == HS_NONE) {
				e->login_id = l->id;
				e->peer = l->login_n;
			}
			if (o < ulen && !strstr(users, l->user))
				o += (size_t)snprintf(users + o, ulen - o, "%s%s", o ? "," : "", l->user);
			if (e->ok && end_login(c, s, end[i], e->n, "implicit", 1) < 0)
				return -1;
		}
		return 0;
	}
	open_users(s, users, ulen);
	if (s->nlogins) {
		e->login_id = s->logins[s->nlogins - 1].id;
		count_in(&s->logins[s->nlogins - 1], e);
	}
	return 0;
}

/* ------------------------------------------------------------------ keys */

static int key_events(struct hs_correlator *c, int si, struct hs_event *e)
{
	const char *f = e->func;
	int i;

	for (i = 0; i < e->nkeys; i++) {
		struct ckey k = { -(int64_t)si - 1, 0, e->keys[i].handle };
		int oi = hs_hmap_get(&c->obj_map, &k);
		struct obj *o = oi >= 0 ? SLAB_AT(&c->objs, oi, struct obj) : NULL;
		int sync = is(f, "CN_EXTRACT_MASKED_OBJECT_USER") ? 0 :
		           is(f, "CN_INSERT_MASKED_OBJECT_USER") ? 1 : -1;

		if (sync >= 0 && e->ok && e->ts_us != HS_NONE) {
			struct au_mark m;
			memset(&m, 0, sizeof m);
			m.stream = si;
			m.kind = sync;
			m.n = e->n;
			m.ts = e->ts_us;
			m.v = e->keys[i].handle;
			if (add_mark(&c->syncmarks, &c->nsyncmarks, &c->capsyncmarks, &m) < 0)
				c->dropped++;
		}
		if (e->ok && is_creator(f)) {
			if (o && o->live) {
				hs_strlcpy(o->state, "replaced", sizeof o->state);
				if (hs_corr_write_object(c, o, c->streams[si].hsm) < 0)
					return -1;
			}
			if (o)
				hs_obj_release(c, oi);
			if ((oi = hs_obj_new(c, &k, si)) < 0)
				continue;
			o = SLAB_AT(&c->objs, oi, struct obj);
			o->created_n = o->last_n = e->n;
			hs_strlcpy(o->cls, f, sizeof o->cls);
			continue;
		}
		if (o && !o->live) {
			if (hs_corr_anomaly(c, e, e->n, o->destroyed_n, AN_DESTROYED_HANDLE, 0,
			                 "key %lld was %s before (see ref)", (long long)e->keys[i].handle,
			                 o->state) < 0)
				return -1;
			continue;
		}
		if (!o) { /* created before the log */
			if ((oi = hs_obj_new(c, &k, si)) < 0)
				continue;
			o = SLAB_AT(&c->objs, oi, struct obj);
			o->found_n = e->n;
		} else {
			o->uses++;
		}
		o->last_n = e->n;
		if (e->ok && (is(f, "CN_DESTROY_OBJECT") || is(f, "CN_TOMBSTONE_OBJECT"))) {
			int64_t from = o->created_n != HS_NONE ? o->created_n : o->found_n;
			o->live = 0;
			o->destroyed_n = e->n;
			hs_strlcpy(o->state, is(f, "CN_DESTROY_OBJECT") ? "destroyed" : "tombstoned",
			           sizeof o->state);
			e->peer = from;
			if (hs_corr_write_object(c, o, c->streams[si].hsm) < 0 ||
			    hs_corr_link(c, from, e->n, "object") < 0)
				return -1;
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- event */

static void plural(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld event%s", (long long)v, v == 1 ? "" : "s");
}

int hs_au_event(struct hs_correlator *c, struct hs_event *e)
{
	int si = stream_get(c, e), rebooted = 0, i;
	struct au_stream *s;
	char a[32], b[32], m[32], users[256];

	if (si < 0)
		return 0;
	s = &c->streams[si];
	s->events++;
	s->last_n = e->n;
	if (!e->ok && !e->incomplete)
		s->errors++;
	if (e->ts_us != HS_NONE) {
		if (s->first_ts == HS_NONE || e->ts_us < s->first_ts)
			s->first_ts = e->ts_us;
		if (s->last_ts == HS_NONE || e->ts_us > s->last_ts)
			s->last_ts = e->ts_us;
	}
	if (e->reboot != HS_NONE) {
		if (s->have_reboot && e->reboot != s->reboot) {
			rebooted = 1;
			s->reboots++;
			if (hs_corr_anomaly(c, e, e->n, HS_NONE, AN_REBOOT, 0, "reboot counter %s → %s: the HSM restarted",
			                 hs_corr_hex(s->reboot, a, sizeof a), hs_corr_hex(e->reboot, b, sizeof b)) < 0)
				return -1;
			for (i = s->nlogins - 1; i >= 0; i--)
				if (end_login(c, s, i, e->n, "reboot", 0) < 0)
					return -1;
		}
		s->reboot = e->reboot;
		s->have_reboot = 1;
	}
	if (e->seq != HS_NONE) {
		int64_t missing = 0, after = s->seq;
		if (!s->have_seq)
			s->from_start = e->seq == 0;
		else if (rebooted)
			missing = e->seq, after = HS_NONE;
		else if (e->seq > s->seq + 1)
			missing = e->seq - s->seq - 1;
		else if (e->seq <= s->seq &&
		         hs_corr_anomaly(c, e, e->n, HS_NONE, AN_SEQ_ORDER, 0, e->seq == s->seq ?
		                      "sequence number %s repeated" :
		                      "sequence number went back from %s to %s with no reboot",
		                      hs_corr_hex(s->seq, a, sizeof a), hs_corr_hex(e->seq, b, sizeof b)) < 0)
			return -1;
		if (missing > 0) {
			plural(missing, m, sizeof m);
			s->gaps++;
			s->missing += missing;
			if (hs_corr_anomaly(c, e, e->n, HS_NONE, AN_SEQ_GAP, 0, "gap: %s → %s, %s missing",
			                 after == HS_NONE ? "reboot" : hs_corr_hex(after, a, sizeof a),
			                 hs_corr_hex(e->seq, b, sizeof b), m) < 0 ||
			    hs_corr_write_gap(c, e->n, s->hsm, after, e->seq, missing) < 0)
				return -1;
		}
		s->seq = e->seq;
		s->have_seq = 1;
	}
	if (login_events(c, si, e, users, sizeof users) < 0 ||
	    hs_corr_write_attr(c, e->n, users) < 0)
		return -1;
	return e->nkeys ? key_events(c, si, e) : 0;
}

/* ---------------------------------------------------------------- finish */

static int cmp_ts(const void *x, const void *y)
{
	const struct au_mark *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

static int cmp_sync(const void *x, const void *y)
{
	const struct au_mark *a = x, *b = y;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return cmp_ts(x, y);
}

static int same_logins(struct hs_correlator *c)
{
	int i, j;

	if (!c->nlogmarks)
		return 0;
	qsort(c->logmarks, (size_t)c->nlogmarks, sizeof *c->logmarks, cmp_ts);
	for (i = 0; i < c->nlogmarks; i++)
		for (j = i + 1; j < c->nlogmarks && c->logmarks[j].ts - c->logmarks[i].ts <= SAME_LOGIN_US;
		     j++) {
			const struct au_mark *a = &c->logmarks[i], *b = &c->logmarks[j];
			if (a->stream != b->stream && a->v == b->v && strcmp(a->user, b->user) == 0 &&
			    hs_corr_link(c, a->n, b->n, "same_login") < 0)
				return -1;
		}
	return 0;
}

static int key_syncs(struct hs_correlator *c)
{
	char *matched;
	int i, j, lo = 0, rc = 0;

	if (!c->nsyncmarks)
		return 0;
	matched = calloc((size_t)c->nsyncmarks, 1);
	if (!matched)
		return -1;
	qsort(c->syncmarks, (size_t)c->nsyncmarks, sizeof *c->syncmarks, cmp_sync);
	for (i = 0; i < c->nsyncmarks; i++) {
		const struct au_mark *in = &c->syncmarks[i];
		int best = -1;
		int64_t bd = 0;
		if (i && c->syncmarks[i - 1].v != in->v)
			lo = i;
		if (in->kind != 1)
			continue;
		for (j = lo; j < c->nsyncmarks && c->syncmarks[j].v == in->v; j++) {
			const struct au_mark *ex = &c->syncmarks[j];
			int64_t d = ex->ts > in->ts ? ex->ts - in->ts : in->ts - ex->ts;
			if (ex->kind != 0 || ex->stream == in->stream || d > SYNC_US)
				continue;
			if (best < 0 || d < bd)
				best = j, bd = d;
		}
		if (best >= 0) {
			matched[i] = matched[best] = 1;
			if ((rc = hs_corr_link(c, c->syncmarks[best].n, in->n, "sync")) < 0)
				break;
		}
	}
	for (i = 0; !rc && c->nstreams > 1 && i < c->nsyncmarks; i++) {
		const struct au_mark *m = &c->syncmarks[i];
		if (matched[i])
			continue;
		rc = hs_corr_anomaly(c, NULL, m->n, HS_NONE, AN_SYNC_UNMATCHED, 1, m->kind == 0 ?
		                  "key %lld was sent to the cluster, but no other loaded HSM log shows it"
		                  " arriving (INSERT_MASKED_OBJECT_USER)" :
		                  "key %lld arrived from the cluster, but no other loaded HSM log shows it"
		                  " sent (EXTRACT_MASKED_OBJECT_USER)", (long long)m->v);
	}
	free(matched);
	return rc;
}

int hs_au_finish(struct hs_correlator *c)
{
	int i, j;

	for (i = 0; i < c->nstreams; i++) {
		struct au_stream *s = &c->streams[i];
		for (j = 0; j < s->nlogins; j++) {
			const struct au_login *l = &s->logins[j];
			if (hs_corr_write_au_login(c, s, l, HS_NONE, "open") < 0 ||
			    hs_corr_anomaly(c, NULL, l->login_n, l->last_n, AN_LOGIN_UNENDED, 1,
			                 "login of %s never ended: no CN_LOGOUT, CN_APP_FINALIZE,"
			                 " CN_CLOSE_SESSION or reboot before the log ends",
			                 l->user[0] ? l->user : "an unnamed user") < 0)
				return -1;
		}
		if (hs_corr_write_stream(c, s) < 0)
			return -1;
	}
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && o->live && o->key.a < 0 &&
		    hs_corr_final_object(c, o, c->streams[-o->key.a - 1].hsm) < 0)
			return -1;
	}
	if (same_logins(c) < 0 || key_syncs(c) < 0)
		return -1;
	return 0;
}

void hs_au_free(struct hs_correlator *c)
{
	free(c->streams);
	free(c->logmarks);
	free(c->syncmarks);
	c->streams = NULL;
	c->logmarks = c->syncmarks = NULL;
}
