package xsisim

import (
	"cmp"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// maxResults is the XSP's cap (and default) for directory page size.
const maxResults = 1000

// directoryFields maps search/sort parameters to seat fields.
var directoryFields = map[string]func(*seat) string{
	"userid":       func(u *seat) string { return u.UserID },
	"firstname":    func(u *seat) string { return u.FirstName },
	"lastname":     func(u *seat) string { return u.LastName },
	"name":         func(u *seat) string { return u.FirstName + " " + u.LastName },
	"number":       func(u *seat) string { return u.Number },
	"extension":    func(u *seat) string { return u.Extension },
	"emailaddress": func(u *seat) string { return u.Email },
	"department":   func(u *seat) string { return u.Department },
	"groupid":      func(u *seat) string { return u.group.ID },
}

// serveGroupDirectory writes one page of the seat's group directory.
// Search values are globs where only "*" is special, exact by default and
// case-insensitive with a trailing "/i"; criteria combine with AND unless
// searchCriteriaModeOr=true. sortColumn sorts by a field (default lastName,
// firstName, userId order is insertion order).
func (s *Sim) serveGroupDirectory(w http.ResponseWriter, r *http.Request, u *seat) {
	q := r.URL.Query()
	start, err := intParam(q, "start", 1)
	if err != nil || start < 1 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid start")
		return
	}
	results, err := intParam(q, "results", maxResults)
	if err != nil || results < 1 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid results")
		return
	}
	results = min(results, maxResults)

	entries := filterSeats(u.group.seats, q)
	if col := strings.ToLower(q.Get("sortColumn")); col != "" {
		field, ok := directoryFields[col]
		if !ok {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid sortColumn")
			return
		}
		slices.SortStableFunc(entries, func(a, b *seat) int {
			return cmp.Compare(strings.ToLower(field(a)), strings.ToLower(field(b)))
		})
	}
	total := len(entries)
	from := min(start-1, total)
	to := min(from+results, total)
	page := entries[from:to]

	details := make([]*node, 0, len(page))
	for _, e := range page {
		details = append(details, el("directoryDetails",
			tx("userId", e.UserID),
			tx("firstName", e.FirstName),
			tx("lastName", e.LastName),
			tx("groupId", e.group.ID),
			tx("number", e.Number),
			tx("extension", e.Extension),
			el("additionalDetails",
				tx("emailAddress", e.Email),
				tx("department", e.Department),
			),
		))
	}
	doc := document(el("Group",
		tx("startIndex", strconv.Itoa(start)),
		tx("numberOfRecords", strconv.Itoa(len(page))),
		tx("totalAvailableRecords", strconv.Itoa(total)),
		el("groupDirectory", details...),
	), styleDefault)
	s.writeLocale(w, doc)
}

// filterSeats applies the directory search parameters present in q.
func filterSeats(seats []*seat, q url.Values) []*seat {
	type criterion struct {
		field   func(*seat) string
		pattern string
		fold    bool
	}
	var crit []criterion
	for key, vals := range q {
		field, ok := directoryFields[strings.ToLower(key)]
		if !ok || len(vals) == 0 || vals[0] == "" {
			continue
		}
		pat, fold := vals[0], false
		if strings.HasSuffix(pat, "/i") {
			pat, fold = strings.TrimSuffix(pat, "/i"), true
		}
		if fold {
			pat = strings.ToLower(pat)
		}
		crit = append(crit, criterion{field, globToPathPattern(pat), fold})
	}
	or := strings.EqualFold(q.Get("searchCriteriaModeOr"), "true")
	out := make([]*seat, 0, len(seats))
	for _, u := range seats {
		if len(crit) == 0 {
			out = append(out, u)
			continue
		}
		hit := !or
		for _, c := range crit {
			v := c.field(u)
			if c.fold {
				v = strings.ToLower(v)
			}
			ok, _ := path.Match(c.pattern, strings.ReplaceAll(v, "/", "\x00"))
			if or && ok {
				hit = true
				break
			}
			if !or && !ok {
				hit = false
				break
			}
		}
		if hit {
			out = append(out, u)
		}
	}
	return out
}

// globToPathPattern escapes everything path.Match treats specially except
// "*" (and maps "/" so that "*" spans it).
func globToPathPattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '?', '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '/':
			b.WriteByte(0)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// intParam parses an optional integer query parameter.
func intParam(q url.Values, key string, def int) (int, error) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}
