package web

import "github.com/conecta-zoho/gateway/internal/store"

// ListFilter is the filter form above the activity page and the audit log.
type ListFilter struct {
	// Text is a seat (activity) or any text of an entry (audit).
	Text string
	// From and To are days, yyyy-mm-dd, as <input type=date> sends them.
	From, To string
	// State is the chosen call state or kind of event; States the choices.
	State  string
	States []Option
	// Direction is "received", "dialed" or "" (activity only).
	Direction string
	// Error says which part of the filter could not be read.
	Error string
	// Active is true when anything is filtered.
	Active bool
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// ActivityView is the call activity page.
type ActivityView struct {
	Company string
	Filter  ListFilter
	Calls   []CallRow
	// From, To and Total make "Mostrando From a To de Total llamadas".
	From, To, Total int
	Pager
	// Zone names the time zone the times are in.
	Zone string
	// Self is this page's URL, where a retry comes back to.
	Self       string
	DialErrors []NoteRow
	Summary    DeliveryView
}

// CallRow is one call and its notifications, in words.
type CallRow struct {
	Started string
	Seat    string
	Number  string
	// Remote is the other party's number, RemoteName its name if the
	// Centrex gave one.
	Remote     string
	RemoteName string
	// Label is direction and state: "Entrante · sonando", "Perdida".
	Label string
	// Kind is open, talked, missed, failed or ended, for the row's style.
	Kind  string
	Notes []NoteRow
}

// NoteRow is one notification to Zoho and its delivery state, in words.
type NoteRow struct {
	ID int64
	// What the notification told Zoho ("sonando", "terminada …").
	What string
	// Status is where its delivery is; StatusText says it.
	Status     store.OutboxStatus
	StatusText string
	When       string
	// Error says why it has not arrived; Technical is the error as recorded.
	Error     string
	Technical string
	// Superseded marks a parked notification Zoho has a later state of the
	// call for: it is shown, but cannot be retried.
	Superseded bool
}

// DeliveryView is a company's delivery figures.
type DeliveryView struct {
	LastDelivery       string
	Pending            int
	Parked             int
	LastError          string
	LastErrorTechnical string
}

// AuditView is the company's audit log page.
type AuditView struct {
	Filter  ListFilter
	Entries []AuditRow
	// From, To and Total make "Mostrando From a To de Total eventos".
	From, To, Total int
	Pager
	Zone string
}

// AuditRow is one audit entry, told as a sentence.
type AuditRow struct {
	When  string
	Actor string
	What  string
	// Action is the recorded action name, kept for the row's data.
	Action string
}

// TimeZoneView is the time zone form.
type TimeZoneView struct {
	Zones []Option
	Error string
	// Back is the page the form returns to.
	Back string
}
