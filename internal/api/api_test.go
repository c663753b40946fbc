package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/conecta-zoho/gateway/internal/api"
	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// world is a gateway built by app.New, as `gateway serve` builds it, with
// the Zoho and Xsi simulators behind it, an API key, and the OpenAPI
// document every exchange is checked against.
type world struct {
	t      *testing.T
	cfg    config.Config
	app    *app.App
	srv    *httptest.Server
	zoho   *zohosim.Sim
	org    *zohosim.Org
	xsiURL string
	key    string
	router routers.Router
}

const clientID, clientSecret = "1000.API", "api-secret"

func newWorld(t *testing.T, extra map[string]string) *world {
	t.Helper()
	w := &world{t: t}
	w.zoho = zohosim.New(zohosim.Options{ClientID: clientID, ClientSecret: clientSecret})
	zsrv := httptest.NewServer(w.zoho.Handler())
	t.Cleanup(zsrv.Close)
	w.zoho.SetBaseURL(zsrv.URL)
	w.org = w.zoho.AddOrg("Fermax", "eu")
	xs := xsisim.New(xsisim.Options{})
	xsisim.SeedDemo(xs)
	xsrv := httptest.NewServer(xs)
	t.Cleanup(func() { xs.Close(); xsrv.Close() })
	w.xsiURL = xsrv.URL

	env := map[string]string{
		"DATABASE_URL":       testdb.URL(t),
		"PUBLIC_URL":         "http://gateway.test",
		"SECRET_KEY":         testdb.SecretKey,
		"ZOHO_CLIENT_ID":     clientID,
		"ZOHO_CLIENT_SECRET": clientSecret,
		"ZOHO_ACCOUNTS_URL":  zsrv.URL,
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	w.cfg = cfg
	w.app, w.srv = newInstance(t, cfg)
	if _, err := w.app.Store.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, w.key, err = w.app.Store.CreateAPIKey(context.Background(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	w.router = openAPIRouter(t)
	return w
}

// newInstance builds one gateway instance from cfg and serves it.
func newInstance(t *testing.T, cfg config.Config) (*app.App, *httptest.Server) {
	t.Helper()
	cfg.PasswordParams = password.Params{Memory: 64, Time: 1, Threads: 1}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv
}

// openAPIRouter loads and validates the served document.
func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://gateway.test" + api.Prefix}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reply is an answer, its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
}

// problem decodes a problem answer and checks its status and type.
func (r reply) problem(t *testing.T, status int, typ string) api.Problem {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("answer %d %s, want %d problem+json: %s", r.status, r.header.Get("Content-Type"), status, r.body)
	}
	var p api.Problem
	r.json(t, &p)
	if p.Type != api.ProblemTypePrefix+typ || p.Status != status || p.Title == "" {
		t.Fatalf("problem = %+v, want type %s", p, typ)
	}
	return p
}

// call sends a request with the world's key (key "" sends none; headers
// are added) and checks the request and the answer against the OpenAPI
// document: the route is documented, the request matches it, and the
// answer's status, headers and body match its schema.
func (w *world) call(method, path, key string, body any, headers ...string) reply {
	w.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	rep := reply{status: resp.StatusCode, header: resp.Header, body: out}
	w.validate(req, raw, rep)
	return rep
}

// validate checks one exchange against the document. The request itself
// is only checked when it is meant to be valid (the answer is not a 4xx
// about the request), since the tests send bad ones on purpose.
func (w *world) validate(req *http.Request, body []byte, rep reply) {
	w.t.Helper()
	check, _ := http.NewRequest(req.Method, "http://gateway.test"+req.URL.RequestURI(), bytes.NewReader(body))
	check.Header = req.Header.Clone()
	route, params, err := w.router.FindRoute(check)
	if err != nil {
		if rep.status == http.StatusNotFound || rep.status == http.StatusMethodNotAllowed {
			return // not a route: nothing documented to check against
		}
		w.t.Fatalf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, rep.status, err)
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if rep.status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			w.t.Fatalf("%s %s: the request does not match the document: %v", req.Method, req.URL.Path, err)
		}
	}
	if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rep.status, Header: rep.header,
		Body: io.NopCloser(bytes.NewReader(rep.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		w.t.Fatalf("%s %s answered %d, which does not match the document: %v\n%s", req.Method, req.URL.Path, rep.status, err, rep.body)
	}
}

