package zohosim

import (
	"testing"
	"time"
)

func TestContactFor(t *testing.T) {
	t.Parallel()
	for n, want := range map[string]string{
		"+34910000111": "Pepe Sanchez", "910000111": "Pepe Sanchez", "0034910000111": "Pepe Sanchez",
		"+34600111222": "Lucía Fernández", "+34961234567": "Javier Ruiz", "+34955444555": "Carmen López",
		"+34910000112": "", "1011": "", "": "", "abc": "",
	} {
		if got := contactFor(n); got != want {
			t.Errorf("contactFor(%q) = %q, want %q", n, got, want)
		}
	}
}

func TestUserCalls(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ns := []Notify{
		{Type: "received", State: "ringing", ID: "a", From: "+34910000111", To: "+34910726329", ZohoUser: "u1", Duration: -1, Received: t0},
		{Type: "dialed", State: "ringing", ID: "b", From: "+34910726329", To: "+34600111222", ZohoUser: "u1", Duration: -1, Received: t0.Add(time.Second)},
		{Type: "received", State: "ringing", ID: "x", From: "+34910000111", To: "+34910726330", ZohoUser: "u2", Duration: -1, Received: t0},
		{Type: "received", State: "answered", ID: "a", From: "+34910000111", To: "+34910726329", ZohoUser: "u1", Duration: -1, Received: t0.Add(5 * time.Second)},
		{Type: "dialed", State: "ended", ID: "b", From: "+34910726329", To: "+34600111222", ZohoUser: "u1", Duration: 0,
			StartTime: t0.Add(-time.Minute), Received: t0.Add(9 * time.Second)},
	}
	calls := userCalls(ns, "u1", t0.Add(65*time.Second), func(string) bool { return false })
	if len(calls) != 2 {
		t.Fatalf("%d calls: %+v", len(calls), calls)
	}
	b, a := calls[0], calls[1]
	if b.ID != "b" || b.Active || b.StateLabel() != "Finalizada" || b.TypeLabel() != "Saliente" || b.Number != "+34600111222" ||
		b.Contact != "Lucía Fernández" || b.DurationText() != "0:00" || b.StartText() != "2026-03-02 08:59:00 GMT" {
		t.Errorf("dialed call: %+v %s %s", b, b.DurationText(), b.StartText())
	}
	if a.ID != "a" || !a.Active || a.StateLabel() != "En curso" || a.TypeLabel() != "Entrante" || a.Number != "+34910000111" ||
		a.Contact != "Pepe Sanchez" || a.DurationText() != "1:00" || a.StartText() != "2026-03-02 09:00:00 GMT" {
		t.Errorf("received call: %+v %s %s", a, a.DurationText(), a.StartText())
	}
	if (crmCall{State: "ringing"}).DurationText() != "—" || (crmCall{State: "weird"}).StateLabel() != "weird" || (crmCall{}).StartText() != "—" {
		t.Error("labels of odd calls")
	}
	if ownsCall(ns, "u2", "a") || !ownsCall(ns, "u2", "x") {
		t.Error("ownsCall")
	}
}

func TestFlash(t *testing.T) {
	t.Parallel()
	if text, class := flash("dialing", "910 000 111"); text != "Llamando a 910 000 111… su teléfono sonará primero." || class != "ok" {
		t.Errorf("dialing: %q %q", text, class)
	}
	if text, _ := flash("<script>", "x"); text != "" {
		t.Errorf("unknown code: %q", text)
	}
}
