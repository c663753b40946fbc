package portal

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/web"
)

// listFilter is the filter form of the activity page and the audit log:
// a text (a seat, or any text of an audit entry), a range of days in the
// company's time zone, and a state (a call state, or a group of audit
// events); the activity page adds the direction.
type listFilter struct {
	Text, FromText, ToText, State, Direction string
	// from and until bound the instants: the start of the From day and of
	// the day after To, in the page's zone; zero when not set.
	from, until time.Time
	// Error says which date could not be read (and was left out).
	Error string
}

// filterChoice is one option of a filter's select: value and message key.
type filterChoice struct{ value, key string }

// parseListFilter reads the filter from the query, q, d and s.
func parseListFilter(p web.Page, q url.Values) listFilter {
	f := listFilter{Text: chars.Truncate(strings.TrimSpace(q.Get("q")), maxSearchChars), State: chars.Truncate(q.Get("state"), 20)}
	switch d := q.Get("dir"); d {
	case "received", "dialed":
		f.Direction = d
	}
	if v := strings.TrimSpace(q.Get("from")); v != "" {
		if day, ok := parseDay(v, p.Zone); ok {
			f.FromText, f.from = v, day
		} else {
			f.Error = p.T("filter.baddate", chars.Truncate(v, 20))
		}
	}
	if v := strings.TrimSpace(q.Get("to")); v != "" {
		if day, ok := parseDay(v, p.Zone); ok {
			f.ToText, f.until = v, day.AddDate(0, 0, 1)
		} else {
			f.Error = p.T("filter.baddate", chars.Truncate(v, 20))
		}
	}
	return f
}

var dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// parseDay reads a yyyy-mm-dd day (what <input type=date> sends) as its
// first instant in loc.
func parseDay(v string, loc *time.Location) (time.Time, bool) {
	if !dayPattern.MatchString(v) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	return t, err == nil && t.Year() >= 2000 && t.Year() < 3000
}

// values is the filter as query parameters, empty ones left out.
func (f listFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Text, "from": f.FromText, "to": f.ToText, "state": f.State, "dir": f.Direction} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// url is path with the filter at page n.
func (f listFilter) url(path string, n int) string { return path + listQuery(f.values(), n) }

// view is the filter form's view model; states are the state choices.
func (f listFilter) view(p web.Page, states []filterChoice) web.ListFilter {
	v := web.ListFilter{Text: f.Text, From: f.FromText, To: f.ToText, State: f.State, Direction: f.Direction,
		Error: f.Error, Active: len(f.values()) > 0}
	for _, c := range states {
		v.States = append(v.States, web.Option{Value: c.value, Label: p.T(c.key), Selected: c.value == f.State})
	}
	return v
}

// deliveryErrPattern finds Zoho's answer in a delivery error: "HTTP 400
// INVALID_DATA".
var deliveryErrPattern = regexp.MustCompile(`HTTP (\d{3})(?: ([A-Z][A-Z0-9_]+))?`)

// integrationErrPattern finds an integration error code ("integration:
// needs_consent").
var integrationErrPattern = regexp.MustCompile(`integration: ([a-z_]+)`)

// deliveryError says in l why a notification did not reach Zoho, from the
// error the outbox recorded (which the page also shows as it is, as the
// technical detail).
func deliveryError(l i18n.Lang, raw string) string {
	if m := deliveryErrPattern.FindStringSubmatch(raw); m != nil {
		status, code := m[1], m[2]
		switch {
		case status == "401":
			return l.T("delivery.err.auth")
		case status == "429":
			return l.T("delivery.err.throttled")
		case status[0] == '5':
			return l.T("delivery.err.unavailable", status)
		case code != "":
			return l.T("delivery.err.code", code, status)
		}
		return l.T("delivery.err.http", status)
	}
	if m := integrationErrPattern.FindStringSubmatch(raw); m != nil && i18n.Has("zoho.err."+m[1]) {
		return l.T("zoho.err." + m[1])
	}
	lower := strings.ToLower(raw)
	switch {
	case strings.Contains(lower, "deadline exceeded"), strings.Contains(lower, "timeout"):
		return l.T("delivery.err.timeout")
	case strings.Contains(lower, "connection refused"), strings.Contains(lower, "no such host"),
		strings.Contains(lower, "connection reset"), strings.Contains(lower, "dial tcp"), strings.HasSuffix(lower, "eof"):
		return l.T("delivery.err.network")
	}
	return l.T("delivery.err.other")
}
