/* correlate_obj.c — object handles of call traces, and the few decoded
 * detail lines correlation reads (creation templates, C_FindObjects
 * results, NULL output buffers), all through the detail reader (detail.h)
 * as C_SessionCancel's flags are in correlate_p11.c.
 *
 * Objects are scoped to their process instance: a handle is created
 * (C_GenerateKey[Pair], C_CreateObject, C_CopyObject, C_UnwrapKey,
 * C_DeriveKey; label, CKA_ID, class and CKA_TOKEN from the [in] template),
 * found (C_FindObjects), used (any other call naming it), and destroyed
 * (C_DestroyObject). A destroyed handle is remembered (struct obj with
 * live == 0, its row already written) so a later use is flagged, until
 * the handle is reused or memory is needed. Session objects (CKA_TOKEN
 * false or absent) end with their session, every object of a process with
 * its C_Finalize (correlate_p11.c). Before a process's C_Initialize is seen,
 * an unknown handle is one created before the log, not an anomaly.
 */
#include "hsmscope/chars.h"
#include "correlate_int.h"

#include "hsmscope/detail.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------- detail reading */

/* s[0..n) holds "NULL" somewhere. */
static int has_null_word(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (end - p >= 4 && (p = memchr(p, 'N', (size_t)(end - p - 3))) != NULL) {
		if (memcmp(p, "NULL", 4) == 0)
			return 1;
		p++;
	}
	return 0;
}

int hs_p11_length_query(const char *detail, size_t len)
{
	struct hs_detail_iter it;
	struct hs_detail_item x;

	/* the reader says null_buf only of a value "NULL [size ...]": a
	 * detail without that word is no length query, and a scan for it is
	 * a fraction of reading every item (a C_Encrypt's dump rows) */
	if (!detail || !has_null_word(detail, len))
		return 0;
	hs_detail_iter_init(&it, detail, len);
	while (hs_detail_next(&it, &x))
		if (x.kind == HS_DI_PARAM && x.out && x.null_buf)
			return 1;
	return 0;
}

int hs_p11_is_length_query(const struct hs_correlator *c, const struct hs_event *e)
{
	if (c->replaying)
		return c->replay_lenq;
	return hs_p11_length_query(hs_buf_cstr(&e->detail), e->detail.len);
}

struct tmpl {
	struct hs_buf label;        /* CKA_LABEL, printable, whole; freed by tmpl_free */
	struct hs_buf obj_id;       /* CKA_ID, hex, whole */
	char cls[32];               /* CKA_CLASS name (a CKO_ constant) */
	int token;                  /* CKA_TOKEN: 1, 0, -1 not given */
};

static void tmpl_free(struct tmpl *t)
{
	hs_buf_free(&t->label);
	hs_buf_free(&t->obj_id);
}

/* A copy of s, NULL when s is empty (or memory is short: then the object
 * has no label, as if the log gave none). */
static char *dup_or_null(const char *s)
{
	return s && *s ? hs_strdup(s) : NULL;
}

/* Read the [in] template `which` ("pTemplate", "pPublicKeyTemplate", ...)
 * through the detail reader (detail.h): any spacing, print_print and dump
 * values alike. */
