/* timeutil.c - monotonic clock and the RFC 2822 dates of Release files. */
#include "kiln.h"

#include <string.h>
#include <strings.h>
#include <time.h>

double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian), no timezone games */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t parse_rfc2822_utc(const char *s)
{
	static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char mon[4] = {0}, zone[16] = {0};
	int day, year, hh, mm, ss, n = 0;
	const char *comma = strchr(s, ',');

	if (comma)
		s = comma + 1;
	if (sscanf(s, " %d %3s %d %d:%d:%d %15s%n", &day, mon, &year, &hh, &mm, &ss, zone, &n) < 6)
		return -1;
	int m = -1;
	for (int i = 0; i < 12; i++)
		if (strcasecmp(mon, months[i]) == 0)
			m = i + 1;
	if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
		return -1;
	int64_t off = 0;
	if (zone[0] == '+' || zone[0] == '-') {
		int z = 0;
		if (sscanf(zone + 1, "%4d", &z) != 1)
			return -1;
		off = (z / 100) * 3600 + (z % 100) * 60;
		if (zone[0] == '-')
			off = -off;
	} else if (zone[0] && strcasecmp(zone, "UTC") && strcasecmp(zone, "GMT") &&
		   strcasecmp(zone, "Z")) {
		return -1;
	}
	return days_from_civil(year, (unsigned)m, (unsigned)day) * 86400 + hh * 3600 + mm * 60 +
	       ss - off;
}
