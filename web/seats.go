package web

import "net/url"

// withReturn adds the page to come back to as the "return" parameter.
func withReturn(path, ret string) string {
	return path + "?" + url.Values{"return": {ret}}.Encode()
}

// SeatsView is the "Usuarios Conecta - Zoho" table of the management page
// (guide section 4), one page of it.
type SeatsView struct {
	Search string
	Sort   string
	Desc   bool
	Size   int
	Sizes  []int
	Rows   []SeatRow
	// From, To, Filtered and Total make "Mostrando From a To de Filtered
	// elementos (filtrado de Total)".
	From, To, Filtered, Total int
	PrevURL, NextURL          string
	Pages                     []PageLink
	// SortURLs maps a column to the URL that sorts by it (toggling the
	// direction when it is the current column).
	SortURLs map[string]string
	// ReturnTo is the table's current URL, where forms come back to.
	ReturnTo string
	// Restorable is true when links switched off by a disable can be
	// restored.
	Restorable bool
	// Panel figures.
	ZohoUsersCount int
	ZohoUsersAt    string
	SeatsSyncedAt  string
	HasCentrex     bool
}

// SeatRow is one row of the table.
type SeatRow struct {
	SeatID    int64
	UserID    string
	Number    string
	ZohoLogin string
	ZohoName  string
	Linked    bool
	Enabled   bool
	Gone      bool
}

// PageLink is one numbered page of the pager.
type PageLink struct {
	Number  int
	URL     string
	Current bool
	// Gap marks an ellipsis between distant pages.
	Gap bool
}

// SuggestionRow is a suggested seat ↔ Zoho user match.
type SuggestionRow struct {
	SeatUser  string
	Number    string
	ZohoLabel string
	MatchedBy string
}

// SuggestionsView lists the suggested links.
type SuggestionsView struct {
	Rows []SuggestionRow
}

// ActivateView is the "Activación de usuario Zoho en Conecta" dialog.
type ActivateView struct {
	SeatID   int64
	SeatUser string
	Number   string
	Search   string
	Users    []ZohoUserOption
	// More is how many matching users are not listed (refine the search).
	More      int
	Error     string
	ReturnTo  string
	NoneCache bool
}

// ZohoUserOption is a Zoho user in the activation dialog's list.
type ZohoUserOption struct {
	ID    string
	Label string
	// LinkedTo names the seat the user is already linked to, if any.
	LinkedTo string
}

// DeactivateView is the "Desactivación de usuario Zoho en Conecta" dialog.
type DeactivateView struct {
	SeatID    int64
	SeatUser  string
	Number    string
	ZohoLogin string
	ReturnTo  string
}

// BulkResultView lists the outcome of a bulk operation row by row.
type BulkResultView struct {
	Title string
	Rows  []BulkRow
	OK    int
	Fail  int
}

// BulkRow is one seat's outcome.
type BulkRow struct {
	SeatUser string
	ZohoUser string
	OK       bool
	Message  string
}

// AuditView is the company's audit log page.
type AuditView struct {
	Entries []AuditRow
}

// AuditRow is one audit entry, ready to show.
type AuditRow struct {
	When   string
	Actor  string
	Action string
	Detail string
}

// ActivityView is the call activity page.
type ActivityView struct {
	Company    string
	Calls      []CallRow
	DialErrors []NoteRow
	Summary    DeliveryView
}

// CallRow is one recent call and its notifications.
type CallRow struct {
	Started  string
	Seat     string
	Number   string
	Incoming bool
	Remote   string
	Open     bool
	Notes    []NoteRow
}

// NoteRow is one notification to Zoho and its delivery state.
type NoteRow struct {
	ID       int64
	What     string
	Status   string // delivered, pending, parked
	Attempts int
	Error    string
}

// DeliveryView is a company's delivery figures.
type DeliveryView struct {
	LastDelivery string
	Pending      int
	Parked       int
	LastError    string
}
