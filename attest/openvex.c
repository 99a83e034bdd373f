/* openvex.c - OpenVEX 0.2.0 documents: which products a vulnerability affects, and why not. */
#include "attest/attest.h"

#include <stdlib.h>
#include <string.h>

#define OPENVEX_CONTEXT "https://openvex.dev/ns/v0.2.0"

static const char *const status_names[] = {
    [VEX_NOT_AFFECTED] = "not_affected",
    [VEX_AFFECTED] = "affected",
    [VEX_FIXED] = "fixed",
    [VEX_UNDER_INVESTIGATION] = "under_investigation",
};

static const char *const justifications[] = {
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
    NULL,
};

int vex_status_parse(const char *s, enum vex_status *st, struct kerr *e)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (!strcmp(s, status_names[i])) {
			*st = (enum vex_status)i;
			return 0;
		}
	return kerr_set(
	    e, KILN_EUSAGE,
	    "unknown VEX status '%s' (not_affected, affected, fixed, under_investigation)", s);
}

const char *vex_status_name(enum vex_status st)
{
	return (unsigned)st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st]
									     : NULL;
}

static int known_justification(const char *j)
{
	for (size_t i = 0; justifications[i]; i++)
		if (!strcmp(j, justifications[i]))
			return 1;
	return 0;
}

static int statement_json(const struct vex_statement *s, size_t idx, json_t **out, struct kerr *e)
{
	const char *status = vex_status_name(s->status);
	json_t *st, *prods, *vuln;

	if (!status)
		return kerr_set(e, KILN_EUSAGE, "VEX statement %zu: invalid status", idx);
	if (!s->vulnerability || !*s->vulnerability)
		return kerr_set(e, KILN_EUSAGE, "VEX statement %zu: no vulnerability named", idx);
	if (!s->products || !s->products[0])
		return kerr_set(e, KILN_EUSAGE, "VEX statement %zu (%s): no products", idx,
				s->vulnerability);
	if (s->justification && !known_justification(s->justification))
		return kerr_set(e, KILN_EUSAGE,
				"VEX statement %zu (%s): unknown justification '%s'", idx,
				s->vulnerability, s->justification);
	if (s->justification && s->status != VEX_NOT_AFFECTED)
		return kerr_set(
		    e, KILN_EUSAGE,
		    "VEX statement %zu (%s): a justification goes only with not_affected", idx,
		    s->vulnerability);
	if (s->status == VEX_NOT_AFFECTED && !s->justification && !s->impact_statement)
		return kerr_set(e, KILN_EUSAGE,
				"VEX statement %zu (%s): not_affected needs a justification or an "
				"impact statement",
				idx, s->vulnerability);
	if (s->status == VEX_AFFECTED && !s->action_statement)
		return kerr_set(e, KILN_EUSAGE,
				"VEX statement %zu (%s): affected needs an action statement", idx,
				s->vulnerability);

	vuln = json_pack("{s:s}", "name", s->vulnerability);
	if (s->aliases && s->aliases[0]) {
		json_t *a = json_array();
		for (size_t i = 0; s->aliases[i]; i++)
			json_array_append_new(a, json_string(s->aliases[i]));
		json_object_set_new(vuln, "aliases", a);
	}
	prods = json_array();
	for (size_t i = 0; s->products[i]; i++)
		json_array_append_new(prods, json_pack("{s:s}", "@id", s->products[i]));
	st = json_pack("{s:o, s:o, s:s}", "vulnerability", vuln, "products", prods, "status",
		       status);
	if (s->justification)
		json_object_set_new(st, "justification", json_string(s->justification));
	if (s->impact_statement)
		json_object_set_new(st, "impact_statement", json_string(s->impact_statement));
	if (s->action_statement)
		json_object_set_new(st, "action_statement", json_string(s->action_statement));
	if (s->status_notes)
		json_object_set_new(st, "status_notes", json_string(s->status_notes));
	*out = st;
	return 0;
}

int openvex_document(const struct vex_document *d, json_t **out, struct kerr *e)
{
	json_t *stmts = json_array(), *s = NULL;
	char *ts;
	int r;

	if (!d->id || !d->author || d->version < 1) {
		json_decref(stmts);
		return kerr_set(e, KILN_EUSAGE,
				"a VEX document needs an @id, an author and a "
				"version of 1 or more");
	}
	for (size_t i = 0; i < d->n; i++) {
		if ((r = statement_json(&d->statements[i], i + 1, &s, e)) < 0) {
			json_decref(stmts);
			return r;
		}
		json_array_append_new(stmts, s);
	}
	ts = rfc3339_utc(d->timestamp);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o}", "@context", OPENVEX_CONTEXT, "@id",
			 d->id, "author", d->author, "timestamp", ts, "version", d->version,
			 "statements", stmts);
	free(ts);
	return 0;
}
