package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// item builds an outbox item whose payload names n.
func item(n string) store.OutboxItem {
	return store.OutboxItem{Kind: store.OutboxCallNotify, Payload: json.RawMessage(fmt.Sprintf(`{"state":%q}`, n))}
}

// enqueueCall creates call xsiID of seat and queues items for it.
func enqueueCall(t *testing.T, s *store.Store, co, seat int64, xsiID string, items ...store.OutboxItem) store.Call {
	t.Helper()
	var call store.Call
	err := s.InCallTx(context.Background(), co, func(ctx context.Context, tx store.CallTx) error {
		var err error
		if call, err = tx.LockCall(ctx, seat, xsiID, "zu1"); err != nil {
			return err
		}
		call.ZohoCallID, call.Open, call.State = "z"+xsiID, true, json.RawMessage(`{"phase":"ringing"}`)
		if err := tx.EnqueueCall(ctx, &call, items); err != nil {
			return err
		}
		return tx.SaveCall(ctx, call)
	})
	if err != nil {
		t.Fatal(err)
	}
	return call
}

func TestCallsAreScopedAndDeduped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, other := newCompany(t, s, "fermax"), newCompany(t, s, "acme")
	mustSync(t, s, co, seat("910726329"), seat("910726330"))
	s1, s2 := seatID(t, s, co, "910726329@conecta.orange.es"), seatID(t, s, co, "910726330@conecta.orange.es")
	call := enqueueCall(t, s, co, s1, "callhalf-1", item("ringing"))

	tests := []struct {
		name    string
		company int64
		seat    int64
		id      string
		want    error
	}{
		{"own seat", co, s1, "zcallhalf-1", nil},
		{"other seat", co, s2, "zcallhalf-1", store.ErrNotFound},
		{"other company", other, s1, "zcallhalf-1", store.ErrNotFound},
		{"unknown", co, s1, "nope", store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CallByZohoID(ctx, tt.company, tt.seat, tt.id)
			if !errors.Is(err, tt.want) || (tt.want == nil && got.XsiCallID != "callhalf-1") {
				t.Fatalf("got %+v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// A second LockCall finds the same row; an event id is fresh once.
	err := s.InCallTx(ctx, co, func(ctx context.Context, tx store.CallTx) error {
		again, err := tx.LockCall(ctx, s1, "callhalf-1", "zu1")
		if err != nil || again.ID != call.ID || !again.Open {
			return fmt.Errorf("relock: %+v %v", again, err)
		}
		for i, want := range []bool{true, false} {
			if fresh, err := tx.MarkEventProcessed(ctx, "ev-1"); err != nil || fresh != want {
				return fmt.Errorf("mark %d: %v %v", i, fresh, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDialedCall(ctx, co, s2, "callhalf-9", "zu2"); err != nil {
		t.Fatal(err)
	}
	acts, err := s.RecentCalls(ctx, co, 10)
	if err != nil || len(acts) != 2 || acts[1].ID != call.ID || len(acts[1].Notifications) != 1 || acts[0].Origin != store.CallOriginClickToDial {
		t.Fatalf("recent calls: %+v %v", acts, err)
	}
	if acts, _ := s.RecentCalls(ctx, other, 10); len(acts) != 0 {
		t.Fatalf("other company sees %d calls", len(acts))
	}
}

// drain delivers everything due with deliver's verdicts and returns the
// payloads in delivery order.
func drain(t *testing.T, s *store.Store, verdict func(store.OutboxRow) store.OutboxResult) []string {
	t.Helper()
	var got []string
	for {
		n, err := s.DeliverOutbox(context.Background(), 10, func(ctx context.Context, rows []store.OutboxRow) []store.OutboxResult {
			var out []store.OutboxResult
			for _, r := range rows {
				res := verdict(r)
				res.ID = r.ID
				if res.Delivered {
					got = append(got, r.CallKey+":"+string(r.Payload))
				}
				out = append(out, res)
			}
			return out
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return got
		}
	}
}

func TestOutboxOrderParkAndRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	enqueueCall(t, s, co, s1, "a", item("ringing"), item("answered"))
	enqueueCall(t, s, co, s1, "a", item("ended"))
	enqueueCall(t, s, co, s1, "b", item("ringing"))

	// The head of call a is parked: a's later rows still go, in order, and
	// so does b.
	got := drain(t, s, func(r store.OutboxRow) store.OutboxResult {
		if r.CallKey == "za" && r.Seq == 1 {
			return store.OutboxResult{Park: true, Error: "400 INVALID"}
		}
		return store.OutboxResult{Delivered: true}
	})
	var gotA []string
	for _, g := range got {
		if strings.HasPrefix(g, "za:") {
			gotA = append(gotA, g)
		}
	}
	wantA := []string{`za:{"state": "answered"}`, `za:{"state": "ended"}`}
	if len(got) != 3 || fmt.Sprint(gotA) != fmt.Sprint(wantA) {
		t.Fatalf("delivered %q; want b's ringing and a's %q in order", got, wantA)
	}
	sum, err := s.OutboxSummary(ctx, co)
	if err != nil || sum.Parked != 1 || sum.Pending != 0 || sum.LastError != "400 INVALID" || sum.LastDeliveredAt.IsZero() {
		t.Fatalf("summary %+v %v", sum, err)
	}
	rows, _ := s.RecentOutbox(ctx, co, 10)
	var parked int64
	for _, r := range rows {
		if r.Status == store.OutboxParked {
			parked = r.ID
		}
	}
	if err := s.RetryOutbox(ctx, newCompany(t, s, "acme"), parked); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry from another company: %v", err)
	}
	// Zoho has a's end: its parked ringing cannot be sent after it.
	if err := s.RetryOutbox(ctx, co, parked); !errors.Is(err, store.ErrSuperseded) {
		t.Fatalf("retry of a superseded row: %v", err)
	}
}

// TestOutboxClaimsSkipLocked: concurrent deliverers never take the same row,
// nor a row whose predecessor is being delivered.
func TestOutboxClaimsSkipLocked(t *testing.T) {
	t.Parallel()
	s := testdb.Open(t)
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	for c := range 20 {
		enqueueCall(t, s, co, s1, fmt.Sprint("c", c), item("1"), item("2"), item("3"))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	last := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				n, err := s.DeliverOutbox(context.Background(), 3, func(ctx context.Context, rows []store.OutboxRow) []store.OutboxResult {
					out := make([]store.OutboxResult, len(rows))
					time.Sleep(2 * time.Millisecond)
					mu.Lock()
					defer mu.Unlock()
					for i, r := range rows {
						seen[fmt.Sprint(r.CallKey, r.Seq)]++
						if last[r.CallKey] != r.Seq-1 {
							t.Errorf("%s seq %d after %d", r.CallKey, r.Seq, last[r.CallKey])
						}
						last[r.CallKey] = r.Seq
						out[i] = store.OutboxResult{ID: r.ID, Delivered: true}
					}
					return out
				})
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Fatalf("delivered %d distinct rows, want 60", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

func TestSubscriptionLeaseAndToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	tok, err := s.EventToken(ctx, co)
	if err != nil || len(tok) < 26 {
		t.Fatalf("token %q %v", tok, err)
	}
	if again, _ := s.EventToken(ctx, co); again != tok {
		t.Fatal("token changed")
	}
	if id, err := s.CompanyByEventToken(ctx, tok); err != nil || id != co {
		t.Fatalf("by token: %d %v", id, err)
	}
	for _, bad := range []string{"", tok + "x", tok[:len(tok)-1]} {
		if _, err := s.CompanyByEventToken(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	now := time.Now()
	if ok, err := s.TryLease(ctx, "subscription", co, "a", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := s.TryLease(ctx, "subscription", co, "b", time.Minute); err != nil || ok {
		t.Fatalf("second owner: %v %v", ok, err)
	}
	sub := store.EventSubscription{CompanyID: co, SubscriptionID: "sub-1", RenewedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.SaveSubscription(ctx, "b", "subscription", sub); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("save by non-owner: %v", err)
	}
	if err := s.SaveSubscription(ctx, "a", "subscription", sub); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventSubscriptionOf(ctx, co)
	if err != nil || got.SubscriptionID != "sub-1" || got.RenewAt().Sub(now).Round(time.Minute) != 30*time.Minute {
		t.Fatalf("stored %+v %v", got, err)
	}
	// An expired lease passes to another owner, after which the former
	// owner cannot save; a terminated id is forgotten.
	if ok, err := s.TryLease(ctx, "subscription", co, "a", -time.Second); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := s.TryLease(ctx, "subscription", co, "b", time.Minute); err != nil || !ok {
		t.Fatalf("after expiry: %v %v", ok, err)
	}
	if err := s.SaveSubscription(ctx, "a", "subscription", sub); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("save by the former owner: %v", err)
	}
	if err := s.ForgetSubscription(ctx, co, "sub-1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.EventSubscriptionOf(ctx, co); got.SubscriptionID != "" {
		t.Fatalf("not forgotten: %+v", got)
	}
}

// TestOutboxClaimCarriesCompanyVersion: a claimed row says the company's
// version at the claim, so that what was cached at it may serve the
// delivery; a change of the company after it shows in the next claim.
func TestOutboxClaimCarriesCompanyVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	enqueueCall(t, s, co, s1, "c1", item("1"))
	enqueueCall(t, s, co, s1, "c2", item("1"))
	claim := func() store.OutboxRow {
		t.Helper()
		rows, err := s.ClaimOutbox(ctx, "test", 1, time.Minute)
		if err != nil || len(rows) != 1 {
			t.Fatalf("claim: %v, %d rows", err, len(rows))
		}
		return rows[0]
	}
	want, err := s.CompanyVersion(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	if got := claim().CompanyVersion; got != want {
		t.Fatalf("claimed at version %d, the company is at %d", got, want)
	}
	if _, err := s.Pool().Exec(ctx, `INSERT INTO zoho_integrations (company_id, status) VALUES ($1, 'disabled')`, co); err != nil {
		t.Fatal(err)
	}
	if got := claim().CompanyVersion; got <= want {
		t.Fatalf("claimed at version %d after the integration changed, before %d", got, want)
	}
}

// TestOutboxClaimKeepsSessionDurable: the claim turns synchronous_commit
// off for its own transaction only; the connection it ran on commits
// durably again afterwards.
func TestOutboxClaimKeepsSessionDurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	enqueueCall(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"), "c1", item("1"))
	conn, err := s.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// The tests' cluster runs without durability; production's has it on.
	if _, err := conn.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		t.Fatal(err)
	}
	var after string
	var claimed int
	rows, err := conn.Query(ctx, store.ClaimSQL, time.Now(), 10, "test", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		claimed++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if claimed != 1 || after != "on" {
		t.Fatalf("claimed %d rows; synchronous_commit %q after the claim, want on", claimed, after)
	}
}
