/* complete.h — Tab completion in the filter bar: field names, constants
 * (CKR_, CKM_, CKA_, CKO_, CKK_, CKU_, CloudHSM CN_) and function names,
 * all asked of the core (hs_filter_field_name, hs_ck_nth, hs_ck_nth_func).
 * Internal to ui/.
 */
#ifndef HS_UI_COMPLETE_H
#define HS_UI_COMPLETE_H

#include <stddef.h>

#include "filterbar.h"

/* Complete the word before the cursor of l: one candidate replaces it
 * (and a blank follows at the end of the text); several extend it to
 * their common beginning. hint gets what was found ("3 completions: ..."
 * or why none). Returns how many candidates there were. */
int hs_complete(struct hs_line *l, char *hint, size_t hintlen);

#endif
