package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// The telephony sections' Zoho client and the simulated seats' passwords.
const (
	worldClientID     = "1000.BENCH"
	worldClientSecret = "bench-secret"
	worldRedirect     = "https://gw.example/zoho/callback"
	worldXsiPassword  = "xsi-password"
)

// world is what the telephony sections measure against: a fresh database
// with `companies` companies of `seats` linked seats each, one Xsi
// simulator holding every company's group, one Zoho simulator with an org
// per company (integrated, one Zoho user per seat), both served over HTTP
// on loopback, and the gateway running as a separate process (see
// child.go) on that database.
type world struct {
	st        *store.Store
	dbURL     string
	key       []byte
	xsi       *xsisim.Sim
	xsrv      *httptest.Server
	zoho      *zohosim.Sim
	zsrv      *httptest.Server
	companies []worldCompany
	gw        *gatewayChild

	// acks counts event POSTs the gateway answered 2xx; onAck and onNotify,
	// when set, see each answered event (when it was sent and when its 2xx
	// came back) and each callnotify Zoho accepted.
	acks     atomic.Int64
	notifies atomic.Int64
	hookMu   sync.RWMutex
	onAck    func(sent, answered time.Time)
	onNotify func(at time.Time, from, state string)
	onXsi    func(at time.Time, r *http.Request)
	closers  []func()
}

// worldCompany is one company and its linked seats.
type worldCompany struct {
	id    int64
	org   *zohosim.Org
	seats []worldSeat
}

// worldSeat is one linked seat: its Xsi user, number, link and secret.
type worldSeat struct {
	userID   string
	number   string
	linkID   int64
	secret   string
	zohoUser string
}

// newWorld builds the world on a fresh database called name and starts the
// gateway; Close tears it down.
func newWorld(ctx context.Context, b *bench, name string, companies, seats int) (*world, error) {
	w := &world{key: bytes.Repeat([]byte{7}, 32)}
	ok := false
	defer func() {
		if !ok {
			w.Close()
		}
	}()
	dbURL, drop, err := freshDatabase(ctx, b.databaseURL, name)
	if err != nil {
		return nil, err
	}
	w.dbURL = dbURL
	w.closers = append(w.closers, drop)
	if w.st, err = migratedStore(ctx, dbURL, w.key); err != nil {
		return nil, err
	}
	w.closers = append(w.closers, w.st.Close)

	xclient := &http.Client{Timeout: 10 * time.Second, Transport: &ackCounter{w: w,
		next: &http.Transport{MaxIdleConnsPerHost: 4 * companies, IdleConnTimeout: time.Minute}}}
	w.xsi = xsisim.New(xsisim.Options{HTTPClient: xclient, DeliveryAttempts: 5, MaxRecordedRequests: 100})
	w.xsrv = httptest.NewServer(w.xsiObserver(w.xsi))
	w.closers = append(w.closers, func() { w.xsi.Close(); w.xsrv.Close() })
	w.zoho = zohosim.New(zohosim.Options{ClientID: worldClientID, ClientSecret: worldClientSecret})
	w.zsrv = httptest.NewServer(w.notifyCounter(w.zoho.Handler()))
	w.closers = append(w.closers, w.zsrv.Close)
	w.zoho.SetBaseURL(w.zsrv.URL)

	if err := w.seed(ctx, companies, seats); err != nil {
		return nil, err
	}
	if err := settle(ctx, w.st.Pool()); err != nil {
		return nil, err
	}
	if w.gw, err = startChild(ctx, w.childEnv()); err != nil {
		return nil, err
	}
	w.closers = append(w.closers, w.gw.stop)
	deadline := time.Now().Add(30 * time.Second)
	for len(w.xsi.Subscriptions()) < companies {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d companies subscribed to call events", len(w.xsi.Subscriptions()), companies)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ok = true
	return w, nil
}

// Close stops the gateway and the simulators and drops the database.
func (w *world) Close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
}

// childEnv is the gateway's environment, as `gateway serve` reads it.
func (w *world) childEnv() []string {
	return []string{
		"DATABASE_URL=" + w.dbURL,
		"SECRET_KEY=" + base64.StdEncoding.EncodeToString(w.key),
		"ZOHO_CLIENT_ID=" + worldClientID,
		"ZOHO_CLIENT_SECRET=" + worldClientSecret,
		"ZOHO_ACCOUNTS_URL=" + w.zsrv.URL,
		"SEAT_SYNC_INTERVAL=1000h",
		"LOG_FORMAT=text",
		"LOG_LEVEL=warn",
	}
}

// seed creates the companies in the store and both simulators.
func (w *world) seed(ctx context.Context, companies, seats int) error {
	hash, err := password.Hash("bench-password-123", password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		return err
	}
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: worldClientID, ClientSecret: worldClientSecret,
		RedirectURL: worldRedirect, HomeAccountsURL: w.zsrv.URL})
	if err != nil {
		return err
	}
	for c := range companies {
		co, err := w.seedCompany(ctx, oauth, hash, c, seats)
		if err != nil {
			return fmt.Errorf("company %d: %w", c, err)
		}
		w.companies = append(w.companies, co)
	}
	return nil
}