type companyJSON struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	ExternalID    *string `json:"external_id"`
	AdminEmail    *string `json:"admin_email"`
	State         string  `json:"state"`
	DeleteAfter   *string `json:"delete_after"`
	AdminPassword string  `json:"admin_password"`
	Health        *struct {
		NeedsAttention bool   `json:"needs_attention"`
		Integration    string `json:"integration"`
		Seats          struct {
			Present int `json:"present"`
		} `json:"seats"`
		Links struct {
			Total, Enabled int
		} `json:"links"`
		Outbox struct {
			Parked int `json:"parked"`
		} `json:"outbox"`
	} `json:"health"`
}

// createFermax creates the company Fermax through the API.
func (w *world) createFermax() companyJSON {
	w.t.Helper()
	rep := w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": "Fermax", "admin_email": "admin@fermax.com",
		"external_id": "ORD-1"})
	if rep.status != http.StatusCreated {
		w.t.Fatalf("create = %d %s", rep.status, rep.body)
	}
	var c companyJSON
	rep.json(w.t, &c)
	return c
}

// TestOpenAPIMatchesRoutes: the document lists exactly the routes the
// handler serves, method by method, and every problem type the code sends.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+api.Prefix+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range api.Routes(api.New(api.Options{}).Handler()) {
		routed[r] = true
	}
	for r := range routed {
		if !documented[r] {
			t.Errorf("%s is routed but not in the OpenAPI document", r)
		}
	}
	for r := range documented {
		if !routed[r] {
			t.Errorf("%s is in the OpenAPI document but not routed", r)
		}
	}
	enum := doc.Components.Schemas["Problem"].Value.Properties["type"].Value.Enum
	listed := map[string]bool{}
	for _, v := range enum {
		listed[v.(string)] = true
	}
	for _, name := range api.ProblemTypes() {
		if !listed[api.ProblemTypePrefix+name] || !strings.Contains(doc.Info.Description, name) {
			t.Errorf("problem type %s is not documented", name)
		}
	}
	if len(listed) != len(api.ProblemTypes()) {
		t.Errorf("the document lists %d problem types, the code has %d", len(listed), len(api.ProblemTypes()))
	}
}

// TestServesOpenAPI: the document is served without a key.
func TestServesOpenAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	rep := w.call("GET", "/api/v1/openapi.json", "", nil)
	if rep.status != http.StatusOK || !bytes.Equal(rep.body, api.OpenAPI) {
		t.Fatalf("openapi.json = %d, %d bytes", rep.status, len(rep.body))
	}
}

// TestAuthentication: no key, a malformed header, an unknown key and a
// revoked one are each refused with their problem type, on every route,
// and nothing is created.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := context.Background()
	_, revoked, err := w.app.Store.CreateAPIKey(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Store.RevokeAPIKey(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"name": "Fermax", "admin_email": "admin@fermax.com"}
	for _, route := range [][2]string{{"POST", "/api/v1/companies"}, {"GET", "/api/v1/companies"},
		{"GET", "/api/v1/companies/1"}, {"DELETE", "/api/v1/companies/1"}, {"PUT", "/api/v1/companies/1/centrex"},
		{"POST", "/api/v1/companies/1/seats/sync"}, {"POST", "/api/v1/companies/1/admin/reset-password"}} {
		rep := w.call(route[0], route[1], "", body)
		rep.problem(t, 401, "unauthorized")
		if !strings.HasPrefix(rep.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%v: WWW-Authenticate = %q", route, rep.header.Get("WWW-Authenticate"))
		}
		w.call(route[0], route[1], "", body, "Authorization", "Basic "+w.key).problem(t, 401, "unauthorized")
		w.call(route[0], route[1], w.key+"x", body).problem(t, 401, "invalid-api-key")
		w.call(route[0], route[1], revoked, body).problem(t, 401, "invalid-api-key")
	}
	if list, _, _ := w.app.Store.Accounts(ctx, 0, 10); len(list) != 0 {
		t.Fatalf("companies created without a key: %+v", list)
	}
}

