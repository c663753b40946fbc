package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

const (
	tableSeats      = 10_000
	tableZohoUsers  = 2_000
	tableLinks      = 1_500
	otherCompanies  = 20
	otherSeats      = 1_000
	tableClients    = 50
	benchPassword   = "bench-password-123"
	benchCaptcha    = "246810"
	benchCompany    = "Fermax"
	benchAdminEmail = "admin@fermax.com"
)

// benchTable measures the "Usuarios Conecta - Zoho" page (issue 4): with
// 10,000 seats and 2,000 Zoho users in one company among 20 others, 50
// concurrent clients ask for searches and pages, through the real router,
// sessions and templates; the baseline is a bare handler that writes a page
// of the same size, served and loaded the same way in the same run.
func benchTable(ctx context.Context, b *bench) error {
	dbURL, drop, err := freshDatabase(ctx, b.databaseURL, "gwbench_table")
	if err != nil {
		return err
	}
	defer drop()
	key := bytes.Repeat([]byte{42}, 32)
	env := map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": base64.StdEncoding.EncodeToString(key),
		"DEV_CAPTCHA_SOLUTION": benchCaptcha, "LISTEN_ADDR": "127.0.0.1:0", "SEAT_SYNC_INTERVAL": "1000h"}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.ModeDev)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer a.Close()
	st := a.Store
	if _, err := st.Migrate(ctx, nil); err != nil {
		return err
	}
	t0 := time.Now()
	if err := seedTable(ctx, st); err != nil {
		return err
	}
	fmt.Printf("seeded %d seats, %d Zoho users, %d links in one company among %d others of %d seats in %s\n",
		tableSeats, tableZohoUsers, tableLinks, otherCompanies, otherSeats, time.Since(t0).Round(time.Millisecond))

	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	client, err := signedInClient(srv.URL)
	if err != nil {
		return err
	}

	urls := tableURLs(srv.URL)
	resp, err := client.Get(urls[0])
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Usuarios Conecta - Zoho") {
		return fmt.Errorf("the table page did not render (HTTP %d)", resp.StatusCode)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	defer bare.Close()

	fmt.Printf("%d clients, %s per phase, page of %d bytes; URLs mix searches on every column, pages and sorts\n",
		tableClients, b.duration, len(page))
	load(ctx, client, tableClients, 2*time.Second, func(i int) string { return urls[i%len(urls)] }) // warm up
	gw := load(ctx, client, tableClients, b.duration, func(i int) string { return urls[i%len(urls)] })
	base := load(ctx, client, tableClients, b.duration, func(int) string { return bare.URL })
	fmt.Printf("gateway table page : %s\n", gw)
	fmt.Printf("bare handler       : %s\n", base)
	fmt.Printf("ratio gateway/bare : throughput %.3f, p50 %.1fx, p99 %.1fx\n",
		gw.throughput()/base.throughput(),
		float64(gw.quantile(0.5))/float64(base.quantile(0.5)), float64(gw.quantile(0.99))/float64(base.quantile(0.99)))
	if gw.errors > 0 {
		return fmt.Errorf("%d requests failed", gw.errors)
	}
	return nil
}

// tableURLs are the requests the clients cycle through.
func tableURLs(base string) []string {
	var out []string
	searches := []string{"", "0726", "4321", "seat-0123", "miguel", "martín", "castro", "@fermax", "9100055", "user 17"}
	sorts := []string{"user", "number", "login", "name", "enabled"}
	for i := range 200 {
		v := url.Values{}
		if s := searches[i%len(searches)]; s != "" {
			v.Set("q", s)
		}
		v.Set("sort", sorts[i%len(sorts)])
		if i%3 == 0 {
			v.Set("dir", "desc")
		}
		v.Set("page", fmt.Sprint(1+(i*37)%40))
		if i%4 == 0 {
			v.Set("size", "50")
		}
		out = append(out, base+"/zoho?"+v.Encode())
	}
	return out
}

// seedTable creates the companies, seats, Zoho users and links.
func seedTable(ctx context.Context, st *store.Store) error {
	hash, err := password.Hash(benchPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		return err
	}
	for c := range otherCompanies {
		co, _, err := st.CreateCompany(ctx, fmt.Sprintf("Other %02d", c), fmt.Sprintf("admin%02d@other.example", c), hash)
		if err != nil {
			return err
		}
		if _, err := st.SyncSeats(ctx, co.ID, seatsFor(fmt.Sprintf("o%02d", c), otherSeats), store.SourceDirectory); err != nil {
			return err
		}
	}
	co, _, err := st.CreateCompany(ctx, benchCompany, benchAdminEmail, hash)
	if err != nil {
		return err
	}
	if _, err := st.SyncSeats(ctx, co.ID, seatsFor("f", tableSeats), store.SourceDirectory); err != nil {
		return err
	}
	users := make([]store.ZohoUser, tableZohoUsers)
	names := []string{"Miguel Martín", "Gema Castro", "Ana López", "Jordi Puig", "Lucía Fernández"}
	for i := range users {
		users[i] = store.ZohoUser{ID: fmt.Sprint(700000000 + i), Email: fmt.Sprintf("user%04d@satec.es", i),
			Name: fmt.Sprintf("%s %d", names[i%len(names)], i)}
	}
	if err := st.ReplaceZohoUsers(ctx, co.ID, users); err != nil {
		return err
	}
	// An enabled integration, so the management page (and its table) shows.
	if err := st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: co.ID, Status: store.ZohoEnabled,
		ConsentEmail: "miguel.martin@satec.es", Location: "eu", AccountsServer: "https://accounts.zoho.eu",
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "1000.bench",
		EnabledAt: time.Now()}); err != nil {
		return err
	}
	for i := range tableLinks {
		seat, err := st.SeatByUserID(ctx, co.ID, fmt.Sprintf("f-%05d@conecta.orange.es", i*6))
		if err != nil {
			return err
		}
		l, _, err := st.CreateLink(ctx, co.ID, seat.ID, users[i])
		if err != nil {
			return err
		}
		if i%2 == 0 {
			if _, err := st.SetLinkEnabled(ctx, co.ID, l.ID, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func seatsFor(prefix string, n int) []centrex.Seat {
	out := make([]centrex.Seat, n)
	for i := range out {
		out[i] = centrex.Seat{UserID: fmt.Sprintf("%s-%05d@conecta.orange.es", prefix, i), Number: fmt.Sprintf("9100%05d", i),
			FirstName: "Seat", LastName: fmt.Sprint(i)}
	}
	return out
}

// captchaTokenRE finds the login form's captcha token.
var captchaTokenRE = regexp.MustCompile(`name="captcha_token" value="([A-Za-z0-9_-]+)"`)

// signedInClient logs in as the bench administrator.
func signedInClient(base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: tableClients * 2}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	// The form carries its captcha, sealed, in a hidden field.
	m := captchaTokenRE.FindSubmatch(page)
	if m == nil {
		return nil, errors.New("login form without a captcha token")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {benchAdminEmail}, "password": {benchPassword},
		"captcha": {benchCaptcha}, "captcha_token": {string(m[1])}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/home" {
		return nil, fmt.Errorf("login failed: ended at %s (HTTP %d)", resp.Request.URL.Path, resp.StatusCode)
	}
	return c, nil
}
