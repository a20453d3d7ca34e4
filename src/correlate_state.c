/* correlate_state.c — the correlator's state as bytes, so that a refresh
 * goes on from where the last run stopped instead of replaying every
 * stored event.
 *
 * Layout (native byte order: the blob is a cache kept inside an index this
 * build wrote, never exchanged): a header with a magic, a version and the
 * size of every record type (a build whose records differ refuses the blob),
 * the id counters, then each slab as its high-water mark, its free list and
 * its records as they are in memory, followed by what the records own
 * (a process's slots and call counter window, an object's label and id),
 * then the audit streams, the marks and the failed-login runs. Hash maps are
 * not saved: they are rebuilt from the records' keys.
 *
 * Loading trusts nothing: every count is bounded, every index a record holds
 * must name a record in use of the right kind, every string is cut to its
 * array, every pointer read is thrown away. Any doubt gives -1 and a fresh
 * state; the caller then replays the stored events, which is slow but right.
 */
#include "correlate_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC "HSCORRST"
#define STATE_VERSION 2 /* 2: seen_n */
#define STR_MAX (1u << 20)      /* a label or CKA_ID longer than this is not ours */
#define SLOTS_MAX 65536         /* slots per process */
#define NO_STR 0xffffffffu

/* ---------------------------------------------------------------- write */

static int put(struct hs_buf *b, const void *p, size_t n)
{
	return n ? hs_buf_add(b, p, n) : 0;
}

static int put_i64(struct hs_buf *b, int64_t v)
{
	return put(b, &v, sizeof v);
}

static int put_str(struct hs_buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : NO_STR;

	if (s && strlen(s) >= STR_MAX)
		n = STR_MAX - 1;
	return put(b, &n, sizeof n) || (s && put(b, s, n)) ? -1 : 0;
}

static int put_slab(struct hs_buf *b, const struct slab *s)
{
	return put_i64(b, s->hi) || put_i64(b, s->nfree) ||
	       put(b, s->freel, (size_t)s->nfree * sizeof *s->freel) ||
	       put(b, s->rec, (size_t)s->hi * s->size) ? -1 : 0;
}

/* The header's record sizes: a blob from a build with other records is not read. */
static void sizes(int64_t v[9])
{
	v[0] = (int64_t)sizeof(struct p11_proc);
	v[1] = (int64_t)sizeof(struct p11_sess);
	v[2] = (int64_t)sizeof(struct obj);
	v[3] = (int64_t)sizeof(struct p11_slot);
	v[4] = (int64_t)sizeof(struct au_stream);
	v[5] = (int64_t)sizeof(struct au_mark);
	v[6] = (int64_t)sizeof(struct pin_run);
	v[7] = (int64_t)hs_p11_cnt_size();
	v[8] = hs_p11_nops();
}

int hs_correlate_save(const struct hs_correlator *c, int clean, struct hs_buf *out)
{
	size_t base = out->len, at;
	int64_t sz[9];
	uint32_t ver = STATE_VERSION;
	int i;

	sizes(sz);
	if (put(out, STATE_MAGIC, 8) || put(out, &ver, sizeof ver) || put(out, sz, sizeof sz) ||
	    put_i64(out, c->next_process) || put_i64(out, c->next_session) ||
	    put_i64(out, c->next_login) || put_i64(out, c->next_span) ||
	    put_i64(out, c->next_object) || put_i64(out, c->next_stream) || put_i64(out, c->dropped) ||
	    put_i64(out, c->seen_n))
		return -1;
	/* processes; each row hash says what the store will hold once
	 * finish() ran (clean), or nothing known (0: written again) */
	at = out->len;
	if (put_slab(out, &c->procs))
		return -1;
	for (i = 0; i < c->procs.hi; i++) {
		const struct p11_proc *p = SLAB_AT(&c->procs, i, struct p11_proc);
		uint64_t h = !clean || !p->used ? 0
		             : hs_corr_process_unchanged(c, p) ? p->row_hash : hs_corr_process_hash(p);
		char *rec = out->data + at + 2 * sizeof(int64_t) + (size_t)c->procs.nfree * sizeof(int) +
		            (size_t)i * c->procs.size;
		memcpy(rec + offsetof(struct p11_proc, row_hash), &h, sizeof h);
		/* no addresses in the bytes: they are not read back, and would
		 * make every saved chunk differ from the last (corrstore.h) */
		memset(rec + offsetof(struct p11_proc, slots), 0, sizeof p->slots);
		memset(rec + offsetof(struct p11_proc, cnt), 0, sizeof p->cnt);
		memset(rec + offsetof(struct p11_proc, capslots), 0, sizeof p->capslots); /* load's own */
		if (!p->used)
			continue;
		size_t sat = out->len + sizeof(int64_t);
		int j;
		if (put_i64(out, p->nslots) || put(out, p->slots, (size_t)p->nslots * sizeof *p->slots))
			return -1;
		for (j = 0; j < p->nslots; j++) { /* what the store holds once finish() ran */
			uint64_t lh = clean && p->slots[j].login_id ? hs_corr_end_login_hash(p, &p->slots[j]) : 0;
			memcpy(out->data + sat + (size_t)j * sizeof *p->slots + offsetof(struct p11_slot, row_hash),
			       &lh, sizeof lh);
		}
		if (
		    put_i64(out, p->cnt != NULL) || (p->cnt && put(out, p->cnt, hs_p11_cnt_size())))
			return -1;
	}
	at = out->len;
	if (put_slab(out, &c->sess))
		return -1;
	for (i = 0; i < c->sess.hi; i++) {
		const struct p11_sess *s = SLAB_AT(&c->sess, i, struct p11_sess);
		uint64_t h = clean && s->used ? hs_corr_end_session_hash(c, s) : 0;
		char *rec = out->data + at + 2 * sizeof(int64_t) + (size_t)c->sess.nfree * sizeof(int) +
		            (size_t)i * c->sess.size;
		memcpy(rec + offsetof(struct p11_sess, row_hash), &h, sizeof h);
	}
	at = out->len;
	if (put_slab(out, &c->objs))
		return -1;
	for (i = 0; i < c->objs.hi; i++) {
		const struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		uint64_t h = 0;
		if (clean && o->used && o->live)
			h = hs_corr_object_hash(c, o, o->key.a >= 0 ? NULL : c->streams[-(o->key.a + 1)].hsm);
		char *rec = out->data + at + 2 * sizeof(int64_t) + (size_t)c->objs.nfree * sizeof(int) +
		            (size_t)i * c->objs.size;
		memcpy(rec + offsetof(struct obj, row_hash), &h, sizeof h);
		memset(rec + offsetof(struct obj, label), 0, sizeof o->label);
		memset(rec + offsetof(struct obj, obj_id), 0, sizeof o->obj_id);
		if (o->used && (put_str(out, o->label) || put_str(out, o->obj_id)))
			return -1;
	}
	if (put_i64(out, c->nstreams) || put(out, c->streams, (size_t)c->nstreams * sizeof *c->streams) ||
	    put_i64(out, c->nlogmarks) || put(out, c->logmarks, (size_t)c->nlogmarks * sizeof *c->logmarks) ||
	    put_i64(out, c->nsyncmarks) ||
	    put(out, c->syncmarks, (size_t)c->nsyncmarks * sizeof *c->syncmarks) ||
	    put_i64(out, c->npinruns) || put(out, c->pinruns, (size_t)c->npinruns * sizeof *c->pinruns) ||
	    put(out, STATE_MAGIC, 8)) {
		out->len = base;
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- read */

struct rd {
	const unsigned char *p, *end;
};

static int get(struct rd *r, void *dst, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	if (n)
		memcpy(dst, r->p, n);
	r->p += n;
	return 0;
}

/* An int64 in [lo, hi] into *v. */
static int get_i64(struct rd *r, int64_t lo, int64_t hi, int64_t *v)
{
	return get(r, v, sizeof *v) || *v < lo || *v > hi ? -1 : 0;
}

/* An owned string or NULL into *s. */
static int get_str(struct rd *r, char **s)
{
	uint32_t n;

	*s = NULL;
	if (get(r, &n, sizeof n))
		return -1;
	if (n == NO_STR)
		return 0;
	if (n >= STR_MAX || (size_t)(r->end - r->p) < n || !(*s = malloc((size_t)n + 1)))
		return -1;
	memcpy(*s, r->p, n);
	(*s)[n] = '\0';
	r->p += n;
	return 0;
}

/* A slab whose records all have `int used` first: hi, the free list (each
 * index once, each a record not in use, every record not in use listed). */
static int get_slab(struct rd *r, struct slab *s)
{
	int64_t hi, nfree;
	char *seen = NULL;
	int i, rc = -1;

	if (get_i64(r, 0, s->max, &hi) || get_i64(r, 0, hi, &nfree))
		return -1;
	/* on failure nothing read stays: the records' pointers are not ours */
	if (hi == 0)
		return 0;
	s->rec = malloc((size_t)hi * s->size);
	s->freel = malloc((size_t)hi * sizeof *s->freel);
	seen = calloc((size_t)hi, 1);
	if (!s->rec || !s->freel || !seen)
		goto out;
	s->cap = s->hi = (int)hi;
	s->nfree = (int)nfree;
	if (get(r, s->freel, (size_t)nfree * sizeof *s->freel) ||
	    get(r, s->rec, (size_t)hi * s->size))
		goto out;
	for (i = 0; i < s->nfree; i++) {
		int k = s->freel[i];
		if (k < 0 || k >= s->hi || seen[k] || *(int *)(void *)(s->rec + (size_t)k * s->size))
			goto out;
		seen[k] = 1;
	}
	for (i = 0; i < s->hi; i++) {
		int used = *(int *)(void *)(s->rec + (size_t)i * s->size);
		if (used != 0 && used != 1)
			goto out;
		if (!used && !seen[i])
			goto out;
	}
	s->live = s->hi - s->nfree;
	rc = 0;
out:
	free(seen);
	if (rc) {
		free(s->rec);
		free(s->freel);
		s->rec = NULL;
		s->freel = NULL;
		s->hi = s->cap = s->nfree = s->live = 0;
	}
	return rc;
}

static int proc_ok(const struct hs_correlator *c, int pi)
{
	return pi >= 0 && pi < c->procs.hi && SLAB_AT(&c->procs, pi, struct p11_proc)->used;
}

static void cut(char *s, size_t n)
{
	s[n - 1] = '\0';
}

static int load(struct hs_correlator *c, struct rd *r)
{
	char magic[8];
	uint32_t ver;
	int64_t sz[9], want[9], v;
	int i, j;

	sizes(want);
	if (get(r, magic, 8) || memcmp(magic, STATE_MAGIC, 8) || get(r, &ver, sizeof ver) ||
	    ver != STATE_VERSION || get(r, sz, sizeof sz) || memcmp(sz, want, sizeof sz))
		return -1;
	if (get_i64(r, 1, INT64_MAX / 2, &c->next_process) ||
	    get_i64(r, 1, INT64_MAX / 2, &c->next_session) ||
	    get_i64(r, 1, INT64_MAX / 2, &c->next_login) || get_i64(r, 1, INT64_MAX / 2, &c->next_span) ||
	    get_i64(r, 1, INT64_MAX / 2, &c->next_object) ||
	    get_i64(r, 1, INT64_MAX / 2, &c->next_stream) || get_i64(r, 0, INT64_MAX / 2, &c->dropped) ||
	    get_i64(r, 0, INT64_MAX / 2, &c->seen_n))
		return -1;
	c->stable_n = c->seen_n;

	/* processes: pointers first, so that a failure frees only what was read */
	if (get_slab(r, &c->procs))
		return -1;
	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		p->slots = NULL;
		p->cnt = NULL;
		p->nslots = p->capslots = 0;
	}
	for (i = 0; i < c->procs.hi; i++) {
		struct p11_proc *p = proc_at(c, i);
		if (!p->used)
			continue;
		if (get_i64(r, 0, SLOTS_MAX, &v))
			return -1;
		if (v > 0) {
			if (!(p->slots = malloc((size_t)v * sizeof *p->slots)))
				return -1;
			p->nslots = p->capslots = (int)v;
			if (get(r, p->slots, (size_t)v * sizeof *p->slots))
				return -1;
		}
		if (get_i64(r, 0, 1, &v))
			return -1;
		if (v) {
			if (!(p->cnt = malloc(hs_p11_cnt_size())) || get(r, p->cnt, hs_p11_cnt_size()) ||
			    hs_p11_cnt_check_loaded(p->cnt) < 0)
				return -1;
		}
		if (p->nclosed < 0)
			return -1;
		p->nsess = p->nobjs = 0; /* counted again below */
		if (hs_hmap_get(&c->proc_map, &p->key) >= 0 || hs_hmap_put(&c->proc_map, &p->key, i) < 0)
			return -1;
	}

	/* sessions */
	if (get_slab(r, &c->sess))
		return -1;
	for (i = 0; i < c->sess.hi; i++) {
		struct p11_sess *s = sess_at(c, i);
		if (!s->used)
			continue;
		if (!proc_ok(c, s->proc))
			return -1;
		for (j = 0; j < OPS_MAX; j++)
			if (s->ops[j].cls < 0 || s->ops[j].cls > hs_p11_nops())
				return -1;
		s->nobjs = 0;
		proc_at(c, s->proc)->nsess++;
		if (hs_hmap_get(&c->sess_map, &s->key) >= 0 || hs_hmap_put(&c->sess_map, &s->key, i) < 0)
			return -1;
	}

	/* objects: their strings are read before any check can fail, so
	 * that what was allocated is freed with the record */
	if (get_slab(r, &c->objs))
		return -1;
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		o->label = o->obj_id = NULL;
	}
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (o->used && (get_str(r, &o->label) || get_str(r, &o->obj_id)))
			return -1;
		cut(o->state, sizeof o->state);
		cut(o->cls, sizeof o->cls);
	}

	/* audit streams, before the objects they own are checked */
	if (get_i64(r, 0, STREAMS_MAX, &v))
		return -1;
	if (v) {
		if (!(c->streams = malloc((size_t)v * sizeof *c->streams)))
			return -1;
		c->nstreams = c->capstreams = (int)v;
		if (get(r, c->streams, (size_t)v * sizeof *c->streams))
			return -1;
	}
	for (i = 0; i < c->nstreams; i++) {
		struct au_stream *s = &c->streams[i];
		cut(s->hsm, sizeof s->hsm);
		if (s->nlogins < 0 || s->nlogins > AU_LOGINS_MAX)
			return -1;
		for (j = 0; j < s->nlogins; j++)
			cut(s->logins[j].user, sizeof s->logins[j].user);
	}
	for (i = 0; i < c->objs.hi; i++) {
		struct obj *o = SLAB_AT(&c->objs, i, struct obj);
		if (!o->used)
			continue;
		if (o->key.a >= 0) {
			if (!proc_ok(c, o->owner))
				return -1;
			proc_at(c, o->owner)->nobjs++;
			if (o->sess != -1) {
				if (o->sess < 0 || o->sess >= c->sess.hi || !sess_at(c, o->sess)->used)
					return -1;
				sess_at(c, o->sess)->nobjs++;
			}
		} else if (-(o->key.a + 1) >= c->nstreams || o->owner != -(o->key.a + 1) || o->sess != -1) {
			return -1;
		}
		if (hs_hmap_get(&c->obj_map, &o->key) >= 0 || hs_hmap_put(&c->obj_map, &o->key, i) < 0)
			return -1;
	}

	/* marks and failed-login runs */
	{
		struct au_mark **mv[2] = { &c->logmarks, &c->syncmarks };
		int *nv[2] = { &c->nlogmarks, &c->nsyncmarks }, *cv[2] = { &c->caplogmarks, &c->capsyncmarks };
		for (j = 0; j < 2; j++) {
			if (get_i64(r, 0, MARKS_MAX, &v))
				return -1;
			if (!v)
				continue;
			if (!(*mv[j] = malloc((size_t)v * sizeof **mv[j])))
				return -1;
			*nv[j] = *cv[j] = (int)v;
			if (get(r, *mv[j], (size_t)v * sizeof **mv[j]))
				return -1;
			for (i = 0; i < v; i++) {
				struct au_mark *m = &(*mv[j])[i];
				if (m->stream < 0 || m->stream >= c->nstreams)
					return -1;
				cut(m->user, sizeof m->user);
			}
		}
	}
	if (get_i64(r, 0, PINRUNS_MAX, &v))
		return -1;
	if (v) {
		if (!(c->pinruns = malloc((size_t)v * sizeof *c->pinruns)))
			return -1;
		c->npinruns = c->cappinruns = (int)v;
		if (get(r, c->pinruns, (size_t)v * sizeof *c->pinruns))
			return -1;
	}
	if (get(r, magic, 8) || memcmp(magic, STATE_MAGIC, 8) || r->p != r->end)
		return -1;
	return 0;
}

int hs_correlate_load(struct hs_correlator *c, const void *blob, size_t len)
{
	struct rd r = { blob, (const unsigned char *)blob + len };

	hs_corr_clear(c);
	if (blob && load(c, &r) == 0)
		return 0;
	/* hs_corr_clear() frees what load() took: every pointer it did not
	 * set was cleared before anything could fail */
	hs_corr_clear(c);
	return -1;
}
