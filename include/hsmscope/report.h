/* report.h — the text report of `analyze`: what a person pastes into a bug
 * report.
 *
 * Ownership: the report is written to the caller's stream; nothing is
 * returned to free. Every string that came from a log (paths, function
 * names, return-code texts, users, HSM ids) goes through hs_escape(), so
 * the report can be printed to a terminal as it is.
 *
 * Sections, each only where the log has something for it: the files and
 * totals; anomalies by kind with their meaning and first event numbers;
 * failing (function, return code) pairs with the first event of each; the
 * slowest calls; return codes; functions; processes and threads (call
 * traces only); per HSM of an audit log its times, sequence gaps with the
 * events on either side, reboots, logins per user, users and keys created
 * and deleted; key synchronisation pairs and the unpaired ones. Columns
 * are as wide as their widest value. Durations print at the log's clock
 * resolution (whole ms when every duration is a whole ms, as the spy's).
 */
#ifndef HSMSCOPE_REPORT_H
#define HSMSCOPE_REPORT_H

#include <stdio.h>

#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/stats.h"

/* Write the report of the events matching f (NULL: all; the correlation
 * sections always cover the whole trace, and say so under a filter).
 * s is hs_stats_compute()'s answer for the same f. Returns 0, or -1 with
 * err set (a query failed, or out of memory). */
int hs_report_text(struct hs_index *ix, const struct hs_stats *s, const struct hs_filter *f,
                   FILE *out, struct hs_error *err);

#endif