static void read_template(const struct hs_event *e, const char *which, struct tmpl *t)
{
	struct hs_detail_iter it;
	struct hs_detail_item x;
	unsigned char v[1024];
	size_t n, i;
	char ch[3];

	memset(t, 0, sizeof *t);
	hs_buf_init(&t->label);
	hs_buf_init(&t->obj_id);
	t->token = -1;
	hs_detail_iter_init(&it, e->detail.data, e->detail.len);
	while (hs_detail_next(&it, &x)) {
		if (x.kind != HS_DI_ATTR || x.out || !hs_dstr_is(x.owner, which))
			continue;
		if (hs_dstr_is(x.name, "CKA_CLASS") && x.value.n > 4 && memcmp(x.value.s, "CKO_", 4) == 0) {
			n = x.value.n < sizeof t->cls ? x.value.n : sizeof t->cls - 1;
			memcpy(t->cls, x.value.s, n);
			t->cls[n] = '\0';
		} else if (hs_dstr_is(x.name, "CKA_TOKEN") && x.len == HS_NONE) {
			t->token = hs_dstr_is(x.value, "True");
		} else if ((hs_dstr_is(x.name, "CKA_LABEL") || hs_dstr_is(x.name, "CKA_ID")) && x.len > 0) {
			int label = x.name.n == 9;
			struct hs_buf *b = label ? &t->label : &t->obj_id;
			n = hs_detail_value(&it, v, sizeof v, NULL);
			hs_buf_clear(b);
			for (i = 0; i < n && i < sizeof v; i++) {
				if (label) {
					ch[0] = (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"') ? (char)v[i] : '.';
					hs_buf_add(b, ch, 1); /* OOM: a shorter label */
				} else {
					snprintf(ch, sizeof ch, "%02x", v[i]);
					hs_buf_add(b, ch, 2);
				}
			}
		}
	}
}

/* ------------------------------------------------------------- objects */

/* End a live object that leaves memory (its row is written). */
int hs_p11_obj_end(struct hs_correlator *c, int oi, const char *state)
{
	struct obj *o = SLAB_AT(&c->objs, oi, struct obj);
	int rc = 0;

	if (o->live) {
		hs_strlcpy(o->state, state, sizeof o->state);
		rc = hs_corr_write_object(c, o, NULL);
	}
	hs_obj_release(c, oi);
	return rc;
}

static int obj_create(struct hs_correlator *c, int pi, int si, struct hs_event *e, int64_t h,
                      const struct tmpl *t, int src)
{
	struct p11_proc *p = proc_at(c, pi);
	struct ckey k = { p->key.a, p->key.b, h };
	int oi = hs_hmap_get(&c->obj_map, &k);
	struct obj *o;

	if (oi >= 0 && hs_p11_obj_end(c, oi, "replaced") < 0) /* the handle was reused */
		return -1;
	if ((oi = hs_obj_new(c, &k, pi)) < 0) {
		proc_at(c, pi)->overflow = 1;
		return 0;
	}
	o = SLAB_AT(&c->objs, oi, struct obj);
	o->created_n = o->last_n = e->n;
	if (si >= 0)
		o->session_id = sess_at(c, si)->id;
	if (t) {
		o->label = dup_or_null(hs_buf_cstr(&t->label));
		o->obj_id = dup_or_null(hs_buf_cstr(&t->obj_id));
		hs_strlcpy(o->cls, t->cls, sizeof o->cls);
		o->token = t->token == 1 ? 1 : 0; /* CKA_TOKEN defaults to false */
	}
	if (src >= 0) { /* C_CopyObject: what the template leaves out comes from the source */
		const struct obj *s = SLAB_AT(&c->objs, src, struct obj);
		if (!o->label)
			o->label = dup_or_null(s->label);
		if (!o->obj_id)
			o->obj_id = dup_or_null(s->obj_id);
		if (!o->cls[0])
			hs_strlcpy(o->cls, s->cls, sizeof o->cls);
		if (t && t->token < 0)
			o->token = s->token;
	}
	if (o->token == 0 && si >= 0) {
		o->sess = si;
		sess_at(c, si)->nobjs++;
	}
	return 0;
}

/* A handle named by a call: found by C_FindObjects (found = 1) or used. */
static int obj_touch(struct hs_correlator *c, int pi, struct hs_event *e, int64_t h, int found,
                     int *out_oi)
{
	struct p11_proc *p = proc_at(c, pi);
	struct ckey k = { p->key.a, p->key.b, h };
	int oi = hs_hmap_get(&c->obj_map, &k);
	struct obj *o;
	char hb[32];

	*out_oi = -1;
	if (oi >= 0 && !SLAB_AT(&c->objs, oi, struct obj)->live) {
		o = SLAB_AT(&c->objs, oi, struct obj);
		if (!found) {
			*out_oi = oi;
			return hs_corr_anomaly(c, e, e->n, o->destroyed_n, AN_DESTROYED_HANDLE, 0,
			                    "handle %s%s%s%s was destroyed before (see ref)",
			                    hs_corr_hex(h, hb, sizeof hb), o->label ? " (\"" : "", o->label ? o->label : "",
			                    o->label ? "\")" : "");
		}
		hs_obj_release(c, oi); /* a new object got the handle */
		oi = -1;
	}
	if (oi < 0) {
		if (!found && p->initialized && !p->overflow &&
		    hs_corr_anomaly(c, e, e->n, HS_NONE, AN_UNKNOWN_HANDLE, 0,
		                 "handle %s was not created or found before in this process",
		                 hs_corr_hex(h, hb, sizeof hb)) < 0)
			return -1;
		if ((oi = hs_obj_new(c, &k, pi)) < 0) {
			p->overflow = 1;
			return 0;
		}
		o = SLAB_AT(&c->objs, oi, struct obj);
		o->found_n = o->last_n = e->n;
		*out_oi = oi;
		return 0;
	}
	o = SLAB_AT(&c->objs, oi, struct obj);
	o->uses++;
	o->last_n = e->n;
	*out_oi = oi;
	return 0;
}

static int obj_destroy(struct hs_correlator *c, int pi, struct hs_event *e, int64_t h)
{
	struct p11_proc *p = proc_at(c, pi);
	struct ckey k = { p->key.a, p->key.b, h };
	int oi = hs_hmap_get(&c->obj_map, &k);
	struct obj *o;

	if (oi < 0 || !SLAB_AT(&c->objs, oi, struct obj)->live) {
		int dummy;
		if (obj_touch(c, pi, e, h, 0, &dummy) < 0) /* flags it, and follows it */
			return -1;
		if ((oi = hs_hmap_get(&c->obj_map, &k)) < 0)
			return 0;
	}
	o = SLAB_AT(&c->objs, oi, struct obj);
	if (!o->live)
		return 0;
	o->destroyed_n = e->n;
	o->live = 0;
	hs_strlcpy(o->state, "destroyed", sizeof o->state);
	if (o->sess >= 0) {
		sess_at(c, o->sess)->nobjs--;
		o->sess = -1;
	}
	e->peer = o->created_n != HS_NONE ? o->created_n : o->found_n;
	if (hs_corr_write_object(c, o, NULL) < 0)
		return -1;
	return hs_corr_link(c, o->created_n != HS_NONE ? o->created_n : o->found_n, e->n, "object");
}

static int is_create(const char *f, const char *role, const char **tmpl_name)
{
	*tmpl_name = "pTemplate";
	if (strcmp(f, "C_GenerateKeyPair") == 0) {
		if (strcmp(role, "hPublicKey") == 0 || strcmp(role, "phPublicKey") == 0) {
			*tmpl_name = "pPublicKeyTemplate";
			return 1;
		}
		if (strcmp(role, "hPrivateKey") == 0 || strcmp(role, "phPrivateKey") == 0) {
			*tmpl_name = "pPrivateKeyTemplate";
			return 1;
		}
		return 0;
	}
	if (strcmp(f, "C_GenerateKey") == 0 || strcmp(f, "C_UnwrapKey") == 0 ||
	    strcmp(f, "C_DeriveKey") == 0)
		return strcmp(role, "hKey") == 0 || strcmp(role, "phKey") == 0;
	if (strcmp(f, "C_CreateObject") == 0)
		return strcmp(role, "phObject") == 0 || strcmp(role, "hObject") == 0;
	if (strcmp(f, "C_CopyObject") == 0)
		return strcmp(role, "phNewObject") == 0 || strcmp(role, "hNewObject") == 0;
	return 0;
}

int hs_p11_is_creator(const char *f)
{
	return strcmp(f, "C_GenerateKey") == 0 || strcmp(f, "C_GenerateKeyPair") == 0 ||
	       strcmp(f, "C_CreateObject") == 0 || strcmp(f, "C_CopyObject") == 0 ||
	       strcmp(f, "C_UnwrapKey") == 0 || strcmp(f, "C_DeriveKey") == 0;
}

int hs_p11_objects(struct hs_correlator *c, int pi, int si, struct hs_event *e)
{
	const char *f = e->func, *tn;
	int i, src = -1, oi, nfound = 0, rc;
	/* is_create says 0 of every key of any other function: asked once */
	int creator = hs_p11_is_creator(f);
	struct tmpl t;

	if (strcmp(f, "C_FindObjects") == 0 && e->ok) {
		struct hs_detail_iter it;
		struct hs_detail_item x;
		hs_detail_iter_init(&it, e->detail.data, e->detail.len);
		while (hs_detail_next(&it, &x))
			if (x.kind == HS_DI_OBJECT) {
				if (obj_touch(c, pi, e, x.number, 1, &oi) < 0)
					return -1;
				nfound++;
			}
	}
	/* sources first, so a copy can inherit from its source */
	for (i = 0; i < e->nkeys; i++) {
		const char *role = e->keys[i].role;
		int64_t h = e->keys[i].handle;
		if (creator && is_create(f, role, &tn))
			continue;
		if (h == 0) /* CK_INVALID_HANDLE names no object (C_SetOperationState's "no key") */
			continue;
		if (strcmp(role, "found") == 0) {
			if (!nfound && e->ok && obj_touch(c, pi, e, h, 1, &oi) < 0)
				return -1;
			continue;
		}
		if (strcmp(f, "C_DestroyObject") == 0 && strcmp(role, "hObject") == 0 && e->ok) {
			if (obj_destroy(c, pi, e, h) < 0)
				return -1;
			continue;
		}
		if (obj_touch(c, pi, e, h, 0, &oi) < 0)
			return -1;
		if (strcmp(f, "C_CopyObject") == 0 && strcmp(role, "hObject") == 0)
			src = oi;
	}
	if (!e->ok)
		return 0;
	for (i = 0; creator && i < e->nkeys && !is_create(f, e->keys[i].role, &tn); i++)
		;
	if (creator && i == e->nkeys && !(e->format && strcmp(e->format, "tpm2") == 0))
		return hs_corr_anomaly(c, e, e->n, HS_NONE, AN_HANDLE_MISSING, 0,
		                    "%s returned CKR_OK but the log shows no handle it made", f);
	for (i = 0; creator && i < e->nkeys; i++) {
		if (!is_create(f, e->keys[i].role, &tn))
			continue;
		read_template(e, tn, &t);
		if (!t.cls[0]) /* what the call makes, when the template does not say */
			hs_strlcpy(t.cls, strcmp(tn, "pPublicKeyTemplate") == 0 ? "CKO_PUBLIC_KEY" :
			           strcmp(tn, "pPrivateKeyTemplate") == 0 ? "CKO_PRIVATE_KEY" :
			           strcmp(f, "C_GenerateKey") == 0 ? "CKO_SECRET_KEY" : "", sizeof t.cls);
		if (src >= 0 && !SLAB_AT(&c->objs, src, struct obj)->used)
			src = -1;
		rc = obj_create(c, pi, si, e, e->keys[i].handle, &t, src);
		tmpl_free(&t);
		if (rc < 0)
			return -1;
	}
	return 0;
}
