package calls

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/phonenumber"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// centrexTimeout bounds one request to the Centrex made while Zoho waits
// for the answer (calls/new, call control), and the sweeper's call lists.
const centrexTimeout = 8 * time.Second

// ErrForbidden means a Zoho request named an unknown link, gave the wrong
// secret, or named a link that is switched off or whose seat left: the
// three look the same to the caller.
var ErrForbidden = errors.New("calls: forbidden")

// Authenticate returns the company's link linkID when secret is its secret
// (compared in constant time) and the link is switched on for a present
// seat; ErrForbidden otherwise. The link comes from the company's cache,
// confirmed current by one primary-key read of the company's version, so
// that an unlink, a link switched off or a secret rotated on any instance
// counts at once.
func (s *Service) Authenticate(ctx context.Context, companyID, linkID int64, secret string) (store.Link, error) {
	e, err := s.cache.current(ctx, companyID)
	if err != nil {
		return store.Link{}, err
	}
	link, err := e.linkByID(ctx, s.o.Store, linkID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Link{}, err
	}
	// An unknown link and a wrong secret get the same answer; CheckSecret
	// compares hashes in constant time.
	if !link.CheckSecret(secret) || !link.Enabled || link.SeatGone {
		return store.Link{}, ErrForbidden
	}
	return link, nil
}

// Dial places a Zoho click-to-dial of toNumber from the link's seat with
// Xsi calls/new, with the company's Centrex client as cached when the link
// was authenticated (a changed credential changes the company's version). A number that does not normalise is not dialled, and, like
// a Centrex that refuses or cannot be reached, is reported to Zoho
// asynchronously with a clicktodialerror queued in the outbox; the call
// itself is then reported by its events. The error is non-nil only when
// that report could not be queued.
//
// Zoho accepts only digits (and a leading "+") as the clicktodialerror's
// numbers, so a number like "abc" goes as callflow.AnonymousNumber, and the
// message, in the company's language, quotes what the user clicked.
func (s *Service) Dial(ctx context.Context, link store.Link, toNumber string) error {
	number, err := phonenumber.Normalize(toNumber)
	if err != nil {
		msg := s.message(ctx, link.CompanyID, "dialerror.invalid.number", quoteNumber(toNumber))
		return s.queueDialError(ctx, link, callflow.ZohoNumber(toNumber), zoho.DialInvalid, msg)
	}
	pbx, err := s.companyPBX(ctx, link.CompanyID)
	if err != nil {
		s.log.WarnContext(ctx, "calls: click-to-dial: no Centrex client", "company_id", link.CompanyID, "error", err)
		return s.queueDialError(ctx, link, number, zoho.DialNotAvailable, "")
	}
	dctx, cancel := context.WithTimeout(ctx, centrexTimeout)
	callID, err := pbx.Dial(dctx, link.SeatUserID, number)
	cancel()
	if err != nil {
		s.log.InfoContext(ctx, "calls: click-to-dial refused", "company_id", link.CompanyID, "link_id", link.ID, "error", err)
		return s.queueDialError(ctx, link, number, dialErrorCode(err), "")
	}
	s.recordDial(ctx, link, callID)
	return nil
}

// companyPBX is the company's Centrex client from its cache entry.
func (s *Service) companyPBX(ctx context.Context, companyID int64) (centrex.PBX, error) {
	e, err := s.cache.get(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return e.centrex(ctx, s.o.PBX)
}

// maxDialRecords bounds the call rows written in the background at once:
// beyond it Zoho's answer waits for the row, rather than the rows taking
// every connection of the pool.
const maxDialRecords = 8

// dialRecords tracks the click-to-dial call rows being written after
// Zoho's answer (recordDial), so that a stopping gateway waits for them
// (RunDialRecords).
type dialRecords struct {
	mu      sync.Mutex
	running bool
	stopped bool
	n       int
	idle    chan struct{} // closed when n reaches 0 after stopped
}

// recordDial writes the row of a call placed by click-to-dial
// (store.RecordDialedCall) without making Zoho wait for it: in the
// background while RunDialRecords runs (it waits for the rows in flight
// when the gateway stops), or at once when it does not, has stopped, or
// maxDialRecords are being written already.
// Should the process die in between, the call is still recorded by its
// own events, only not marked as a click-to-dial.
func (s *Service) recordDial(ctx context.Context, link store.Link, callID string) {
	s.dials.mu.Lock()
	async := s.dials.running && !s.dials.stopped && s.dials.n < maxDialRecords
	if async {
		s.dials.n++
	}
	s.dials.mu.Unlock()
	if !async {
		s.recordDialNow(ctx, link, callID)
		return
	}
	go func() {
		defer s.dialRecorded()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), centrexTimeout)
		defer cancel()
		s.recordDialNow(ctx, link, callID)
	}()
}

