package operator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// audited checks that the company's audit log's newest entry is action by
// the operator, and so is the operator audit log's newest line of the
// company.
func (e *env) audited(t *testing.T, companyID int64, action string) {
	t.Helper()
	ctx := context.Background()
	log, err := e.store.AuditLog(ctx, companyID, 1)
	if err != nil || len(log) != 1 || log[0].Action != action || log[0].Actor != opEmail {
		t.Errorf("company audit log = %+v, %v; want %s by %s", log, err, action, opEmail)
	}
	ops, err := e.store.OperatorAuditLog(ctx, companyID, 1)
	if err != nil || len(ops) != 1 || ops[0].Action != action || ops[0].Actor != opEmail || ops[0].ActorKind != store.ActorOperator {
		t.Errorf("operator audit log = %+v, %v; want %s by %s", ops, err, action, opEmail)
	}
}

// flashOf follows a redirect and reads the flash message it carried.
func (c *client) flashOf(r response) string {
	c.t.Helper()
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("status %d, want a redirect; body:\n%.800s", r.status, r.body)
	}
	return c.get(r.location).text(c.t, "[data-testid=flash]")
}

// TestCompanyPageAndActions: a company's figures and recent errors, and
// each action, through the provision service, in both audit logs with the
// operator's e-mail.
func TestCompanyPageAndActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.operator(t, opEmail, opPassword)
	acme := e.company(t, "Acme", "admin@acme.example")
	e.park(t, acme.ID, "call-1", "zoho: 400 invalid number")
	c := e.client(t)
	c.signIn(opEmail, opPassword, time.Now())
	page := "/operator/companies/" + fmt.Sprint(acme.ID)

	r := c.get(page)
	wantStatus(t, r, http.StatusOK)
	if got := r.text(t, "[data-testid=errors]"); !strings.Contains(got, "zoho: 400 invalid number") || !strings.Contains(got, "detenida") {
		t.Errorf("recent errors = %q", got)
	}
	if r.doc(t).Find("[data-testid=company-name] [data-testid=attention]").Length() != 1 {
		t.Error("the company is not flagged")
	}
	if got := r.text(t, "[data-testid=admin]"); got != "admin@acme.example" {
		t.Errorf("administrator = %q", got)
	}
	wantStatus(t, c.get("/operator/companies/99999"), http.StatusNotFound)
	wantStatus(t, c.get("/operator/companies/x1"), http.StatusNotFound)

	t.Run("retry parked", func(t *testing.T) {
		if got := c.flashOf(c.post(page+"/outbox/retry", nil)); got != "1 notificación vuelve a la cola." {
			t.Errorf("flash = %q", got)
		}
		e.audited(t, acme.ID, "outbox.retried")
		var status string
		if err := e.store.Pool().QueryRow(ctx, `SELECT status FROM outbox WHERE company_id = $1`, acme.ID).Scan(&status); err != nil || status != "pending" {
			t.Errorf("the notification is %q (%v)", status, err)
		}
	})

	t.Run("reset the administrator's password", func(t *testing.T) {
		before, err := e.store.AdminByEmail(ctx, "admin@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		r := c.post(page+"/admin/password", nil)
		wantStatus(t, r, http.StatusOK)
		pw := r.text(t, "[data-testid=password]")
		after, err := e.store.AdminByEmail(ctx, "admin@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := password.Check(pw, after.PasswordHash); !ok || len(pw) < 12 {
			t.Errorf("the password shown (%q) is not the administrator's", pw)
		}
		if after.SessionEpoch != before.SessionEpoch+1 {
			t.Error("the administrator's sessions did not end")
		}
		e.audited(t, acme.ID, "admin.password_reset")
		// Shown once: the company's page does not show it again.
		if strings.Contains(c.get(page).body, pw) {
			t.Error("the one-time password is shown again")
		}
	})

	t.Run("Centrex connection", func(t *testing.T) {
		r := c.post(page+"/centrex", url.Values{"xsi_url": {"http://127.0.0.1:1/x"}, "password": {"secret-typed-1"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		doc := r.doc(t)
		for _, f := range []string{"xsi_url", "user", "group", "enterprise"} {
			if doc.Find("[data-testid=cx-error-"+f+"]").Length() != 1 {
				t.Errorf("no error for %s", f)
			}
		}
		if got := r.text(t, "[data-testid=cx-error-xsi_url]"); !strings.Contains(got, "https") {
			t.Errorf("the plain-http URL's error = %q", got)
		}
		if strings.Contains(r.body, "secret-typed-1") {
			t.Error("the refused form shows the password again")
		}
		form := url.Values{"xsi_url": {e.xsiURL}, "user": {xsisim.DemoAdminUserID}, "password": {xsisim.DemoAdminPassword},
			"group": {xsisim.DemoGroup}, "enterprise": {xsisim.DemoEnterprise}, "is_enterprise": {"1"},
			"directory_user": {xsisim.DemoSeat1}, "allow_insecure_url": {"1"}}
		if got := c.flashOf(c.post(page+"/centrex", form)); got != "La conexión con la Centrex está guardada." {
			t.Errorf("flash = %q", got)
		}
		e.audited(t, acme.ID, "centrex.connection_set")
		conn, err := e.store.CentrexConnection(ctx, acme.ID)
		if err != nil || conn.BaseURL != e.xsiURL || conn.Password != xsisim.DemoAdminPassword {
			t.Errorf("stored connection %+v, %v", conn.BaseURL, err)
		}
		if strings.Contains(c.get(page).body, xsisim.DemoAdminPassword) {
			t.Error("the company's page shows the Centrex password")
		}
	})

	t.Run("synchronise seats", func(t *testing.T) {
		if got := c.flashOf(c.post(page+"/seats/sync", nil)); got != "Usuarios leídos de la Centrex: 2 presentes, 2 nuevos, 0 ya no están." {
			t.Errorf("flash = %q", got)
		}
		e.audited(t, acme.ID, "seats.synced")
	})

	t.Run("switch off and on", func(t *testing.T) {
		confirm := c.get(page + "/switch-off")
		wantStatus(t, confirm, http.StatusOK)
		if !strings.Contains(confirm.text(t, "[data-testid=switch-off-confirm]"), "30 días") {
			t.Errorf("confirmation = %q", confirm.text(t, "[data-testid=switch-off-confirm]"))
		}
		if got := c.flashOf(c.post(page+"/switch-off", nil)); !strings.HasPrefix(got, "La empresa está dada de baja") {
			t.Errorf("flash = %q", got)
		}
		e.audited(t, acme.ID, "company.switched_off")
		off := c.get(page)
		if off.doc(t).Find("[data-testid=actions]").Length() != 0 || off.doc(t).Find("[data-testid=switch-on]").Length() != 1 {
			t.Error("a switched-off company's page offers its actions")
		}
		if got := c.flashOf(c.post(page+"/outbox/retry", nil)); !strings.Contains(got, "dada de baja") {
			t.Errorf("an action on a switched-off company: %q", got)
		}
		if got := c.flashOf(c.post(page+"/switch-on", nil)); !strings.HasPrefix(got, "La empresa vuelve a estar de alta") {
			t.Errorf("flash = %q", got)
		}
		e.audited(t, acme.ID, "company.switched_on")
	})

	t.Run("create the administrator", func(t *testing.T) {
		other := e.company(t, "Beta", "admin@beta.example")
		if _, err := e.store.Pool().Exec(ctx, `DELETE FROM admins WHERE company_id = $1`, other.ID); err != nil {
			t.Fatal(err)
		}
		otherPage := "/operator/companies/" + fmt.Sprint(other.ID)
		wantStatus(t, c.post(otherPage+"/admin", url.Values{"admin_email": {"not an address"}}), http.StatusUnprocessableEntity)
		taken := c.post(otherPage+"/admin", url.Values{"admin_email": {"admin@acme.example"}})
		wantStatus(t, taken, http.StatusUnprocessableEntity)
		if !strings.Contains(taken.body, "otro administrador") {
			t.Error("a taken e-mail is not said so")
		}
		r := c.post(otherPage+"/admin", url.Values{"admin_email": {"New.Admin@Beta.example"}})
		wantStatus(t, r, http.StatusOK)
		a, err := e.store.AdminByEmail(ctx, "new.admin@beta.example")
		if err != nil || a.CompanyID != other.ID {
			t.Fatalf("administrator %+v, %v", a, err)
		}
		if ok, _ := password.Check(r.text(t, "[data-testid=password]"), a.PasswordHash); !ok {
			t.Error("the password shown is not the new administrator's")
		}
		e.audited(t, other.ID, "admin.created")
	})

	t.Run("operator audit log", func(t *testing.T) {
		r := c.get("/operator/audit")
		wantStatus(t, r, http.StatusOK)
		got := r.text(t, "[data-testid=operator-audit]")
		for _, want := range []string{"Administrador creado", "Empresa dada de alta de nuevo", "Notificaciones detenidas reintentadas", "Acme", opEmail} {
			if !strings.Contains(got, want) {
				t.Errorf("the operator audit log lacks %q", want)
			}
		}
	})
}
