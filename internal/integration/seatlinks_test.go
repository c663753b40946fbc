package integration_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

var uris = zohoapi.URIsFor("https://gw.example.com")

// seatEnv is an enabled integration with the guide's two seats and the
// Zoho users cached; its links go through the real store.
func seatEnv(t *testing.T) (*env, []int64) {
	t.Helper()
	e := newEnv(t)
	e.svc = integration.New(integration.Options{Store: e.store, OAuth: e.newOAuth(), Links: integration.StoreLinks{Store: e.store},
		URIs: uris, Logger: discard(), Now: e.clock.Now})
	e.enable()
	ctx := context.Background()
	if _, err := e.store.SyncSeats(ctx, e.company.ID, []centrex.Seat{
		{UserID: "910726329@conecta.orange.es", Number: "910726329", Email: miguel},
		{UserID: "910726330@conecta.orange.es", Number: "910726330", FirstName: "Gema", LastName: "Castro"},
	}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.RefreshZohoUsers(ctx, e.company.ID); err != nil || n < 400 {
		t.Fatalf("refresh zoho users: %d, %v", n, err)
	}
	var ids []int64
	for _, u := range []string{"910726329@conecta.orange.es", "910726330@conecta.orange.es"} {
		s, err := e.store.SeatByUserID(ctx, e.company.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	e.sim.ResetRequests()
	return e, ids
}

// registrationCalls lists the clicktodial/callcontrol requests the
// simulator received, as "METHOD endpoint".
func (e *env) registrationCalls() []string {
	var out []string
	for _, r := range e.sim.Requests() {
		for _, ep := range []string{"/clicktodial", "/callcontrol"} {
			if strings.HasSuffix(r.Path, "/phonebridge/v3"+ep) {
				out = append(out, r.Method+" "+ep[1:])
			}
		}
	}
	return out
}

func (e *env) zohoUserID(t *testing.T, email string) string {
	t.Helper()
	users, _, err := e.store.ZohoUsers(context.Background(), e.company.ID, store.ZohoUserQuery{Search: email})
	if err != nil || len(users) == 0 {
		t.Fatalf("zoho user %s: %v", email, err)
	}
	return users[0].ID
}

func TestActivateAndDeactivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	zu := e.zohoUserID(t, miguel)
	link, err := e.svc.Activate(ctx, e.company.ID, "admin@fermax.com", seats[0], zu)
	if err != nil {
		t.Fatal(err)
	}
	if !link.Enabled || link.ZohoEmail != miguel {
		t.Fatalf("link = %+v", link)
	}
	if got := strings.Join(e.registrationCalls(), ", "); got != "POST clicktodial, POST callcontrol" {
		t.Fatalf("Zoho received %q", got)
	}
	c2d, ok := e.org.ClickToDial(zu)
	if !ok || c2d.URI != uris.ClickToDial || c2d.Auth.Name != zohoapi.AuthParam || len(c2d.Auth.Value) < 26 {
		t.Fatalf("click-to-dial registration = %+v", c2d)
	}
	params := map[string]string{}
	for _, p := range c2d.Params {
		params[p.Name] = p.Value
	}
	if params[zohoapi.ParamCompany] != strconv.FormatInt(e.company.ID, 10) || params[zohoapi.ParamLink] != strconv.FormatInt(link.ID, 10) {
		t.Fatalf("click-to-dial params = %v", params)
	}
	stored, _ := e.store.LinkByID(ctx, e.company.ID, link.ID)
	if !stored.CheckSecret(c2d.Auth.Value) {
		t.Fatal("the secret registered in Zoho does not open the link")
	}
	cc, ok := e.org.CallControl(zu)
	if !ok || cc.URIs["answer"] != uris.Answer || cc.URIs["hungup"] != uris.Hangup || cc.URIs["keypress"] != uris.Keypress {
		t.Fatalf("call control = %+v", cc)
	}
	if _, mute := cc.URIs["mute"]; mute {
		t.Fatal("mute registered, but BroadWorks cannot mute a two-party call")
	}

	e.sim.ResetRequests()
	if err := e.svc.Deactivate(ctx, e.company.ID, "admin@fermax.com", seats[0]); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.registrationCalls(), ", "); got != "DELETE clicktodial, DELETE callcontrol" {
		t.Fatalf("Zoho received %q", got)
	}
	if _, ok := e.org.ClickToDial(zu); ok {
		t.Fatal("click-to-dial still registered")
	}
	if _, err := e.store.LinkBySeat(ctx, e.company.ID, seats[0]); err == nil {
		t.Fatal("the link is still there")
	}
}

func TestActivateRollsBackWhenZohoRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	zu := e.zohoUserID(t, miguel)
	e.sim.SetFault(func(r *http.Request) (int, time.Duration) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/callcontrol") {
			return http.StatusInternalServerError, 0
		}
		return 0, 0
	})
	_, err := e.svc.Activate(ctx, e.company.ID, "admin@fermax.com", seats[0], zu)
	wantCode(t, err, "zoho:INTERNAL_ERROR")
	e.sim.SetFault(nil)
	if got := strings.Join(e.registrationCalls(), ", "); got != "POST clicktodial, POST callcontrol, DELETE clicktodial" {
		t.Fatalf("Zoho received %q, want the click-to-dial undone", got)
	}
	if _, ok := e.org.ClickToDial(zu); ok {
		t.Fatal("click-to-dial left registered")
	}
	if _, err := e.store.LinkBySeat(ctx, e.company.ID, seats[0]); err == nil {
		t.Fatal("the link was kept although Zoho refused")
	}
	if a := e.lastAudit(); a.Action != "link.refused" {
		t.Fatalf("audit = %q", a.Action)
	}
}

func TestDeactivateRestoresWhenZohoRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	zu := e.zohoUserID(t, miguel)
	if _, err := e.svc.Activate(ctx, e.company.ID, "a", seats[0], zu); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetRequests()
	e.sim.SetFault(func(r *http.Request) (int, time.Duration) {
		if r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/callcontrol") {
			return http.StatusBadRequest, 0
		}
		return 0, 0
	})
	if err := e.svc.Deactivate(ctx, e.company.ID, "a", seats[0]); err == nil {
		t.Fatal("deactivation succeeded although Zoho refused")
	}
	e.sim.SetFault(nil)
	if got := strings.Join(e.registrationCalls(), ", "); got != "DELETE clicktodial, DELETE callcontrol, POST clicktodial" {
		t.Fatalf("Zoho received %q, want click-to-dial registered again", got)
	}
	l, err := e.store.LinkBySeat(ctx, e.company.ID, seats[0])
	if err != nil || !l.Enabled {
		t.Fatalf("link after a refused deactivation: %+v, %v", l, err)
	}
	c2d, _ := e.org.ClickToDial(zu)
	if !l.CheckSecret(c2d.Auth.Value) {
		t.Fatal("the re-registered click-to-dial carries a secret the link does not accept")
	}
}

func TestOneToOneLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	zu := e.zohoUserID(t, miguel)
	if _, err := e.svc.Activate(ctx, e.company.ID, "a", seats[0], zu); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Activate(ctx, e.company.ID, "a", seats[1], zu)
	wantCode(t, err, integration.CodeZohoUserLinked)
	_, err = e.svc.Activate(ctx, e.company.ID, "a", seats[0], e.zohoUserID(t, gema))
	wantCode(t, err, integration.CodeSeatLinked)
	_, err = e.svc.Activate(ctx, e.company.ID, "a", seats[1], "no-such-user")
	wantCode(t, err, integration.CodeNotFound)
}

func TestTenantIsolationOfLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	other, _, err := e.store.CreateCompany(ctx, "Acme", "boss@acme.com", "h")
	if err != nil {
		t.Fatal(err)
	}
	// Acme has no integration: enable one for it against the same Zoho org
	// is not possible (one provider per org), so give it a row by hand.
	z, _ := e.store.ZohoIntegration(ctx, e.company.ID)
	z.CompanyID = other.ID
	if err := e.store.SaveZohoIntegration(ctx, z); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Activate(ctx, other.ID, "boss@acme.com", seats[0], e.zohoUserID(t, miguel))
	wantCode(t, err, integration.CodeNotFound)
	if _, err := e.svc.Activate(ctx, e.company.ID, "a", seats[0], e.zohoUserID(t, miguel)); err != nil {
		t.Fatal(err)
	}
	err = e.svc.Deactivate(ctx, other.ID, "boss@acme.com", seats[0])
	wantCode(t, err, integration.CodeNotFound)
	if l, err := e.store.LinkBySeat(ctx, e.company.ID, seats[0]); err != nil || !l.Enabled {
		t.Fatal("another company's request changed the link")
	}
}