func (s *Service) recordDialNow(ctx context.Context, link store.Link, callID string) {
	if err := s.o.Store.RecordDialedCall(ctx, link.CompanyID, link.SeatID, callID, link.ZohoUserID); err != nil {
		// The call is placed and its events will record it: not Zoho's problem.
		s.log.WarnContext(ctx, "calls: record dialed call", "company_id", link.CompanyID, "error", err)
	}
}

func (s *Service) dialRecorded() {
	s.dials.mu.Lock()
	defer s.dials.mu.Unlock()
	s.dials.n--
	if s.dials.n == 0 && s.dials.idle != nil {
		close(s.dials.idle)
		s.dials.idle = nil
	}
}

// RunDialRecords lets click-to-dial rows be written after Zoho's answer
// while it runs; when ctx ends it waits for those in flight (later ones
// are written before answering), then returns nil.
func (s *Service) RunDialRecords(ctx context.Context) error {
	s.dials.mu.Lock()
	s.dials.running = true
	s.dials.mu.Unlock()
	<-ctx.Done()
	s.dials.mu.Lock()
	s.dials.stopped = true
	if s.dials.n == 0 {
		s.dials.mu.Unlock()
		return nil
	}
	idle := make(chan struct{})
	s.dials.idle = idle
	s.dials.mu.Unlock()
	<-idle
	return nil
}

// queueDialError queues a clicktodialerror for a click-to-dial that never
// became a call; message "" is the code's message in the company's
// language.
func (s *Service) queueDialError(ctx context.Context, link store.Link, to, code, message string) error {
	if message == "" {
		message = s.dialErrorMessage(ctx, link.CompanyID, code)
	}
	n := callflow.Notification{Endpoint: callflow.EndpointClickToDialError, Type: zoho.CallDialed, State: code,
		From: callflow.ZohoNumber(link.SeatNumber), To: callflow.ZohoNumber(to), ZohoUser: link.ZohoUserID, StartTime: s.o.Now()}
	it, err := outbox.Item(n, message)
	if err != nil {
		return err
	}
	err = s.o.Store.InCallTx(ctx, link.CompanyID, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, "dial-"+rand.Text(), []store.OutboxItem{it})
	})
	if err != nil {
		return fmt.Errorf("calls: queue click-to-dial error of link %d: %w", link.ID, err)
	}
	s.o.Kick()
	return nil
}

// quoteNumber is what the user clicked, bounded and without control
// characters, to quote in a message.
func quoteNumber(raw string) string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(raw))
	if r := []rune(clean); len(r) > 40 {
		clean = string(r[:40]) + "…"
	}
	return clean
}

// dialErrorCode maps a refused click-to-dial (Centrex error) to a
// clicktodialerror code: a refusal with an Xsi ErrorInfo is "rejected", an
// out-of-scope seat "blocked", anything else (unknown seat, unreachable or
// failing Centrex) "notavailable".
func dialErrorCode(err error) string {
	switch {
	case errors.Is(err, centrex.ErrRejected):
		return zoho.DialRejected
	case errors.Is(err, centrex.ErrForbidden):
		return zoho.DialBlocked
	default:
		return zoho.DialNotAvailable
	}
}
