package portal

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// Page sizes the table offers; the first is the default.
var pageSizes = []int{10, 25, 50, 100}

// maxSearchChars bounds the table's search text.
const maxSearchChars = 100

// tableState is the table's query: search, sort, page and page size.
type tableState struct {
	search string
	sort   store.SortColumn
	desc   bool
	page   int
	size   int
}

func parseTableState(q url.Values) tableState {
	st := tableState{search: chars.Truncate(strings.TrimSpace(q.Get("q")), maxSearchChars), page: 1, size: pageSizes[0]}
	st.sort, _ = store.ParseSortColumn(q.Get("sort"))
	st.desc = q.Get("dir") == "desc"
	st.page = site.PageParam(q.Get("page"))
	if n, err := strconv.Atoi(q.Get("size")); err == nil {
		for _, s := range pageSizes {
			if n == s {
				st.size = n
			}
		}
	}
	return st
}

// url is the table at this state, with defaults left out.
func (t tableState) url() string {
	v := url.Values{}
	if t.search != "" {
		v.Set("q", t.search)
	}
	if t.sort != store.SortUserID {
		v.Set("sort", string(t.sort))
	}
	if t.desc {
		v.Set("dir", "desc")
	}
	if t.page > 1 {
		v.Set("page", strconv.Itoa(t.page))
	}
	if t.size != pageSizes[0] {
		v.Set("size", strconv.Itoa(t.size))
	}
	if len(v) == 0 {
		return "/zoho"
	}
	return "/zoho?" + v.Encode()
}

func (t tableState) withPage(n int) tableState { t.page = n; return t }

// tableFigures are what the seats page read with its session: the
// table's version (-1: not read) and the panel figures (nil: not read).
type tableFigures struct {
	version  int64
	overview *store.SeatsOverview
}

// seatsView builds the table and the panel figures for the request. The
// rows come from the table's copy in memory when it is at the version the
// page read, else from the database; a page past the end is the last page
// either way (in the same answer).
func (s *Server) seatsView(ctx context.Context, p web.Page, companyID int64, q url.Values, f tableFigures) (*web.SeatsView, error) {
	st := parseTableState(q)
	query := store.TableQuery{Search: st.search, Sort: st.sort, Desc: st.desc, Offset: (st.page - 1) * st.size, Limit: st.size,
		Clamp: true}
	var page store.TablePage
	ok := false
	if s.tables != nil && f.version >= 0 {
		page, ok = s.tables.Page(companyID, f.version, query)
	}
	if !ok {
		var err error
		if page, err = s.store.SeatTable(ctx, companyID, query); err != nil {
			return nil, err
		}
	}
	st.page = page.Offset/st.size + 1
	vm := &web.SeatsView{
		Search: st.search, Sort: string(st.sort), Desc: st.desc, Size: st.size, Sizes: pageSizes,
		From: page.From(), To: page.To(), Filtered: page.Filtered, Total: page.Total,
		ReturnTo: st.url(), SortURLs: map[string]string{},
	}
	for _, r := range page.Rows {
		vm.Rows = append(vm.Rows, web.SeatRow{SeatID: r.SeatID, UserID: r.UserID, Number: r.Number, ZohoLogin: r.ZohoLogin,
			ZohoName: r.ZohoName, Linked: r.LinkID != 0, Enabled: r.Enabled, Gone: r.Gone})
	}
	for _, col := range []store.SortColumn{store.SortUserID, store.SortNumber, store.SortZohoLogin, store.SortZohoName, store.SortEnabled} {
		t := st
		t.page, t.desc, t.sort = 1, st.sort == col && !st.desc, col
		vm.SortURLs[string(col)] = t.url()
	}
	vm.Pager = site.Pager(st.page, st.size, page.Filtered, func(n int) string { return st.withPage(n).url() })
	o := f.overview
	if o == nil {
		read, err := s.store.SeatsOverview(ctx, companyID)
		if err != nil {
			return nil, err
		}
		o = &read
	}
	seatsPanel(p, *o, vm)
	return vm, nil
}

// seatsPanel fills the restore banner and the panel figures, read on every
// view of the table with cheap queries: suggestions have their own page.
func seatsPanel(p web.Page, o store.SeatsOverview, vm *web.SeatsView) {
	vm.Restorable, vm.HasCentrex = o.Restorable, o.HasCentrex
	vm.ZohoUsersCount, vm.ZohoUsersAt = o.ZohoUsers, p.DateTime(o.ZohoUsersAt)
	vm.SeatsSyncedAt = p.DateTime(o.SeatsSyncedAt)
	vm.EventsChannel, vm.EventsLive, vm.EventsError = o.Events == store.EventsChannel, o.Subscribed, o.SubscriptionError
}

// handleSuggestions handles GET /zoho/suggestions: the seats whose directory
// e-mail or name matches an unlinked Zoho user, with "link all suggested".
func (s *Server) handleSuggestions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	sugg, err := s.store.SuggestedLinks(ctx, a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var vm web.SuggestionsView
	for _, sg := range sugg {
		vm.Rows = append(vm.Rows, web.SuggestionRow{SeatUser: sg.SeatUserID,
			Number: sg.SeatNumber, ZohoLabel: sg.ZohoUser.Label(), MatchedBy: sg.MatchedBy})
	}
	p := s.newPage(r, "seats.suggest.title")
	p.Nav = "zoho"
	s.render(w, r, http.StatusOK, web.SuggestionsPage(p, vm))
}

// returnTo is the table URL a form names in "return", if it is one.
func returnTo(r *http.Request) string {
	v := r.FormValue("return")
	if v == "/zoho" || strings.HasPrefix(v, "/zoho?") {
		return v
	}
	return "/zoho"
}

// seatID reads {seat} from the path.
func seatID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("seat"), 10, 64)
	return id, err == nil && id > 0
}
