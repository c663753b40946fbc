package web

import "strconv"

// companyURL is a company's page in the console.
func companyURL(id int64) string { return "/operator/companies/" + strconv.FormatInt(id, 10) }

// CodeView is the second step of an operator's sign-in: the TOTP code, and
// at the first sign-in the enrolment.
type CodeView struct {
	Email string
	// Error is the message of a wrong or missing code.
	Error string
	// Enrol shows the enrolment: the QR code at QRURL and its key, Secret,
	// in groups of four for typing by hand.
	Enrol  bool
	QRURL  string
	Secret string
}

// CompaniesView is the console's companies list.
type CompaniesView struct {
	// Search is the text searched for; Attention keeps only the companies
	// that need attention.
	Search    string
	Attention bool
	// Sort is the sorted column, Desc its direction; SortURLs link each
	// column's header to sorting by it.
	Sort     string
	Desc     bool
	SortURLs map[string]string
	Rows     []CompanyRow
	// From, To and Filtered make "Mostrando From a To de Filtered
	// empresas"; Total counts every company and NeedAttention those that
	// need attention.
	From, To, Filtered, Total, NeedAttention int
	Pager
	// AttentionURL lists only those needing attention; ClearURL all.
	AttentionURL, ClearURL string
}

// CompanyRow is one company's figures, in words.
type CompanyRow struct {
	ID         int64
	URL        string
	Name       string
	ExternalID string
	Off        bool
	Attention  bool
	// Integration is the integration's state and Token the token's; Bad
	// marks a state that needs someone.
	Integration    string
	IntegrationBad bool
	Token          string
	// Centrex is whether a connection is set and Events how the events
	// arrive (the subscription's state).
	Centrex   string
	Events    string
	EventsBad bool
	// LastSync is the last seat sync or import, "Nunca" when none.
	LastSync string
	// Links is "N usuarios, M vinculados".
	Links string
	// Outbox is "N pendientes, M detenidas", OutboxBad when some are
	// parked or waiting too long; Oldest the oldest one's wait.
	Outbox    string
	OutboxBad bool
	Oldest    string
	LastError string
}

// CompanyView is a company's page in the console.
type CompanyView struct {
	CompanyRow
	Created    string
	AdminEmail string
	// OffText says since when it is off and when its data goes.
	OffText string
	// Details are the figures in detail, as label and value.
	Details []Detail
	Errors  []ErrorRow
	Audit   []OperatorAuditRow
	Centrex CentrexForm
	// HasCentrex allows the seat sync; Parked counts what a retry sends.
	HasCentrex bool
	Parked     int
	// AdminEmailInput and AdminError are the create-administrator form's
	// value and error.
	AdminEmailInput string
	AdminError      string
	// OneTimePassword is set on the page that follows a creation or a
	// reset: shown once, never stored.
	OneTimePassword *OneTimePassword
}

// Detail is one labelled figure.
type Detail struct {
	Label, Value string
	Bad          bool
}

// ErrorRow is one recent error of a company.
type ErrorRow struct {
	When, Part, Text string
}

// CentrexForm is the Centrex connection form: the current values (never
// the password) or the ones typed, and each field's error.
type CentrexForm struct {
	BaseURL, UserID, GroupID, EnterpriseID, DirectoryUserID string
	IsEnterprise, AllowInsecureURL                          bool
	Errors                                                  map[string]string
	// Message says the form was refused; Open shows it unfolded.
	Message string
	Open    bool
}

// OneTimePassword is an administrator's new password, shown once.
type OneTimePassword struct {
	Email, Password string
}

// SwitchOffView is the switch-off confirmation.
type SwitchOffView struct {
	ID            int64
	Name          string
	RetentionDays int
}

// OperatorAuditView is the operator audit log.
type OperatorAuditView struct {
	Entries []OperatorAuditRow
}

// OperatorAuditRow is one line of the operator audit log, in words.
type OperatorAuditRow struct {
	When, Who, What, Company, CompanyURL string
}