// TestCreateAndRead: creation answers 201 with a one-time password the
// administrator can use, then the company is listed (paged) and read with
// its health; every call is in the operator audit log with the key's name.
func TestCreateAndRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := context.Background()
	c := w.createFermax()
	if c.Name != "Fermax" || *c.ExternalID != "ORD-1" || *c.AdminEmail != "admin@fermax.com" || c.State != "active" || len(c.AdminPassword) < 12 {
		t.Fatalf("created = %+v", c)
	}
	admin, err := w.app.Store.AdminByEmail(ctx, "admin@fermax.com")
	if err != nil || admin.CompanyID != c.ID {
		t.Fatalf("administrator = %+v, %v", admin, err)
	}
	for _, n := range []string{"Acme", "Bravo"} {
		if rep := w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": n, "admin_email": "a@" + n + ".example"}); rep.status != 201 {
			t.Fatalf("create %s = %d", n, rep.status)
		}
	}
	var page struct {
		Companies []companyJSON `json:"companies"`
		NextAfter *int64        `json:"next_after"`
	}
	w.call("GET", "/api/v1/companies?limit=2", w.key, nil).json(t, &page)
	if len(page.Companies) != 2 || page.NextAfter == nil || page.Companies[0].Name != "Fermax" || page.Companies[0].AdminPassword != "" {
		t.Fatalf("first page = %+v", page)
	}
	next := *page.NextAfter
	page.NextAfter = nil
	w.call("GET", "/api/v1/companies?limit=2&after="+itoa(next), w.key, nil).json(t, &page)
	if len(page.Companies) != 1 || page.NextAfter != nil || page.Companies[0].Name != "Bravo" {
		t.Fatalf("second page = %+v", page)
	}
	w.call("GET", "/api/v1/companies?limit=0&after=x", w.key, nil).problem(t, 422, "validation-failed")

	var got companyJSON
	w.call("GET", "/api/v1/companies/"+itoa(c.ID), w.key, nil).json(t, &got)
	if got.Health == nil || got.Health.Integration != "disabled" || got.Health.NeedsAttention {
		t.Fatalf("company = %+v", got)
	}
	w.call("GET", "/api/v1/companies/999999", w.key, nil).problem(t, 404, "not-found")
	w.call("GET", "/api/v1/companies/abc", w.key, nil).problem(t, 404, "not-found")
	w.call("PATCH", "/api/v1/companies/1", w.key, nil).problem(t, 405, "method-not-allowed")

	log, err := w.app.Store.OperatorAuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	calls, created := 0, 0
	for _, e := range log {
		if e.ActorKind == store.ActorAPIKey && e.Actor == "orders" && e.Action == "api.call" {
			calls++
		}
		if e.Action == "company.created" && e.Actor == "orders" {
			created++
		}
	}
	if calls != 9 || created != 3 {
		t.Fatalf("audit: %d calls, %d creations by orders; want 9 and 3", calls, created)
	}
	entries, _ := w.app.Store.AuditLog(ctx, c.ID, 10)
	if len(entries) == 0 || entries[len(entries)-1].Actor != "api:orders" || entries[len(entries)-1].Action != "company.created" {
		t.Fatalf("company audit = %+v", entries)
	}
}

// TestValidationListsEveryField: one answer lists every bad field, unknown
// and mistyped ones included; bodies that are not JSON objects, not JSON,
// too large, or of another type are refused with their own types.
func TestValidationListsEveryField(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	p := w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": "", "admin_email": "not an e-mail",
		"external_id": strings.Repeat("x", 300), "colour": "red"}).problem(t, 422, "validation-failed")
	fields := map[string]string{}
	for _, f := range p.Errors {
		fields[f.Field] = f.Code
	}
	want := map[string]string{"colour": "unknown", "name": "required", "admin_email": "invalid", "external_id": "too_long"}
	if len(fields) != len(want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
	for f, code := range want {
		if fields[f] != code {
			t.Errorf("field %s: code %q, want %q (%v)", f, fields[f], code, p.Errors)
		}
	}
	p = w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": 7}).problem(t, 422, "validation-failed")
	if len(p.Errors) != 2 {
		t.Fatalf("a number as name and no admin_email: %+v", p.Errors)
	}
	w.call("POST", "/api/v1/companies", w.key, "[1,2]").problem(t, 400, "malformed-request")
	w.call("POST", "/api/v1/companies", w.key, "{").problem(t, 400, "malformed-request")
	w.call("POST", "/api/v1/companies", w.key, `{"name":"`+strings.Repeat("a", 70<<10)+`"}`).problem(t, 413, "body-too-large")
	w.call("POST", "/api/v1/companies", w.key, `{"name":"x"}`, "Content-Type", "text/plain").problem(t, 415, "unsupported-media-type")
	w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": "A", "admin_email": "a@a.example"},
		"Idempotency-Key", "bad key").problem(t, 400, "invalid-idempotency-key")
	if list, _, _ := w.app.Store.Accounts(context.Background(), 0, 10); len(list) != 0 {
		t.Fatalf("refused requests created %+v", list)
	}
}

