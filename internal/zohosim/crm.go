package zohosim

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/chars"
)

// The simulated CRM page, for people clicking through the demo: after
// signing in with a simulator account, GET /crm/ lists DemoContacts whose
// numbers start click-to-dial (POST /crm/dial → ClickToDial), shows the
// user's current calls from the callnotify records with the registered
// call-control buttons (POST /crm/control → CallControl; a call whose hold
// the provider accepted shows "En espera" with "Reanudar" until a resume is
// accepted, since callnotify has no held state), a pop-up for incoming
// calls, and the call log. The "Llamando a…" message after a click on a
// number lasts until the call it announced has ended. Every action is a form post followed
// by a redirect, so it works without JavaScript; a noscript meta refresh
// and a small script reload the page every few seconds.

// crmTimeout bounds the Zoho → provider request a button triggers.
const crmTimeout = 10 * time.Second

// isCRMPath reports whether the CRM serves path.
func isCRMPath(path string) bool { return path == "/crm" || strings.HasPrefix(path, "/crm/") }

// serveCRM routes the CRM paths. State-changing requests pass net/http's
// cross-origin protection.
func (s *Sim) serveCRM(w http.ResponseWriter, r *http.Request) {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/crm":
		http.Redirect(w, r, "/crm/", http.StatusMovedPermanently)
	case "/crm/":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.crmPage(w, r)
		case http.MethodPost:
			s.crmSession(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	case "/crm/dial", "/crm/control":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		u := s.sessionUser(r)
		if u == nil {
			http.Redirect(w, r, "/crm/", http.StatusSeeOther)
			return
		}
		if r.URL.Path == "/crm/dial" {
			s.crmDial(w, r, u)
		} else {
			s.crmControl(w, r, u)
		}
	default:
		http.NotFound(w, r)
	}
}

// crmSession signs in (reusing the accounts login) or out.
func (s *Sim) crmSession(w http.ResponseWriter, r *http.Request) {
	switch r.PostForm.Get("action") {
	case "login":
		if s.login(w, r) == nil {
			render(w, http.StatusOK, "login", pageData{Title: "Iniciar sesión", Email: r.PostForm.Get("email"),
				Error: "Contraseña o correo electrónico incorrectos."})
			return
		}
	case "logout":
		s.logout(w, r)
	}
	http.Redirect(w, r, "/crm/", http.StatusSeeOther)
}

// crmDial is a click on a number: Zoho posts tonumber to the provider.
func (s *Sim) crmDial(w http.ResponseWriter, r *http.Request, u *user) {
	number := strings.TrimSpace(r.PostForm.Get("number"))
	msg := "dialing"
	at := s.now() // before the provider is asked: its first callnotify may beat the redirect
	if number == "" {
		msg = "nonumber"
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), crmTimeout)
		defer cancel()
		if err := s.ClickToDial(ctx, u.id, number); errors.Is(err, ErrNotRegistered) {
			msg = "notregistered"
		} else if err != nil {
			msg = "dialfailed"
		}
	}
	q := url.Values{"msg": {msg}}
	if number != "" {
		q.Set("n", number)
	}
	if msg == "dialing" {
		q.Set("at", strconv.FormatInt(at.UnixNano(), 10))
	}
	http.Redirect(w, r, "/crm/?"+q.Encode(), http.StatusSeeOther)
}

// crmControl is a call-bar button: Zoho posts callrefid to the provider.
func (s *Sim) crmControl(w http.ResponseWriter, r *http.Request, u *user) {
	action, ref := r.PostForm.Get("action"), r.PostForm.Get("callrefid")
	if _, ok := controlActions[action]; !ok {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	if !ownsCall(u.org.Notifies(), u.id, ref) {
		redirectMsg(w, r, "unknowncall", "")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), crmTimeout)
	defer cancel()
	msg := "sent"
	if err := s.CallControl(ctx, u.id, action, ref, r.PostForm.Get("digit")); errors.Is(err, ErrNotRegistered) {
		msg = "nocontrol"
	} else if err != nil {
		msg = "controlfailed"
	}
	redirectMsg(w, r, msg, "")
}

func redirectMsg(w http.ResponseWriter, r *http.Request, msg, number string) {
	q := url.Values{"msg": {msg}}
	if number != "" {
		q.Set("n", number)
	}
	http.Redirect(w, r, "/crm/?"+q.Encode(), http.StatusSeeOther)
}

// crmPage renders the CRM for the signed-in user, or the login form.
func (s *Sim) crmPage(w http.ResponseWriter, r *http.Request) {
	u := s.sessionUser(r)
	if u == nil {
		render(w, http.StatusOK, "login", pageData{Title: "Iniciar sesión"})
		return
	}
	_, c2d := u.org.ClickToDial(u.id)
	cc, _ := u.org.CallControl(u.id)
	calls := userCalls(u.org.Notifies(), u.id, s.now(), u.org.Held)
	q := r.URL.Query()
	n := chars.Truncate(q.Get("n"), 40)
	d := crmData{User: u.name, Email: u.email, Org: u.org.name, Contacts: DemoContacts, ClickToDial: c2d,
		Controls: cc.URIs, Log: calls, Digits: strings.Split("123456789*0#", "")}
	msg := q.Get("msg")
	if at, err := strconv.ParseInt(q.Get("at"), 10, 64); msg == "dialing" && err == nil && dialingOver(calls, time.Unix(0, at)) {
		msg = "" // "Llamando a…" ends with the call it announced
	}
	d.Flash, d.FlashClass = flash(msg, n)
	for _, c := range calls {
		if c.Active {
			d.Active = append(d.Active, c)
		}
	}
	slices.Reverse(d.Active) // oldest active call first
	var buf bytes.Buffer
	if err := crmTemplate.Execute(&buf, d); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", crmCSP)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// crmData is the CRM page's view model.
type crmData struct {
	User, Email, Org  string
	Contacts          []Contact
	ClickToDial       bool
	Controls          map[string]string
	Active, Log       []crmCall
	Digits            []string
	Flash, FlashClass string
}

// Can reports whether the call-control action is registered.
func (d crmData) Can(action string) bool { return d.Controls[action] != "" }

// Show reports whether the call bar offers action for c: registered, and
// fitting the call's state (answer only while an incoming call rings; hold
// and mute once answered, resume only while held; hang up always).
func (d crmData) Show(action string, c crmCall) bool {
	switch action {
	case "answer":
		return d.Can(action) && c.Type == "received" && c.State == "ringing"
	case "hungup":
		return d.Can(action)
	case "hold":
		return d.Can(action) && c.State == "answered" && !c.Held
	case "unhold":
		return d.Can(action) && c.State == "answered" && c.Held
	}
	return d.Can(action) && c.State == "answered"
}
