/* fuzz_detail.c — libFuzzer target: the input as a call's detail text,
 * read by the detail reader (detail.h) item by item, each value's rows
 * gathered as the detail tree and correlation gather them; then the same
 * text redacted (a PIN function or not, with the input's second byte
 * choosing --redact data and strict) and read again. Every piece an item
 * points at must lie inside the text (checked, and touched so ASan sees a
 * bad pointer); redaction, a policy over those items, may only turn bytes
 * into '*' (length, newlines and every other byte kept) and counts each
 * line it changed once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsmscope/detail.h"
#include "hsmscope/event.h"
#include "hsmscope/redact.h"

static const char *lo, *hi;

static size_t touch(struct hs_dstr d)
{
	size_t i, sum = 0;

	if (d.n && (d.s < lo || d.s + d.n > hi))
		abort();
	for (i = 0; i < d.n; i++)
		sum += (unsigned char)d.s[i];
	return sum;
}

static size_t read_all(const char *s, size_t n)
{
	struct hs_detail_iter it;
	struct hs_detail_item x;
	unsigned char v[256];
	size_t sum = 0, items = 0;
	int masked;

	lo = s, hi = s + n;
	hs_detail_iter_init(&it, s, n);
	while (hs_detail_next(&it, &x)) {
		if (++items > n + 1 || x.nbytes < 0 || x.nbytes > HS_DETAIL_ROW_MAX)
			abort(); /* one item per line, a glued rest at most once more */
		sum += touch(x.line) + touch(x.name) + touch(x.value) + touch(x.owner) + touch(x.text);
		if ((x.kind == HS_DI_ATTR || x.kind == HS_DI_PARAM) && x.len > 0)
			sum += hs_detail_value(&it, v, sizeof v, &masked);
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_event e;
	volatile size_t sum;

	if (size > 65536)
		return 0;
	sum = read_all((const char *)data, size);
	hs_event_init(&e);
	strcpy(e.func, size && data[0] & 1 ? "C_Login" : "C_CreateObject");
	if (hs_event_add_line(&e, (const char *)data, size) == 0) {
		struct hs_redact_opts o = { size > 1 && data[1] & 1, size > 1 && data[1] & 2 };
		size_t i, lines = 0;
		int diff = 0, changed = hs_redact_event(&e, &o);
		for (i = 0; e.detail.len == size && i < size; i++) { /* not when elided (too long) */
			if (e.detail.data[i] != (char)data[i] && (e.detail.data[i] != '*' || data[i] == '\n'))
				abort(); /* a byte other than '*' written, or a newline masked */
			diff |= e.detail.data[i] != (char)data[i];
			if (data[i] == '\n' || i + 1 == size)
				lines += diff, diff = 0;
		}
		if (e.detail.len == size && (size_t)changed != lines)
			abort();
		sum += read_all(e.detail.data, e.detail.len);
	}
	hs_event_free(&e);
	(void)sum;
	return 0;
}
