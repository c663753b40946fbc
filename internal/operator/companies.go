package operator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// companiesPageSize is how many companies a page of the list shows.
const companiesPageSize = 25

// listQuery is the companies list's state, as its URL carries it.
type listQuery struct {
	search    string
	attention bool
	sort      string
	desc      bool
	page      int
}

// sortColumns are the list's columns, each sortable.
var sortColumns = []string{"name", "integration", "centrex", "sync", "links", "outbox", "error"}

func readListQuery(q url.Values) listQuery {
	l := listQuery{
		search:    strings.TrimSpace(q.Get("q")),
		attention: q.Get("attention") == "1",
		sort:      q.Get("sort"),
		desc:      q.Get("dir") == "desc",
		page:      site.PageParam(q.Get("page")),
	}
	if !slices.Contains(sortColumns, l.sort) {
		l.sort = "name"
	}
	return l
}

// url is the list's URL with this state at page.
func (l listQuery) url(page int) string {
	v := url.Values{}
	if l.search != "" {
		v.Set("q", l.search)
	}
	if l.attention {
		v.Set("attention", "1")
	}
	if l.sort != "name" {
		v.Set("sort", l.sort)
	}
	if l.desc {
		v.Set("dir", "desc")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return Prefix + "/"
	}
	return Prefix + "/?" + v.Encode()
}

// handleCompanies handles GET /operator/: every company's figures
// (status.Service.Companies, one statement), searched, filtered, sorted
// and paged.
func (s *Server) handleCompanies(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "op.companies.title")
	p.Nav = "companies"
	all, err := s.status.Companies(r.Context(), "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := readListQuery(r.URL.Query())
	needAttention := 0
	var shown []status.Company
	needle := fold(l.search)
	for _, c := range all {
		if c.NeedsAttention() {
			needAttention++
		} else if l.attention {
			continue
		}
		if needle != "" && !matches(c, needle) {
			continue
		}
		shown = append(shown, c)
	}
	sortCompanies(shown, l.sort, l.desc)
	l.page = min(l.page, site.Pages(len(shown), companiesPageSize))
	from := (l.page - 1) * companiesPageSize
	to := min(from+companiesPageSize, len(shown))

	vm := web.CompaniesView{
		Search: l.search, Attention: l.attention, Sort: l.sort, Desc: l.desc,
		SortURLs: map[string]string{}, Filtered: len(shown), Total: len(all), NeedAttention: needAttention,
		Pager:    site.Pager(l.page, companiesPageSize, len(shown), l.url),
		ClearURL: listQuery{sort: l.sort, desc: l.desc}.url(1),
	}
	vm.AttentionURL = listQuery{search: l.search, attention: true, sort: l.sort, desc: l.desc}.url(1)
	for _, col := range sortColumns {
		next := l
		next.sort, next.desc = col, col == l.sort && !l.desc
		vm.SortURLs[col] = next.url(1)
	}
	if len(shown) > 0 {
		vm.From, vm.To = from+1, to
	}
	for _, c := range shown[from:to] {
		vm.Rows = append(vm.Rows, companyRow(p, c))
	}
	s.render(w, r, http.StatusOK, web.CompaniesPage(p, vm))
}

// fold is s lower-cased without accents, for a search that ignores both.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// matches reports whether needle (folded) is in the company's name or
// external id, or is its number.
func matches(c status.Company, needle string) bool {
	return strings.Contains(fold(c.Name), needle) || strings.Contains(fold(c.ExternalID), needle) ||
		strconv.FormatInt(c.CompanyID, 10) == needle
}

// sortCompanies sorts by the column col, ties by name then number.
func sortCompanies(cs []status.Company, col string, desc bool) {
	key := func(a, b status.Company) int {
		switch col {
		case "integration":
			return cmp.Or(cmp.Compare(integrationRank(a), integrationRank(b)), cmp.Compare(a.Token, b.Token))
		case "centrex":
			return cmp.Or(compareBool(a.HasCentrex, b.HasCentrex), cmp.Compare(a.SubscriptionState, b.SubscriptionState))
		case "sync":
			return a.SeatSync.SyncedAt.Compare(b.SeatSync.SyncedAt)
		case "links":
			return cmp.Or(cmp.Compare(a.Links, b.Links), cmp.Compare(a.SeatSync.Present, b.SeatSync.Present))
		case "outbox":
			return cmp.Or(cmp.Compare(a.OutboxParked, b.OutboxParked), cmp.Compare(a.OutboxPending, b.OutboxPending),
				cmp.Compare(a.OldestPendingAge, b.OldestPendingAge))
		case "error":
			// Companies with an error first, then by the error's text.
			return cmp.Or(compareBool(a.LastError == "", b.LastError == ""), cmp.Compare(a.LastError, b.LastError))
		}
		return cmp.Compare(fold(a.Name), fold(b.Name))
	}
	slices.SortStableFunc(cs, func(a, b status.Company) int {
		k := key(a, b)
		if desc {
			k = -k
		}
		return cmp.Or(k, cmp.Compare(fold(a.Name), fold(b.Name)), cmp.Compare(a.CompanyID, b.CompanyID))
	})
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// integrationRank orders the integration states from the most pressing.
func integrationRank(c status.Company) int {
	switch c.Integration {
	case store.ZohoNeedsConsent:
		return 0
	case store.ZohoDisabling:
		return 1
	case store.ZohoEnabled:
		return 2
	}
	return 3
}

// companyRow writes a company's figures in words.
func companyRow(p web.Page, c status.Company) web.CompanyRow {
	row := web.CompanyRow{
		ID: c.CompanyID, URL: Prefix + "/companies/" + strconv.FormatInt(c.CompanyID, 10),
		Name: c.Name, ExternalID: c.ExternalID, Off: !c.SwitchedOffAt.IsZero(), Attention: c.NeedsAttention(),
		Integration:    p.T("op.integration." + string(c.Integration)),
		IntegrationBad: c.Integration == store.ZohoNeedsConsent || c.Integration == store.ZohoDisabling,
		Token:          p.T("op.token." + string(c.Token)),
		Centrex:        p.T("op.centrex.none"),
		Events:         p.T("op.events." + string(c.SubscriptionState)),
		EventsBad:      c.SubscriptionState == status.SubscriptionFailing,
		LastSync:       p.T("op.never"),
		Links:          p.T("op.links", c.SeatSync.Present, c.Links),
		Outbox:         p.T("op.outbox", c.OutboxPending, c.OutboxParked),
		OutboxBad:      c.OutboxParked > 0 || c.OldestPendingAge > status.AttentionAge,
		LastError:      c.LastError,
	}
	if c.HasCentrex {
		row.Centrex = p.T("op.centrex.set")
	}
	if !c.SeatSync.SyncedAt.IsZero() {
		row.LastSync = p.T("op.sync.from", p.DateTime(c.SeatSync.SyncedAt), p.T("op.sync.source."+string(c.SeatSync.Source)))
	}
	if c.OutboxPending > 0 {
		row.Oldest = p.T("op.outbox.oldest", p.Lang.Duration(c.OldestPendingAge))
	}
	return row
}
