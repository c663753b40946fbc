package zoho

import (
	"net/http"
	"time"
)

// DeliveryTransport returns the HTTP transport for the outbox's PhoneBridge
// requests: http.DefaultTransport's settings (proxy from the environment,
// dial and TLS handshake timeouts, HTTP/2 when offered), but keeping up to
// conns idle connections to each Zoho host instead of 2, so that conns
// deliveries under way at once reuse their connections instead of opening
// (and TLS-handshaking) new ones and leaving them in TIME_WAIT. Every
// company of a data centre talks to the same host, so conns is the
// delivery pool's size (outbox.Options.InFlight).
func DeliveryTransport(conns int) *http.Transport {
	conns = max(conns, 1)
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = conns
	// Every data centre's hosts (www.zohoapis.*, accounts.zoho.*) may be in
	// use at once.
	t.MaxIdleConns = max(t.MaxIdleConns, 4*conns)
	t.IdleConnTimeout = 90 * time.Second
	return t
}
