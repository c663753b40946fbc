package xsi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// stub serves one canned response and records the last request.
func stub(tb testing.TB, status int, contentType, body string) (*Client, *http.Request) {
	tb.Helper()
	last := new(http.Request)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*last = *r
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(srv.Close)
	return New(centrex.Connection{BaseURL: srv.URL, UserID: "admin@x.es", Password: "pw"}, srv.Client()), last
}

func TestDialAccepts200AndEscapes(t *testing.T) {
	t.Parallel()
	c, last := stub(t, 200, "text/xml;charset=UTF-8",
		`<?xml version="1.0" encoding="UTF-8"?><CallStartInfo xmlns="http://schema.broadsoft.com/xsi"><callId>callhalf-488:0</callId><externalTrackingId>70:1</externalTrackingId></CallStartInfo>`)
	id, err := c.Dial(context.Background(), "user/with slash@x.es", "+34 600")
	if err != nil || id != "callhalf-488:0" {
		t.Fatalf("Dial = %q, %v", id, err)
	}
	if got := last.URL.EscapedPath(); got != "/com.broadsoft.xsi-actions/v2.0/user/user%2Fwith%20slash@x.es/calls/new" {
		t.Errorf("path = %s", got)
	}
	if got := last.URL.RawQuery; got != "address=%2B34+600" {
		t.Errorf("query = %s", got)
	}
	if u, p, ok := last.BasicAuth(); !ok || u != "admin@x.es" || p != "pw" {
		t.Errorf("auth = %q %q %v", u, p, ok)
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		status                  int
		kind                    error
		summary                 string
		code                    int
	}{
		{"ErrorInfo UTF-8", "application/xml", `<?xml version="1.0" encoding="UTF-8"?><ErrorInfo xmlns="http://schema.broadsoft.com/xsi"><summary>Llamada no activa</summary><summaryEnglish>Call is not active</summaryEnglish><errorCode>110800</errorCode></ErrorInfo>`, 400, centrex.ErrRejected, "Call is not active", 110800},
		{"ErrorInfo Latin-1 summary only", "text/xml;charset=ISO-8859-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ErrorInfo xmlns=\"http://schema.broadsoft.com/xsi\"><summary>Par\xe1metro inv\xe1lido</summary><errorCode>4</errorCode></ErrorInfo>", 400, centrex.ErrRejected, "Parámetro inválido", 4},
		{"ErrorInfo Latin-1 without declaration", "text/xml;charset=ISO-8859-1", "<ErrorInfo xmlns=\"http://schema.broadsoft.com/xsi\"><summaryEnglish>Usuario \xf1</summaryEnglish><errorCode>5</errorCode></ErrorInfo>", 404, centrex.ErrNotFound, "Usuario ñ", 5},
		{"HTML gateway error", "text/html", "<html><body>Bad Gateway</body></html>", 502, centrex.ErrUnavailable, "", 0},
		{"foreign ErrorInfo ignored", "application/xml", `<ErrorInfo xmlns="urn:x"><summaryEnglish>x</summaryEnglish></ErrorInfo>`, 409, centrex.ErrRejected, "", 0},
		{"rate limited", "", "", 429, centrex.ErrUnavailable, "", 0},
		{"unauthorized", "", "", 401, centrex.ErrUnauthorized, "", 0},
		{"garbage 200", "application/xml", "<Calls><call>", 200, centrex.ErrUnavailable, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := stub(t, tt.status, tt.contentType, tt.body)
			_, err := c.Calls(context.Background(), "s@x.es")
			var ce *centrex.Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &ce) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if ce.Summary != tt.summary || ce.Code != tt.code || ce.Status != tt.status {
				t.Errorf("err = %+v", ce)
			}
		})
	}
}
