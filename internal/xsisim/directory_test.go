package xsisim

import (
	"strings"
	"testing"
)

func TestDirectorySearchPagingSort(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{DirectoryUTF8: true})
	e.g.SeedSeats(30)
	base := actions + "/user/" + DemoSeat1 + "/directories/Group"
	tests := []struct {
		name, query      string
		total, records   string
		start, firstUser string
	}{
		{"all", "", "32", "32", "1", DemoSeat1},
		{"page", "?start=11&results=10", "32", "10", "11", "seed-00010@fermax_madrid.sim"},
		{"past the end", "?start=40&results=10", "32", "0", "40", ""},
		{"results capped at 1000", "?results=5000", "32", "32", "1", DemoSeat1},
		{"exact is case-sensitive", "?lastName=castro", "0", "0", "1", ""},
		{"case-insensitive suffix", "?lastName=MART%C3%8DN/i", "11", "11", "1", DemoSeat1},
		{"wildcard", "?emailAddress=*@satec.es", "2", "2", "1", DemoSeat1},
		{"wildcard and /i", "?firstName=MIG*/i", "1", "1", "1", DemoSeat1},
		{"AND by default", "?lastName=Castro&firstName=Gema", "1", "1", "1", DemoSeat2},
		{"OR mode", "?lastName=Castro&firstName=Miguel&searchCriteriaModeOr=true", "2", "2", "1", DemoSeat1},
		{"number", "?number=910726330", "1", "1", "1", DemoSeat2},
		{"sort by userId", "?sortColumn=userId&results=1", "32", "1", "1", DemoSeat1},
		{"sort by firstName", "?sortColumn=firstName&results=1", "32", "1", "1", "seed-00010@fermax_madrid.sim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.admin(t, "GET", base+tt.query, "")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := between(r.body, "totalAvailableRecords"); got != tt.total {
				t.Errorf("total = %s, want %s", got, tt.total)
			}
			if got := between(r.body, "numberOfRecords"); got != tt.records {
				t.Errorf("records = %s, want %s", got, tt.records)
			}
			if got := between(r.body, "startIndex"); got != tt.start {
				t.Errorf("startIndex = %s, want %s", got, tt.start)
			}
			if got := between(r.body, "userId"); got != tt.firstUser {
				t.Errorf("first userId = %q, want %q", got, tt.firstUser)
			}
		})
	}
	if r := e.admin(t, "GET", base+"?sortColumn=shoeSize", ""); r.status != 400 {
		t.Errorf("bad sortColumn: %d", r.status)
	}
}

func TestDirectoryLatin1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	r := e.admin(t, "GET", actions+"/user/"+DemoSeat1+"/directories/Group", "")
	if !strings.HasPrefix(r.body, `<?xml version="1.0" encoding="ISO-8859-1"?>`) || !strings.Contains(r.header.Get("Content-Type"), "ISO-8859-1") {
		t.Fatalf("not Latin-1: %q %q", r.header.Get("Content-Type"), r.body[:60])
	}
	if !strings.Contains(r.body, "Mart\xedn") {
		t.Error("í not encoded as one Latin-1 byte")
	}
	r = e.admin(t, "GET", actions+"/user/"+DemoSeat1+"/profile", "")
	if r.status != 200 || !strings.Contains(r.body, `<serviceProvider isEnterprise="true">Fermax</serviceProvider>`) || between(r.body, "groupId") != DemoGroup {
		t.Errorf("profile = %s", r.body)
	}
}