// seedCompany creates company c with its Xsi group, Zoho org and links.
func (w *world) seedCompany(ctx context.Context, oauth *zoho.OAuth, hash string, c, seats int) (worldCompany, error) {
	name := fmt.Sprintf("Bench %03d", c)
	enterprise, group, admin := fmt.Sprintf("ent%03d", c), fmt.Sprintf("grp%03d", c), fmt.Sprintf("admin%03d@xsp.example", c)
	g := w.xsi.AddGroup(enterprise, group)
	if err := g.AddAdmin(admin, worldXsiPassword); err != nil {
		return worldCompany{}, err
	}
	cseats := make([]centrex.Seat, seats)
	for s := range seats {
		cseats[s] = centrex.Seat{UserID: fmt.Sprintf("c%03d-s%03d@conecta.orange.es", c, s),
			Number: fmt.Sprintf("91%03d%04d", c, s), Extension: fmt.Sprintf("%04d", s)}
		if err := g.AddSeat(xsisim.Seat{UserID: cseats[s].UserID, Number: cseats[s].Number, Extension: cseats[s].Extension},
			worldXsiPassword); err != nil {
			return worldCompany{}, err
		}
	}
	co, _, err := w.st.CreateCompany(ctx, name, fmt.Sprintf("admin%03d@bench.example", c), hash)
	if err != nil {
		return worldCompany{}, err
	}
	if err := w.st.SetCentrexConnection(ctx, co.ID, centrex.Connection{BaseURL: w.xsrv.URL, UserID: admin,
		Password: worldXsiPassword, GroupID: group, EnterpriseID: enterprise, IsEnterprise: true,
		DirectoryUserID: cseats[0].UserID}); err != nil {
		return worldCompany{}, err
	}
	if _, err := w.st.SyncSeats(ctx, co.ID, cseats, store.SourceDirectory); err != nil {
		return worldCompany{}, err
	}

	org := w.zoho.AddOrg(name, "eu")
	adminEmail := fmt.Sprintf("admin%03d@zoho.example", c)
	org.AddUser(adminEmail, "Admin", "pw", true)
	code, loc, as, err := w.zoho.IssueCode(adminEmail, worldRedirect, zoho.Scopes)
	if err != nil {
		return worldCompany{}, err
	}
	tok, err := oauth.Exchange(ctx, as, "", code)
	if err != nil {
		return worldCompany{}, err
	}
	if err := zoho.NewPhoneBridge(http.DefaultClient, zoho.StaticToken{APIDomain: tok.APIDomain,
		AccessToken: tok.AccessToken}).Integrate(ctx); err != nil {
		return worldCompany{}, err
	}
	if err := w.st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: co.ID, Status: store.ZohoEnabled,
		ConsentEmail: adminEmail, Location: loc, AccountsServer: as, APIDomain: tok.APIDomain,
		RefreshToken:    tok.RefreshToken,
		AccessToken:     tok.AccessToken,
		AccessExpiresAt: tok.Expiry, RefreshedAt: time.Now(), EnabledAt: time.Now()}); err != nil {
		return worldCompany{}, err
	}

	out := worldCompany{id: co.ID, org: org}
	for s, cs := range cseats {
		email := fmt.Sprintf("u%03d-%03d@zoho.example", c, s)
		zu := org.AddUser(email, "User", "pw", false)
		seat, err := w.st.SeatByUserID(ctx, co.ID, cs.UserID)
		if err != nil {
			return worldCompany{}, err
		}
		l, secret, err := w.st.CreateLink(ctx, co.ID, seat.ID, store.ZohoUser{ID: zu, Email: email})
		if err != nil {
			return worldCompany{}, err
		}
		if _, err := w.st.SetLinkEnabled(ctx, co.ID, l.ID, true); err != nil {
			return worldCompany{}, err
		}
		out.seats = append(out.seats, worldSeat{userID: cs.UserID, number: cs.Number, linkID: l.ID, secret: secret, zohoUser: zu})
	}
	return out, nil
}

// ackCounter counts the event POSTs the gateway answered 2xx.
type ackCounter struct {
	w    *world
	next http.RoundTripper
}

func (a *ackCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := a.next.RoundTrip(r)
	if err == nil && resp.StatusCode/100 == 2 && strings.Contains(r.URL.Path, "/bridge/centrex/events/") {
		at := time.Now()
		a.w.acks.Add(1)
		a.w.hookMu.RLock()
		if f := a.w.onAck; f != nil {
			f(sent, at)
		}
		a.w.hookMu.RUnlock()
	}
	return resp, err
}

// notifyCounter wraps the Zoho simulator: every callnotify it accepts is
// counted and shown to onNotify.
func (w *world) notifyCounter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/callnotify") {
			next.ServeHTTP(rw, r)
			return
		}
		at := time.Now()
		_ = r.ParseForm()
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if sw.status != http.StatusOK {
			return
		}
		w.notifies.Add(1)
		w.hookMu.RLock()
		if f := w.onNotify; f != nil {
			f(at, r.Form.Get("from"), r.Form.Get("type")+" "+r.Form.Get("state"))
		}
		w.hookMu.RUnlock()
	})
}

// xsiObserver wraps the Xsi simulator: onXsi, when set, sees every
// request as it arrives.
func (w *world) xsiObserver(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		at := time.Now()
		w.hookMu.RLock()
		f := w.onXsi
		w.hookMu.RUnlock()
		if f != nil {
			f(at, r)
		}
		next.ServeHTTP(rw, r)
	})
}

// setXsiHook installs (or with nil removes) the Xsi request observer.
func (w *world) setXsiHook(f func(time.Time, *http.Request)) {
	w.hookMu.Lock()
	w.onXsi = f
	w.hookMu.Unlock()
}

// setHooks installs (or with nils removes) the observers.
func (w *world) setHooks(onAck func(sent, answered time.Time), onNotify func(time.Time, string, string)) {
	w.hookMu.Lock()
	w.onAck, w.onNotify = onAck, onNotify
	w.hookMu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }
