/* dep3.c - the DEP-3 header written atop a stored patch. */
#include <string.h>

#include "backports/backports.h"

/* "Description:" / long text: continuation lines start with a space, empty
 * lines become " ." */
static void folded(struct kbuf *out, const char *name, const char *text)
{
	const char *nl = strchr(text, '\n');
	kbuf_printf(out, "%s: %.*s\n", name, (int)(nl ? nl - text : (long)strlen(text)), text);
	while (nl) {
		const char *s = nl + 1;
		nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (!nl && !len)
			break;
		if (len == 0)
			kbuf_adds(out, " .\n");
		else
			kbuf_printf(out, " %.*s\n", (int)len, s);
	}
}

void dep3_header(const struct dep3_info *d, struct kbuf *out)
{
	struct kbuf desc;
	kbuf_init(&desc);
	kbuf_adds(&desc, d->description && d->description[0] ? d->description : "security fix");
	/* the CVE ids: DEP-3 has no field for them, so they go in the text */
	if (d->cves && d->cves->n) {
		int missing = 0;
		for (size_t i = 0; i < d->cves->n; i++)
			missing |= !strstr(desc.data, d->cves->v[i]);
		if (missing) {
			const char *nl = strchr(desc.data, '\n');
			kbuf_adds(&desc, nl ? "\n\n" : "\n");
			kbuf_adds(&desc, "Fixes ");
			for (size_t i = 0; i < d->cves->n; i++)
				kbuf_printf(&desc, "%s%s", i ? ", " : "", d->cves->v[i]);
			kbuf_adds(&desc, ".");
		}
	}
	folded(out, "Description", desc.data);
	kbuf_free(&desc);
	if (d->author && d->author[0])
		kbuf_printf(out, "Author: %s\n", d->author);
	kbuf_printf(out, "Origin: %s\n", d->origin && d->origin[0] ? d->origin : "upstream");
	for (size_t i = 0; d->bugs && i < d->bugs->n; i++)
		kbuf_printf(out, "Bug: %s\n", d->bugs->v[i]);
	if (d->bug_debian && d->bug_debian[0])
		kbuf_printf(out, "Bug-Debian: %s\n", d->bug_debian);
	if (d->applied_upstream && d->applied_upstream[0])
		kbuf_printf(out, "Applied-Upstream: %s\n", d->applied_upstream);
	kbuf_adds(out, "Forwarded: not-needed\n");
	if (d->last_update && d->last_update[0])
		kbuf_printf(out, "Last-Update: %s\n", d->last_update);
	kbuf_adds(out, "---\n");
}

char *dep3_origin_of(const struct patch *p)
{
	if (p->origin && p->origin[0])
		return xstrdup(p->origin);
	if (p->commit)
		return xasprintf("upstream, commit:%s", p->commit);
	return NULL;
}
