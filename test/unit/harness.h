/* harness.h — the two-macro unit test harness: CHECK counts, TEST_END
 * prints the runner's summary line and gives main() its exit status. */
#ifndef HS_TEST_HARNESS_H
#define HS_TEST_HARNESS_H

#include <stdio.h>

static int hs_t_pass, hs_t_fail;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			hs_t_pass++;                                         \
		} else {                                                     \
			hs_t_fail++;                                         \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                            \
	} while (0)

#define TEST_END()                                                           \
	do {                                                                 \
		printf("%d passed, %d failed\n", hs_t_pass, hs_t_fail);      \
		return hs_t_fail ? 1 : 0;                                    \
	} while (0)

#endif