func TestDisableKeepsLinksAndRestoreBringsThemBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	res, err := e.svc.LinkSuggested(ctx, e.company.ID, "a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("link suggested: %+v", res)
	}
	if _, err := e.svc.Disable(ctx, e.company.ID, "a"); err != nil {
		t.Fatal(err)
	}
	links, _ := e.store.Links(ctx, e.company.ID)
	if len(links) != 2 || links[0].Enabled || links[1].Enabled {
		t.Fatalf("after disable, links = %+v", links)
	}
	e.enable()
	e.sim.ResetRequests()
	out, err := e.svc.Restore(ctx, e.company.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		if r.Err != nil {
			t.Fatalf("restore %s: %v", r.SeatUserID, r.Err)
		}
	}
	if got := strings.Join(e.registrationCalls(), ", "); got != "POST clicktodial, POST callcontrol, POST clicktodial, POST callcontrol" {
		t.Fatalf("Zoho received %q", got)
	}
	for _, id := range seats {
		l, err := e.store.LinkBySeat(ctx, e.company.ID, id)
		if err != nil || !l.Enabled {
			t.Fatalf("seat %d after restore: %+v %v", id, l, err)
		}
		c2d, _ := e.org.ClickToDial(l.ZohoUserID)
		if !l.CheckSecret(c2d.Auth.Value) {
			t.Fatal("restored registration carries a stale secret")
		}
	}
}

func TestBulkDeactivateReportsPerRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seats := seatEnv(t)
	if _, err := e.svc.ActivateMany(ctx, e.company.ID, "a", seats); err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.DeactivateMany(ctx, e.company.ID, "a", append(seats, 999999))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Err != nil || out[1].Err != nil || out[2].Err == nil {
		t.Fatalf("rows = %+v", out)
	}

}

// TestGoneSeatSwitchedOffAfterAFailedAttempt: a linked seat leaves the
// Centrex while Zoho is down, so the switch-off that follows the sync fails
// and the link stays on; the next periodic round (seats.ReconcileAll),
// with Zoho back, removes both registrations and switches the link off.
func TestGoneSeatSwitchedOffAfterAFailedAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, seatIDs := seatEnv(t)
	zu := e.zohoUserID(t, miguel)
	link, err := e.svc.Activate(ctx, e.company.ID, "a", seatIDs[0], zu)
	if err != nil {
		t.Fatal(err)
	}
	seatSvc := seats.New(seats.Options{Store: e.store, SwitchOff: e.svc.SwitchOffGone})

	e.sim.FailNext(100, http.StatusServiceUnavailable)
	if _, err := e.store.SyncSeats(ctx, e.company.ID, []centrex.Seat{
		{UserID: "910726330@conecta.orange.es", Number: "910726330"},
	}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	_, err = seatSvc.Reconcile(ctx, e.company.ID)
	var se *seats.SwitchOffError
	if !errors.As(err, &se) || len(se.Links) != 1 || se.Links[0].ID != link.ID {
		t.Fatalf("first attempt with Zoho down: %v, want the link reported still on", err)
	}
	if _, ok := e.org.ClickToDial(zu); !ok {
		t.Fatal("the registration went although Zoho failed")
	}

	e.sim.FailNext(0, 0)
	if n := seatSvc.ReconcileAll(ctx); n != 1 {
		t.Fatalf("the periodic round switched off %d links, want 1", n)
	}
	if _, ok := e.org.ClickToDial(zu); ok {
		t.Error("click-to-dial still registered for the gone seat")
	}
	if _, ok := e.org.CallControl(zu); ok {
		t.Error("call control still registered for the gone seat")
	}
	if l, err := e.store.LinkByID(ctx, e.company.ID, link.ID); err != nil || l.Enabled {
		t.Fatalf("link after the round: %+v, %v", l, err)
	}
	if a := e.lastAudit(); a.Action != "link.seat_gone" {
		t.Fatalf("audit = %q", a.Action)
	}
	if n := seatSvc.ReconcileAll(ctx); n != 0 {
		t.Fatalf("a second round switched off %d more", n)
	}
}