// TestIdempotentCreation: many concurrent creations with one
// Idempotency-Key, and then with one external_id under different keys,
// give one company each; replays answer 200 without a password; a key
// replayed with another body, and an external id of another company, are
// refused.
func TestIdempotentCreation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	type result struct {
		status int
		c      companyJSON
	}
	concurrently := func(n int, send func(i int) reply) []result {
		out := make([]result, n)
		done := make(chan struct{})
		for i := range n {
			go func() {
				defer func() { done <- struct{}{} }()
				rep := send(i)
				out[i].status = rep.status
				_ = json.Unmarshal(rep.body, &out[i].c)
			}()
		}
		for range n {
			<-done
		}
		return out
	}
	check := func(what string, rs []result) int64 {
		t.Helper()
		ids, created := map[int64]bool{}, 0
		for _, r := range rs {
			ids[r.c.ID] = true
			switch {
			case r.status == 201 && r.c.AdminPassword != "":
				created++
			case r.status == 200 && r.c.AdminPassword == "":
			default:
				t.Fatalf("%s: answer %d %+v", what, r.status, r.c)
			}
		}
		if len(ids) != 1 || created != 1 {
			t.Fatalf("%s: %d companies, %d creations; want one", what, len(ids), created)
		}
		for id := range ids {
			return id
		}
		return 0
	}
	body := map[string]any{"name": "Fermax", "admin_email": "admin@fermax.com"}
	id := check("Idempotency-Key", concurrently(10, func(int) reply {
		return w.call("POST", "/api/v1/companies", w.key, body, "Idempotency-Key", "order-42")
	}))
	rep := w.call("POST", "/api/v1/companies", w.key, body, "Idempotency-Key", "order-42")
	if rep.status != 200 || rep.header.Get("Idempotent-Replayed") != "true" || rep.header.Get("Location") != "/api/v1/companies/"+itoa(id) {
		t.Fatalf("replay = %d %v", rep.status, rep.header)
	}
	w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": "Other", "admin_email": "o@o.example"},
		"Idempotency-Key", "order-42").problem(t, 422, "idempotency-key-reused")
	w.call("POST", "/api/v1/companies", w.key, body).problem(t, 409, "company-exists")

	ext := map[string]any{"name": "Acme", "admin_email": "admin@acme.example", "external_id": "ORD-9"}
	check("external_id", concurrently(10, func(i int) reply {
		return w.call("POST", "/api/v1/companies", w.key, ext, "Idempotency-Key", "k-"+itoa(int64(i)))
	}))
	w.call("POST", "/api/v1/companies", w.key, map[string]any{"name": "Not Acme", "admin_email": "x@x.example",
		"external_id": "ORD-9"}).problem(t, 409, "external-id-conflict")
	if list, _, _ := w.app.Store.Accounts(context.Background(), 0, 10); len(list) != 2 {
		t.Fatalf("companies = %+v, want Fermax and Acme", list)
	}
}

