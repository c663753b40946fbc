package web

import (
	"net/url"
	"strconv"
)

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
	Pager
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
	// EventsChannel is true when call events arrive by the streaming event
	// channel, false for HTTP contact; EventsLive when a subscription is
	// up; EventsError why keeping it failed last.
	EventsChannel bool
	EventsLive    bool
	EventsError   string
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

// Pager is "Previo 1 2 3 Siguiente" under a paginated list.
type Pager struct {
	// PrevURL and NextURL are "" on the first and the last page.
	PrevURL, NextURL string
	Pages            []PageLink
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
	// Selected is the Zoho user chosen (kept after a refused attempt).
	Selected string
	// Matches is how many users match the search in all; More how many of
	// them are not listed (refine the search).
	Matches   int
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
	// ZohoUserID is the linked Zoho user the dialog shows: confirming
	// deactivates only if the seat is still linked to that user.
	ZohoUserID string
	ReturnTo   string
}

// BulkResultView lists the outcome of a bulk operation row by row.
type BulkResultView struct {
	Title string
	// Back is the table URL to return to.
	Back string
	Rows []BulkRow
	OK   int
	Fail int
}

// BulkRow is one seat's outcome.
type BulkRow struct {
	SeatUser string
	ZohoUser string
	OK       bool
	Message  string
}

// activateURL is the activation dialog of a seat.
func activateURL(seatID int64) string {
	return "/zoho/seats/" + strconv.FormatInt(seatID, 10) + "/activate"
}
