/* metrics.h — `analyze --format openmetrics`: the figures as an OpenMetrics
 * text exposition, for Prometheus' node_exporter textfile collector.
 *
 * Families: hsmscope_calls_total{func,rv}, hsmscope_errors_total{func},
 * hsmscope_incomplete_calls_total{func}, hsmscope_call_duration_seconds
 * (histogram per func), and for audit logs hsmscope_hsm_events_total{hsm},
 * hsmscope_hsm_seq_gaps_total{hsm}, hsmscope_hsm_missing_events_total{hsm},
 * hsmscope_hsm_reboots_total{hsm}, hsmscope_failed_logins_total{hsm,user}.
 * Ends with "# EOF". Label values are escaped as the format says.
 */
#ifndef HSMSCOPE_METRICS_H
#define HSMSCOPE_METRICS_H

#include <stdio.h>

#include "hsmscope/filter.h"
#include "hsmscope/index.h"
#include "hsmscope/stats.h"

/* Write the events matching f (NULL: all) as OpenMetrics; s is their
 * hs_stats (for the audit figures). 0, or -1 with err set. */
int hs_metrics_write(struct hs_index *ix, const struct hs_filter *f, const struct hs_stats *s,
                     FILE *out, struct hs_error *err);

#endif
