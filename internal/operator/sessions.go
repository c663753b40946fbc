package operator

import (
	"context"

	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
)

// sessionTable is the store's operator_sessions table as site.QuietStore
// needs it: the console's sessions are written only when they change or
// their idle expiry moved by more than site.ExpirySlack, as the portal's.
type sessionTable struct{ st *store.Store }

func (t sessionTable) FindSession(ctx context.Context, token string) (site.SessionRow, bool, error) {
	r, found, err := t.st.FindOperatorSession(ctx, token)
	return site.SessionRow{Data: r.Data, Expiry: r.Expiry}, found, err
}

func (t sessionTable) CommitSession(ctx context.Context, token string, r site.SessionRow) error {
	return t.st.CommitOperatorSession(ctx, token, store.SessionRow{Data: r.Data, Expiry: r.Expiry})
}

func (t sessionTable) DeleteSession(ctx context.Context, token string) error {
	return t.st.DeleteOperatorSession(ctx, token)
}
