package zohosim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// integrated returns a fixture with an integrated org and the admin's token.
func integrated(tb testing.TB, opts Options) (*fixture, string, string) {
	tb.Helper()
	f := newFixture(tb, opts)
	access, _, _ := f.token(tb, DemoAdminEmail)
	api := "/api/eu/phonebridge/v3/"
	if st, body := f.post(tb, api+"integrate", nil, auth(access)); st != 200 || !strings.Contains(body, "Digital Centrex Integration is successful") {
		tb.Fatalf("integrate: %d %s", st, body)
	}
	return f, access, api
}

func TestPhoneBridgeAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	access, _, _ := f.token(t, DemoAdminEmail)
	gema, _, _ := f.token(t, DemoUserEmail)
	api := "/api/eu/phonebridge/v3/"
	tests := []struct {
		name   string
		method string
		path   string
		header http.Header
		status int
		code   string
	}{
		{"bearer", "POST", api + "integrate", http.Header{"Authorization": {"Bearer " + access}}, 401, "INVALID_TOKEN"},
		{"no header", "POST", api + "integrate", nil, 401, "INVALID_TOKEN"},
		{"other DC", "POST", "/api/us/phonebridge/v3/integrate", auth(access), 401, "INVALID_TOKEN"},
		{"not integrated", "GET", api + "users", auth(access), 400, "PBX_NOT_INTEGRATED"},
		{"not admin", "POST", api + "integrate", auth(gema), 403, "NO_PERMISSION"},
		{"unknown resource", "GET", api + "calls", auth(access), 404, "INVALID_URL_PATTERN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := f.do(t, tt.method, tt.path, nil, tt.header)
			if st != tt.status || field(body, "code") != tt.code || field(body, "status") != "error" {
				t.Errorf("%d %s", st, body)
			}
		})
	}
	f.sim.Advance(AccessTokenLifetime)
	if st, body := f.post(t, api+"integrate", nil, auth(access)); st != 401 || field(body, "code") != "INVALID_TOKEN" {
		t.Errorf("expired token: %d %s", st, body)
	}
	bearer := newFixture(t, Options{AcceptBearer: true})
	a2, _, _ := bearer.token(t, DemoAdminEmail)
	if st, _ := bearer.post(t, api+"integrate", nil, http.Header{"Authorization": {"Bearer " + a2}}); st != 200 {
		t.Errorf("AcceptBearer: %d", st)
	}
}

func TestUsersPageValidation(t *testing.T) {
	t.Parallel()
	f, access, api := integrated(t, Options{})
	f.org.AddUsers(450)
	tests := []struct {
		query  string
		status int
		count  int
	}{
		{"", 200, 200},
		{"page=3&perPage=200", 200, 52},
		{"page=4&perPage=200", 200, 0},
		{"perPage=1000", 200, 452},
		{"perPage=1001", 400, 0},
		{"perPage=0", 400, 0},
		{"page=0", 400, 0},
		{"page=x", 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			st, body := f.do(t, "GET", api+"users?"+tt.query, nil, auth(access))
			if st != tt.status {
				t.Fatalf("%d %s", st, body)
			}
			if st == 200 && strings.Count(body, `"zohouser":`) != tt.count {
				t.Errorf("got %d users", strings.Count(body, `"zohouser":`))
			}
			if st == 400 && field(body, "code") != "INVALID_DATA" {
				t.Errorf("body %s", body)
			}
		})
	}
}

func TestLooseParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Param
		ok   bool
	}{
		{`[{name:pbxuserid,value:123},{name:callee,value:'{to}'}]`, []Param{{"pbxuserid", "123"}, {"callee", "{to}"}}, true},
		{`[{"name":"callee","value":"{to}"}]`, []Param{{"callee", "{to}"}}, true},
		{`[{name:callee,value:{to}}]`, []Param{{"callee", "{to}"}}, true},
		{`{name:"tok", value: 'a b'}`, []Param{{"tok", "a b"}}, true},
		{`[{name:x,value:1}, ]`, []Param{{"x", "1"}}, true},
		{`[{value:1}]`, nil, false},
		{`[{name:x,value:'oops}]`, nil, false},
		{`name=x`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseParams(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && (len(got) != len(tt.want) || got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1]) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCallNotifyValidation(t *testing.T) {
	t.Parallel()
	base := url.Values{"type": {"received"}, "state": {"ringing"}, "id": {"c1"}, "from": {"+34600111222"}, "to": {"3201"}}
	tests := []struct {
		name   string
		strict bool
		mod    func(url.Values)
		raw    string // raw body overrides the form
		status int
		code   string
		param  string
	}{
		{"ringing ok", false, nil, "", 200, "SUCCESS", ""},
		{"missing id", false, func(v url.Values) { v.Del("id") }, "", 400, "REQUIRED_PARAM_MISSING", "id"},
		{"bad type", false, func(v url.Values) { v.Set("type", "dailed") }, "", 400, "INVALID_DATA", "type"},
		{"bad state", false, func(v url.Values) { v.Set("state", "busy") }, "", 400, "INVALID_DATA", "state"},
		{"ended needs start_time", false, func(v url.Values) { v.Set("state", "ended"); v.Set("duration", "3") }, "", 400, "REQUIRED_PARAM_MISSING", "start_time"},
		{"ended needs duration", false, func(v url.Values) { v.Set("state", "ended"); v.Set("start_time", "2025-01-02 03:04:05") }, "", 400, "REQUIRED_PARAM_MISSING", "duration"},
		{"iso start_time", false, func(v url.Values) {
			v.Set("state", "missed")
			v.Set("start_time", "2025-01-02T03:04:05Z")
		}, "", 400, "INVALID_DATA", "start_time"},
		{"missed ok", false, func(v url.Values) { v.Set("state", "missed"); v.Set("start_time", "2025-01-02 03:04:05") }, "", 200, "SUCCESS", ""},
		{"missed strict", true, func(v url.Values) { v.Set("state", "missed"); v.Set("start_time", "2025-01-02 03:04:05") }, "", 400, "INVALID_DATA", "state"},
		{"dialed busy strict", true, func(v url.Values) {
			v.Set("type", "dialed")
			v.Set("state", "busy")
			v.Set("start_time", "2025-01-02 03:04:05")
		}, "", 400, "INVALID_DATA", "state"},
		{"dialed ended ok strict", true, func(v url.Values) {
			v.Set("type", "dialed")
			v.Set("state", "ended")
			v.Set("start_time", "2025-01-02 03:04:05")
			v.Set("duration", "0")
		}, "", 200, "SUCCESS", ""},
		{"unencoded plus", false, nil, "type=received&state=ringing&id=c1&from=+34600111222&to=3201", 400, "INVALID_DATA", "from"},
		{"unknown zohouser", false, func(v url.Values) { v.Set("zohouser", "1") }, "", 400, "INVALID_USER", "zohouser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, access, api := integrated(t, Options{StrictLive: tt.strict})
			v := url.Values{}
			for k, vs := range base {
				v[k] = append([]string(nil), vs...)
			}
			if tt.mod != nil {
				tt.mod(v)
			}
			body := v.Encode()
			if tt.raw != "" {
				body = tt.raw
			}
			req, _ := http.NewRequest("POST", f.srv.URL+api+"callnotify", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Zoho-oauthtoken "+access)
			resp, err := http.DefaultClient.Do(req)
			got := read(t, resp, err)
			if resp.StatusCode != tt.status || field(got, "code") != tt.code || (tt.param != "" && field(got, "param") != tt.param) {
				t.Errorf("%d %s", resp.StatusCode, got)
			}
		})
	}
}

func TestClickToDialErrorValidation(t *testing.T) {
	t.Parallel()
	f, access, api := integrated(t, Options{})
	ok := url.Values{"code": {"noanswer"}, "from": {"3201"}, "to": {"+34600111222"}, "message": {"x"}}
	if st, body := f.post(t, api+"clicktodialerror", ok, auth(access)); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	ok.Set("code", "failed")
	if st, body := f.post(t, api+"clicktodialerror", ok, auth(access)); st != 400 || field(body, "param") != "code" {
		t.Fatalf("%d %s", st, body)
	}
	// Query-string params are accepted too.
	q := url.Values{"code": {"busy"}, "from": {"3201"}, "to": {"3202"}}
	if st, body := f.post(t, api+"clicktodialerror?"+q.Encode(), nil, auth(access)); st != 200 {
		t.Fatalf("query params: %d %s", st, body)
	}
}

// receiver records what the simulator posts to the provider.
type receiver struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r)
	rc.mu.Unlock()
}