// TestCentrexSyncAndReset: the connection is set with the set-centrex
// checks (every bad field at once; an insecure URL refused unless
// allowed), answered without its password, stored sealed; the seats are
// read from the Centrex; the administrator's password is reset once, and
// the old one no longer works.
func TestCentrexSyncAndReset(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	ctx := context.Background()
	c := w.createFermax()
	base := "/api/v1/companies/" + itoa(c.ID)

	w.call("POST", base+"/seats/sync", w.key, nil).problem(t, 409, "no-centrex-connection")
	p := w.call("PUT", base+"/centrex", w.key, map[string]any{"xsi_url": "ftp://x", "user": "has space",
		"enterprise": ""}).problem(t, 422, "validation-failed")
	fields := map[string]bool{}
	for _, f := range p.Errors {
		fields[f.Field] = true
	}
	for _, f := range []string{"xsi_url", "user", "group", "enterprise", "password"} {
		if !fields[f] {
			t.Errorf("field %s not reported: %+v", f, p.Errors)
		}
	}
	conn := map[string]any{"xsi_url": w.xsiURL, "user": xsisim.DemoAdminUserID, "group": xsisim.DemoGroup,
		"enterprise": xsisim.DemoEnterprise, "directory_user": xsisim.DemoSeat1, "password": xsisim.DemoAdminPassword}
	p = w.call("PUT", base+"/centrex", w.key, conn).problem(t, 422, "validation-failed")
	if len(p.Errors) != 1 || p.Errors[0].Code != "insecure_url" {
		t.Fatalf("a plain-http loopback URL: %+v", p.Errors)
	}
	conn["allow_insecure_url"] = true
	rep := w.call("PUT", base+"/centrex", w.key, conn)
	if rep.status != 200 || bytes.Contains(rep.body, []byte(xsisim.DemoAdminPassword)) || bytes.Contains(rep.body, []byte("password")) {
		t.Fatalf("set centrex = %d %s", rep.status, rep.body)
	}
	stored, err := w.app.Store.CentrexConnection(ctx, c.ID)
	if err != nil || stored.Password != xsisim.DemoAdminPassword || stored.BaseURL != w.xsiURL {
		t.Fatalf("stored = %+v, %v", stored, err)
	}

	var sync struct{ Present, Added int }
	w.call("POST", base+"/seats/sync", w.key, nil).json(t, &sync)
	if sync.Present < 2 || sync.Added != sync.Present {
		t.Fatalf("sync = %+v", sync)
	}
	var got companyJSON
	w.call("GET", base, w.key, nil).json(t, &got)
	if got.Health.Seats.Present != sync.Present {
		t.Fatalf("health after the sync: %+v", got.Health)
	}

	var reset struct {
		AdminEmail string `json:"admin_email"`
		Password   string `json:"password"`
	}
	w.call("POST", base+"/admin/reset-password", w.key, nil).json(t, &reset)
	admin, _ := w.app.Store.AdminByEmail(ctx, "admin@fermax.com")
	if reset.AdminEmail != "admin@fermax.com" || len(reset.Password) < 12 || reset.Password == c.AdminPassword || admin.SessionEpoch != 2 {
		t.Fatalf("reset = %+v, epoch %d", reset, admin.SessionEpoch)
	}
	w.call("POST", "/api/v1/companies/99999/admin/reset-password", w.key, nil).problem(t, 404, "not-found")
}

// TestDeleteSwitchesOff: DELETE removes the company's registrations in Zoho
// and disintegrates it, keeps its data with a deletion date, ends the
// administrator's sessions and refuses further actions; repeating it is
// harmless.
func TestDeleteSwitchesOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{"COMPANY_RETENTION": "240h"})
	ctx := context.Background()
	c := w.createFermax()
	zuser := w.enableZoho(c.ID)
	if _, ok := w.org.ClickToDial(zuser); !ok || !w.org.Integrated() {
		t.Fatal("the setup did not register the user in Zoho")
	}

	var off companyJSON
	rep := w.call("DELETE", "/api/v1/companies/"+itoa(c.ID), w.key, nil)
	rep.json(t, &off)
	if rep.status != 200 || off.State != "switched_off" || off.DeleteAfter == nil {
		t.Fatalf("delete = %d %+v", rep.status, off)
	}
	if at, _ := time.Parse(time.RFC3339, *off.DeleteAfter); at.Before(time.Now().Add(239*time.Hour)) || at.After(time.Now().Add(241*time.Hour)) {
		t.Fatalf("delete_after = %s, want in ten days", *off.DeleteAfter)
	}
	if _, ok := w.org.ClickToDial(zuser); ok || w.org.Integrated() {
		t.Fatal("the registrations are still in Zoho")
	}
	if n, _ := w.app.Store.Pool().Query(ctx, `SELECT 1 FROM seat_links WHERE company_id = $1`, c.ID); n != nil {
		defer n.Close()
		if !n.Next() {
			t.Fatal("the links were deleted, not kept")
		}
	}
	base := "/api/v1/companies/" + itoa(c.ID)
	w.call("POST", base+"/seats/sync", w.key, nil).problem(t, 409, "company-switched-off")
	w.call("POST", base+"/admin/reset-password", w.key, nil).problem(t, 409, "company-switched-off")
	if rep := w.call("DELETE", base, w.key, nil); rep.status != 200 {
		t.Fatalf("second delete = %d %s", rep.status, rep.body)
	}
	var got companyJSON
	w.call("GET", base, w.key, nil).json(t, &got)
	if got.State != "switched_off" || got.Health.Integration != "disabled" || got.Health.Links.Total != 1 {
		t.Fatalf("after delete: %+v", got)
	}
}

