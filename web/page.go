// Package web holds the templ components of the portal and of the operator
// console (operator.templ, on the same layout), their typed view models and
// the static assets (CSS, JavaScript, images), embedded in the binary.
package web

import (
	"time"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Page is the chrome every page needs, built once per request by the portal.
type Page struct {
	Lang i18n.Lang
	// Title is the page's own title, already translated.
	Title string
	// Site is where the site's own routes start: "" for the portal,
	// "/operator" for the operator console. Its language switch, sign-in
	// form and sign-out post there.
	Site string
	// Admin is the signed-in administrator, nil on public pages and in the
	// console.
	Admin *Admin
	// Operator is the signed-in operator of the console, nil elsewhere.
	Operator *Operator
	// Flash is a one-time message carried across a redirect.
	Flash Flash
	// Path is the current request path, where the language switch returns to.
	Path string
	// Year is the current year, for the copyright line.
	Year int
	// Nav names the active side-menu entry.
	Nav string
	// Zone is the time zone the company reads times in (UTC on public
	// pages).
	Zone *time.Location
}

// DateTime writes t in the page's language and time zone, with the zone's
// abbreviation ("24/11/2026 11:00 CET"); the zero time is "".
func (p Page) DateTime(t time.Time) string { return p.Lang.DateTime(t, p.Zone) }

// T translates key into the page's language.
func (p Page) T(key string, args ...any) string { return p.Lang.T(key, args...) }

// Admin is who is signed in, as the header shows it.
type Admin struct {
	Email       string
	CompanyName string
}

// Operator is the operator signed in to the console, as its menu shows
// them.
type Operator struct {
	Email string
}

// FlashKind says how a flash message is shown.
type FlashKind string

// Flash kinds.
const (
	FlashSuccess FlashKind = "success"
	FlashError   FlashKind = "error"
	FlashInfo    FlashKind = "info"
)

// Flash is a message shown once, at the top of the next page.
type Flash struct {
	Kind    FlashKind
	Message string
}

// LoginView is the login form's state.
type LoginView struct {
	Email string
	// Error is the single, generic message shown after a failed attempt.
	Error string
	// CaptchaToken is the captcha, sealed: posted back with the form and
	// naming its picture and sound, so it changes with every new captcha.
	CaptchaToken string
}

// ErrorView is what the error page shows.
type ErrorView struct {
	Message string
}

// ZohoView is the "Integración Zoho" screen: the enable screen while the
// integration is disabled, the management page once it is enabled.
type ZohoView struct {
	Company string
	// Configured is false when the server has no Zoho OAuth client.
	Configured bool
	// Status is the integration's state (store.ZohoDisabled shows the
	// enable screen).
	Status store.ZohoStatus
	// Email prefills the Zoho account field of the activation dialog.
	Email      string
	EmailError string
	// Confirm shows the activation (or deactivation) confirmation as a page:
	// the no-JavaScript path of the dialogs.
	Confirm string
	// OpenDialog names the dialog shown open on arrival ("enable": the
	// address typed in it was refused).
	OpenDialog string
	Panel      ZohoPanel
	// Seats is the table under the management page; nil while disabled.
	Seats *SeatsView
	// Delivery are the figures of the notifications sent to Zoho.
	Delivery *DeliveryView
	// ZohoLanguage is the language of the messages the company's Zoho users
	// see from the gateway (click-to-dial errors): "es" or "en".
	ZohoLanguage string
}

// ZohoPanel is the connection panel of the management page.
type ZohoPanel struct {
	Status       string
	DataCentre   string
	APIDomain    string
	ConsentEmail string
	EnabledAt    string
	Token        string
	LastError    string
	// Zone is the company's time zone, as the page shows it.
	Zone string
}