func TestZohoToProvider(t *testing.T) {
	t.Parallel()
	f, access, api := integrated(t, Options{})
	rc := &receiver{}
	prov := httptest.NewServer(rc)
	defer prov.Close()
	admin := f.org.Users()[0]
	reg := url.Values{"clicktodialuri": {prov.URL + "/c2d"}, "zohouser": {admin},
		"authorizationparam": {"{name:X-Key,value:'k3y'}"},
		"clicktodialparam":   {"[{name:callee,value:'{to}'},{name:seat,value:3201}]"}}
	if st, body := f.post(t, api+"clicktodial", reg, auth(access)); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	cc := url.Values{"keypressuri": {prov.URL + "/key"}, "zohouser": {admin}, "authorizationparam": {`{"name":"X-Key","value":"k3y"}`},
		"callcontrolparam": {`[{"name":"seat","value":"3201"}]`}}
	if st, body := f.post(t, api+"callcontrol", cc, auth(access)); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.sim.ClickToDial(ctx, admin, "+34600111222"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.CallControl(ctx, admin, "keypress", "c1", "5"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.CallControl(ctx, admin, "mute", "c1", ""); err == nil {
		t.Error("mute without registration succeeded")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) != 2 {
		t.Fatalf("provider got %d requests", len(rc.reqs))
	}
	c2d, key := rc.reqs[0], rc.reqs[1]
	if c2d.Method != "POST" || c2d.PostForm.Get("tonumber") != "+34600111222" || c2d.PostForm.Get("callee") != "+34600111222" ||
		c2d.PostForm.Get("seat") != "3201" || c2d.PostForm.Get("X-Key") != "k3y" || c2d.Header.Get("X-Key") != "k3y" {
		t.Errorf("click to dial request: %v %v", c2d.PostForm, c2d.Header)
	}
	if key.URL.Path != "/key" || key.PostForm.Get("callrefid") != "c1" || key.PostForm.Get("digit") != "5" || key.PostForm.Get("seat") != "3201" {
		t.Errorf("keypress request: %v", key.PostForm)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	f, access, api := integrated(t, Options{})
	f.sim.FailNext(1, 503)
	if st, _ := f.do(t, "GET", api+"users", nil, auth(access)); st != 503 {
		t.Errorf("FailNext: %d", st)
	}
	if st, _ := f.do(t, "GET", api+"users", nil, auth(access)); st != 200 {
		t.Errorf("after FailNext: %d", st)
	}
	f.sim.SetFault(func(r *http.Request) (int, time.Duration) { return 502, time.Millisecond })
	if st, _ := f.do(t, "GET", api+"users", nil, auth(access)); st != 502 {
		t.Errorf("SetFault: %d", st)
	}
	f.sim.SetFault(nil)
	if st, _ := f.do(t, "DELETE", api+"integrate", nil, auth(access)); st != 200 || f.org.Integrated() {
		t.Errorf("disintegrate: %d", st)
	}
}

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	s := New(Options{ClientID: "c", ClientSecret: "s"})
	o := SeedDemo(s)
	if o.DC() != DemoOrgDC || len(o.Users()) != DemoBulkUsers+2 || s.Org(DemoOrgName) != o {
		t.Fatalf("demo org: %s %d", o.DC(), len(o.Users()))
	}
}