// enableZoho enables the company's integration in the simulated Zoho and
// links its first seat to a Zoho user, registered there; it returns the
// Zoho user.
func (w *world) enableZoho(companyID int64) string {
	t := w.t
	t.Helper()
	ctx := context.Background()
	zuser := w.org.AddUser("miguel.martin@satec.es", "Miguel", "pw", true)
	const redirect = "http://gateway.test/zoho/callback"
	code, loc, as, err := w.zoho.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	err = w.app.Integration.CompleteConsent(ctx, companyID, "admin@fermax.com", "miguel.martin@satec.es",
		integration.Callback{Code: code, Location: loc, AccountsServer: as})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Store.SyncSeats(ctx, companyID, []centrex.Seat{{UserID: xsisim.DemoSeat1, Number: "910726329"}},
		store.SourceImport); err != nil {
		t.Fatal(err)
	}
	seat, err := w.app.Store.SeatByUserID(ctx, companyID, xsisim.DemoSeat1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Integration.RefreshZohoUsers(ctx, companyID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Integration.Activate(ctx, companyID, "admin@fermax.com", seat.ID, zuser); err != nil {
		t.Fatal(err)
	}
	return zuser
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRateLimitAcrossInstances: two instances on one database share each
// key's budget: of 12 concurrent calls spread over both, with a limit of 5
// a minute, exactly 5 pass and 7 get 429 with Retry-After; another key has
// its own budget; the next window starts afresh.
func TestRateLimitAcrossInstances(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{"API_RATE_LIMIT": "5"})
	second, srv2 := newInstance(t, w.cfg)
	now := time.Date(2026, 6, 1, 10, 0, 10, 0, time.UTC)
	clock := func() time.Time { return now }
	w.app.Store.SetClock(clock)
	second.Store.SetClock(clock)

	statuses := make(chan int, 12)
	for i := range 12 {
		go func() {
			base := w.srv.URL
			if i%2 == 1 {
				base = srv2.URL
			}
			req, _ := http.NewRequest("GET", base+"/api/v1/companies", nil)
			req.Header.Set("Authorization", "Bearer "+w.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "50" {
				statuses <- -1
				return
			}
			statuses <- resp.StatusCode
		}()
	}
	count := map[int]int{}
	for range 12 {
		count[<-statuses]++
	}
	if count[200] != 5 || count[429] != 7 {
		t.Fatalf("answers %v, want 5×200 and 7×429 with Retry-After: 50", count)
	}
	w.call("GET", "/api/v1/companies", w.key, nil).problem(t, 429, "rate-limited")
	_, other, err := w.app.Store.CreateAPIKey(context.Background(), "support")
	if err != nil {
		t.Fatal(err)
	}
	if rep := w.call("GET", "/api/v1/companies", other, nil); rep.status != 200 || rep.header.Get("RateLimit-Remaining") != "4" {
		t.Fatalf("another key: %d, remaining %q", rep.status, rep.header.Get("RateLimit-Remaining"))
	}
	now = now.Add(time.Minute)
	if rep := w.call("GET", "/api/v1/companies", w.key, nil); rep.status != 200 {
		t.Fatalf("next minute: %d", rep.status)
	}
}
