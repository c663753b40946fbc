package portal

import (
	"context"
	"net/http"

	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
)

// sessionTable is the store's sessions table as site.QuietStore needs it;
// a session's owner is its administrator.
type sessionTable struct{ st *store.Store }

func (t sessionTable) FindSession(ctx context.Context, token string) (site.SessionRow, bool, error) {
	r, found, err := t.st.FindSession(ctx, token)
	return site.SessionRow{Data: r.Data, Expiry: r.Expiry, Owner: r.AdminID}, found, err
}

func (t sessionTable) CommitSession(ctx context.Context, token string, r site.SessionRow) error {
	return t.st.CommitSession(ctx, token, store.SessionRow{Data: r.Data, Expiry: r.Expiry, AdminID: r.Owner})
}

func (t sessionTable) DeleteSession(ctx context.Context, token string) error {
	return t.st.DeleteSession(ctx, token)
}

// sessionOwner is the administrator a session's values name (0: none).
func sessionOwner(values map[string]any) int64 {
	id, _ := values[sessAdminID].(int64)
	return id
}

const seatsPageKey ctxKey = adminKey + 1

// seatsPageFrom is the seats page's context read by loadSeatsPage.
func seatsPageFrom(ctx context.Context) (store.SeatsPageContext, bool) {
	p, ok := ctx.Value(seatsPageKey).(store.SeatsPageContext)
	return p, ok
}

// loadSeatsPage reads, before the session is loaded, the session of the
// request's cookie together with everything the seats page shows but its
// rows (store.SeatsPage), in one statement; the session store is handed
// the session's row (site.PreloadSession) and requireAdmin the
// administrator, so that neither reads them again.
func (s *Server) loadSeatsPage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.sessions.Cookie.Name)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.store.SeatsPage(r.Context(), c.Value)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		ctx := site.PreloadSession(r.Context(), c.Value,
			site.SessionRow{Data: p.Session.Data, Expiry: p.Session.Expiry, Owner: p.Session.AdminID}, p.Found)
		if p.HasAdmin {
			ctx = context.WithValue(ctx, seatsPageKey, p)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
