/* changelog.c - debian/changelog: read the top entry, write a new one. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backports/backports.h"

int changelog_parse_top(const char *text, size_t len, const char *file, struct changelog_top *t,
			struct kerr *e)
{
	memset(t, 0, sizeof(*t));
	/* the first non-empty line: "src (version) dist[ dist...]; urgency=x" */
	const char *p = text, *end = text + len;
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
		p++;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	char *line = xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
	char *open = strchr(line, '(');
	char *close = open ? strchr(open, ')') : NULL;
	char *semi = close ? strchr(close, ';') : NULL;
	if (!open || !close || !semi || open == line || !isalnum((unsigned char)line[0])) {
		free(line);
		return kerr_set(e, KILN_EPARSE, "%s: the first line is not a changelog title",
				file);
	}
	char *src_end = open;
	while (src_end > line && src_end[-1] == ' ')
		src_end--;
	t->source = xstrndup(line, (size_t)(src_end - line));
	t->version = xstrndup(open + 1, (size_t)(close - open - 1));
	char *d = close + 1;
	while (*d == ' ')
		d++;
	t->distribution = xstrndup(d, (size_t)(semi - d));
	char *u = strstr(semi, "urgency=");
	if (u) {
		u += 8;
		t->urgency = xstrndup(u, strcspn(u, " ,\r"));
	}
	free(line);
	return 0;
}

void changelog_top_free(struct changelog_top *t)
{
	if (!t)
		return;
	free(t->source);
	free(t->version);
	free(t->distribution);
	free(t->urgency);
	memset(t, 0, sizeof(*t));
}

char *rfc2822_date(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	gmtime_r(&tt, &tm);
	snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
		 tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return xstrdup(buf);
}

/* "  * text" wrapped at 80 columns, continuation lines indented by 4 */
static void bullet(struct kbuf *out, const char *text)
{
	size_t col = 4;
	kbuf_adds(out, "  *");
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (!w)
			break;
		if (col > 4 && col + 1 + w > 80) {
			kbuf_adds(out, "\n   ");
			col = 3;
		}
		kbuf_printf(out, " %.*s", (int)w, p);
		col += 1 + w;
		p += w;
	}
	kbuf_adds(out, "\n");
}

void changelog_entry(const struct changelog_entry *c, struct kbuf *out)
{
	kbuf_printf(out, "%s (%s) %s; urgency=%s\n\n", c->source, c->version, c->distribution,
		    c->urgency ? c->urgency : "high");
	for (size_t i = 0; c->changes && i < c->changes->n; i++)
		bullet(out, c->changes->v[i]);
	char *date = rfc2822_date(c->date);
	kbuf_printf(out, "\n -- %s  %s\n\n", c->maintainer, date);
	free(date);
}

char *maintainer_from_env(void)
{
	const char *name = getenv("DEBFULLNAME"), *mail = getenv("DEBEMAIL");
	if (!name || !*name)
		name = getenv("NAME");
	if (!mail || !*mail)
		mail = getenv("EMAIL");
	if (!mail || !*mail)
		return NULL;
	/* DEBEMAIL may be "Name <mail>" itself */
	if (strchr(mail, '<'))
		return xstrdup(mail);
	if (!name || !*name)
		return NULL;
	return xasprintf("%s <%s>", name, mail);
}
