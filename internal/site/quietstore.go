package site

import (
	"bytes"
	"context"
	"reflect"
	"time"

	"github.com/alexedwards/scs/v2"
)

// ExpirySlack is how far a session's idle expiry may move before the
// session is written again for it alone: scs recomputes the expiry on
// every request that has an idle timeout and marks the session modified;
// QuietStore writes it only when its data changed or the expiry moved by
// more than this. The idle timeout is then enforced within ExpirySlack.
const ExpirySlack = time.Minute

// SessionRow is a session as its table holds it: scs's encoded data, its
// expiry, and the id of whom it belongs to (0: nobody), kept in a column of
// its own so that one statement can read a session with its owner's rows.
type SessionRow struct {
	Data   []byte
	Expiry time.Time
	Owner  int64
}

// SessionTable is a table of sessions.
type SessionTable interface {
	// FindSession returns the unexpired session of token.
	FindSession(ctx context.Context, token string) (SessionRow, bool, error)
	// CommitSession stores the session of token (insert or replace).
	CommitSession(ctx context.Context, token string, r SessionRow) error
	DeleteSession(ctx context.Context, token string) error
}

// QuietStore is an scs.CtxStore over a SessionTable that does not write a
// session back unless its data changed, its owner changed, or its expiry
// moved by more than ExpirySlack. It remembers the row a request loaded in
// the request's context, which WithSession prepares (a store used outside
// WithSession writes every commit).
type QuietStore struct {
	Table SessionTable
	// Codec is the session manager's (SessionCodec when nil).
	Codec scs.Codec
	// Owner says whom a session's values belong to (0: nobody); nil: 0.
	Owner func(values map[string]any) int64
}

// loadedSession is what a request's session store read or was handed.
type loadedSession struct {
	token    string
	row      SessionRow
	found    bool
	preset   bool // handed over by PreloadSession: FindCtx need not read
	unsaved  bool // the last commit was left out
	recorded bool
}

const loadedKey ctxKey = sessionKey + 1

func loadedFrom(ctx context.Context) *loadedSession {
	l, _ := ctx.Value(loadedKey).(*loadedSession)
	return l
}

// PreloadSession hands the session row of token, read by the caller with
// other rows in one statement (found false: there is none), to the
// QuietStore of the WithSession that follows, which then does not read it.
func PreloadSession(ctx context.Context, token string, row SessionRow, found bool) context.Context {
	return context.WithValue(ctx, loadedKey, &loadedSession{token: token, row: row, found: found, preset: true, recorded: true})
}

func (q *QuietStore) codec() scs.Codec {
	if q.Codec == nil {
		return SessionCodec{}
	}
	return q.Codec
}

// FindCtx returns the session's data, from the preloaded row when there is
// one for token.
func (q *QuietStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	l := loadedFrom(ctx)
	if l != nil && l.preset && l.token == token {
		return l.row.Data, l.found, nil
	}
	row, found, err := q.Table.FindSession(ctx, token)
	if err != nil {
		return nil, false, err
	}
	if l != nil {
		*l = loadedSession{token: token, row: row, found: found, recorded: true}
	}
	return row.Data, found, nil
}

// CommitCtx writes the session unless it is the row this request loaded
// with the same values, the same owner, and an expiry within ExpirySlack.
func (q *QuietStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	l := loadedFrom(ctx)
	loaded := l != nil && l.recorded && l.found && l.token == token
	if loaded && bytes.Equal(l.row.Data, b) {
		// The same values (SessionCodec's encoding is canonical), hence the
		// same owner: nothing to decode.
		if d := expiry.Sub(l.row.Expiry); d <= ExpirySlack && d >= -ExpirySlack {
			l.unsaved = true
			return nil
		}
	}
	deadline, values, err := q.codec().Decode(b)
	if err != nil {
		return err
	}
	var owner int64
	if q.Owner != nil {
		owner = q.Owner(values)
	}
	row := SessionRow{Data: b, Expiry: expiry, Owner: owner}
	if loaded && q.same(l.row, row, deadline, values) {
		l.unsaved = true
		return nil
	}
	if err := q.Table.CommitSession(ctx, token, row); err != nil {
		return err
	}
	if l != nil {
		*l = loadedSession{token: token, row: row, found: true, recorded: true}
	}
	return nil
}

// same says whether the new row need not be written over the old.
func (q *QuietStore) same(old, row SessionRow, deadline time.Time, values map[string]any) bool {
	if old.Owner != row.Owner {
		return false
	}
	if d := row.Expiry.Sub(old.Expiry); d > ExpirySlack || d < -ExpirySlack {
		return false
	}
	if bytes.Equal(old.Data, row.Data) {
		return true
	}
	// Another codec's encoding of a map may be in no fixed order (gob's
	// is not), and a session read from before SessionCodec was gob's:
	// compare the values.
	oldDeadline, oldValues, err := q.codec().Decode(old.Data)
	return err == nil && oldDeadline.Equal(deadline) && reflect.DeepEqual(oldValues, values)
}

// DeleteCtx removes the session.
func (q *QuietStore) DeleteCtx(ctx context.Context, token string) error {
	if l := loadedFrom(ctx); l != nil && l.token == token {
		l.found = false
	}
	return q.Table.DeleteSession(ctx, token)
}

// Find, Commit and Delete are for scs.Store; scs calls the Ctx ones.
func (q *QuietStore) Find(token string) ([]byte, bool, error) {
	return q.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a request.
func (q *QuietStore) Commit(token string, b []byte, expiry time.Time) error {
	return q.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a request.
func (q *QuietStore) Delete(token string) error { return q.DeleteCtx(context.Background(), token) }

// sessionUnsaved says whether the request's last commit was left out.
func sessionUnsaved(ctx context.Context) bool {
	l := loadedFrom(ctx)
	return l != nil && l.unsaved
}
