package calls

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Group commit: the events that arrive while a group's transaction runs
// wait in a queue, and become the next group, applied in one transaction
// (store.EventTx) and answered once it committed. Groups run in arrival
// order: the next one starts once the one before has sent its statements,
// while that one commits (waits for its WAL to reach the disk). The group
// before holds the row locks of every call it changed until it committed or
// rolled back, and the next one locks its calls first, so an event of a
// call is applied on the state its earlier events left, committed, and the
// events of a call keep their order; across instances the calls' row locks
// order them the same way.
//
// A group's transaction first reads the versions of its companies: an
// event applied with a cached link (cache) whose company changed since is
// sent back (errStale) to be looked up again. The group's statements are
// one per kind of item (store.EventTx): when one fails, the group runs
// again with one statement per item, and the event whose statement or step
// fails is left out and the rest of the group runs again, so one bad event
// neither loses nor wrongly acknowledges the others; a deadlock with
// another instance's group runs the whole group again. A commit that fails
// fails every event of the group.

// maxGroup bounds the events of one group.
const maxGroup = 256

// groupTimeout bounds one group's transaction.
const groupTimeout = 30 * time.Second

// errStale means the cached state an event was to be applied with is no
// longer current: look it up again and resubmit.
var errStale = errors.New("calls: cached company state changed")

// eventJob is one event waiting for its group.
type eventJob struct {
	entry  *entry
	token  string // the HTTP contact's token, "" for an event channel's
	link   store.Link
	linked bool // link is enabled and its seat present: apply the event
	ev     centrex.Event
	halves []centrex.Event
	done   chan error // buffered: the group never waits for the caller
}

// grouper is the queue of events waiting for the next group.
type grouper struct {
	mu      sync.Mutex
	queue   []*eventJob
	running bool
}

// queued is how many events wait for a group (tests).
func (s *Service) queued() int {
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	return len(s.g.queue)
}

// submit queues j and waits until its group committed (nil) or failed.
// When ctx ends first, j stays in its group, whose outcome is not
// reported.
func (s *Service) submit(ctx context.Context, j *eventJob) error {
	j.done = make(chan error, 1)
	s.g.mu.Lock()
	s.g.queue = append(s.g.queue, j)
	if !s.g.running {
		s.g.running = true
		go s.runGroups()
	}
	s.g.mu.Unlock()
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runGroups applies the queue, a group after the other, until it is
// empty: a group starts once the one before has sent its statements (it
// may still be committing) and the one before that has ended. A group
// still committing when the queue empties ends on its own, and the groups
// of the next runGroups lock their calls after it, as any group does.
func (s *Service) runGroups() {
	var before, last <-chan struct{} // closed when those groups ended
	for {
		if before != nil {
			<-before
		}
		s.g.mu.Lock()
		if len(s.g.queue) == 0 {
			s.g.running = false
			s.g.mu.Unlock()
			return
		}
		n := min(len(s.g.queue), maxGroup)
		group := s.g.queue[:n:n]
		s.g.queue = append([]*eventJob(nil), s.g.queue[n:]...)
		s.g.mu.Unlock()
		sent, ended := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(ended)
			s.runGroup(group, sync.OnceFunc(func() { close(sent) }))
		}()
		select {
		case <-sent:
		case <-ended:
		}
		before, last = last, ended
	}
}

// runGroup applies one group and answers each of its events; sent is
// called once the statements of the transaction that commits are sent.
func (s *Service) runGroup(jobs []*eventJob, sent func()) {
	defer sent()
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	start := s.o.Now()
	retries := 0
	itemByItem := false
	for len(jobs) > 0 {
		queued, err := s.tryGroup(ctx, jobs, itemByItem, sent)
		var je *jobError
		var st *staleError
		var se *store.SetError
		switch {
		case err == nil:
			if queued {
				s.o.Kick()
			}
			s.o.Metrics.EventGroup(len(jobs), s.o.Now().Sub(start))
			for _, j := range jobs {
				j.done <- nil
			}
			return
		case errors.As(err, &st):
			s.o.Metrics.EventGroupRerun(metrics.RerunStale)
			for _, i := range st.jobs {
				jobs[i].done <- errStale
			}
			jobs = without(jobs, st.jobs...)
		case retryable(err) && retries < 3:
			s.o.Metrics.EventGroupRerun(metrics.RerunRetryable)
			retries++
		case errors.As(err, &se) && !itemByItem:
			s.o.Metrics.EventGroupRerun(metrics.RerunItemByItem)
			itemByItem = true // to learn which event it was
		case errors.As(err, &je):
			s.o.Metrics.EventGroupRerun(metrics.RerunLeftOut)
			jobs[je.job].done <- fmt.Errorf("calls: event %s of company %d: %w", jobs[je.job].ev.ID, jobs[je.job].entry.companyID, je.err)
			jobs = without(jobs, je.job)
		default:
			for _, j := range jobs {
				j.done <- fmt.Errorf("calls: event %s of company %d: %w", j.ev.ID, j.entry.companyID, err)
			}
			return
		}
	}
}

// without returns jobs without the ones at the given indexes.
func without(jobs []*eventJob, drop ...int) []*eventJob {
	out := make([]*eventJob, 0, len(jobs))
	for i, j := range jobs {
		skip := false
		for _, d := range drop {
			skip = skip || d == i
		}
		if !skip {
			out = append(out, j)
		}
	}
	return out
}

// retryable reports whether err is a deadlock or serialization failure:
// not the event's fault, worth running the group again.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// jobError is the failure of one event of a group.
type jobError struct {
	job int
	err error
}

func (e *jobError) Error() string { return e.err.Error() }
func (e *jobError) Unwrap() error { return e.err }

// staleError names the events of a group applied with stale cached state.
type staleError struct{ jobs []int }

func (e *staleError) Error() string { return "calls: stale cached state" }

// callKey is a seat's call half within a group.
type callKey struct {
	company, seat int64
	xsiID         string
}

// groupTx is the state of one attempt at a group: the calls it locked, by
// key (the latest incarnation), and the ones changed, to save once each.
type groupTx struct {
	tx     *store.EventTx
	calls  map[callKey]*store.Call
	dirty  []*store.Call
	tagOf  map[*store.Call]int
	queued bool
}

// tryGroup runs the group's transaction once, with a statement per item
// rather than per kind of item when itemByItem. It reports whether
// notifications were queued.
func (s *Service) tryGroup(ctx context.Context, jobs []*eventJob, itemByItem bool, sent func()) (bool, error) {
	var queued bool
	err := s.o.Store.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
		queued = false
		if itemByItem {
			tx.ItemByItem()
		}
		var companies []int64
		seen := map[int64]bool{}
		var marks []store.EventMark
		var markJob []int
		for i, j := range jobs {
			if !seen[j.entry.companyID] {
				seen[j.entry.companyID] = true
				companies = append(companies, j.entry.companyID)
			}
			if j.linked && j.ev.ID != "" {
				marks = append(marks, store.EventMark{CompanyID: j.entry.companyID, EventID: j.ev.ID})
				markJob = append(markJob, i)
			}
		}
		// The calls of every linked event are locked in the same round trip
		// as the marks, before it is known which events are redeliveries
		// (they are rare, and locking their calls changes nothing).
		g := &groupTx{tx: tx, calls: map[callKey]*store.Call{}, tagOf: map[*store.Call]int{}}
		var refs []store.CallRef
		var refJob []int
		for i, j := range jobs {
			if !j.linked {
				continue
			}
			for _, h := range j.halves {
				k := callKey{j.entry.companyID, j.link.SeatID, h.Call.ID}
				if _, ok := g.calls[k]; !ok {
					g.calls[k] = nil
					refs = append(refs, store.CallRef{CompanyID: k.company, SeatID: k.seat, XsiCallID: k.xsiID,
						ZohoUserID: j.link.ZohoUserID, Create: startsCall(h.Kind)})
					refJob = append(refJob, i)
				}
			}
		}
		started, err := tx.StartGroup(ctx, store.GroupStart{Companies: companies, Marks: marks, MarkTags: markJob,
			Refs: refs, RefTags: refJob})
		if err != nil {
			return asJobError(err, nil)
		}
		var stale []int
		for i, j := range jobs {
			if started.Versions[j.entry.companyID] != j.entry.version {
				stale = append(stale, i)
			}
		}
		if len(stale) > 0 {
			return &staleError{jobs: stale}
		}
		apply := make([]bool, len(jobs))
		for i, j := range jobs {
			apply[i] = j.linked && j.ev.ID == ""
		}
		for k, i := range markJob {
			apply[i] = started.Fresh[k]
		}
		for i, r := range refs {
			g.calls[callKey{r.CompanyID, r.SeatID, r.XsiCallID}] = &started.Calls[i]
		}
		for i, j := range jobs {
			if !apply[i] {
				continue
			}
			for _, h := range j.halves {
				if err := s.applyInGroup(ctx, g, i, j, h); err != nil {
					return &jobError{job: i, err: err}
				}
			}
		}
		for _, c := range g.dirty {
			tx.QueueSave(*c, g.tagOf[c])
		}
		if err := tx.Flush(ctx); err != nil {
			return asJobError(err, nil)
		}
		queued = g.queued
		sent() // the next group may start: this one holds its calls' locks until it ends
		return nil
	})
	return queued, err
}

// startsCall reports whether an event of kind usually comes first for its
// call, so that its call row is likely still to be created.
func startsCall(kind centrex.EventKind) bool {
	switch kind {
	case centrex.EventCallOriginating, centrex.EventCallOriginated, centrex.EventCallCollecting, centrex.EventCallReceived:
		return true
	}
	return false
}

// asJobError maps a *store.GroupError to the job it was for: tagJob maps
// the store's tag to a job, or nil when the tag is the job's index.
func asJobError(err error, tagJob []int) error {
	var ge *store.GroupError
	if !errors.As(err, &ge) {
		return err
	}
	job := ge.Tag
	if tagJob != nil {
		job = tagJob[ge.Tag]
	}
	return &jobError{job: job, err: err}
}

// applyInGroup is applyToCall inside a group: the call is the one the
// group locked (with the changes of the group's earlier events), and what
// changes is queued for the group's last round trip.
func (s *Service) applyInGroup(ctx context.Context, g *groupTx, job int, j *eventJob, e centrex.Event) error {
	k := callKey{j.entry.companyID, j.link.SeatID, e.Call.ID}
	call := g.calls[k]
	st, err := decodeState(*call)
	if err != nil {
		return err
	}
	if callflow.IsOlderCall(st, *e.Call) {
		return nil
	}
	if callflow.IsNewCall(st, e.Kind, *e.Call) {
		if call.Open {
			at := e.Call.StartTime
			if at.IsZero() {
				at = s.o.Now()
			}
			if err := s.stepInGroup(ctx, g, job, call, j.link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
				return callflow.Close(st, at, l, s.o.Settings)
			}); err != nil {
				return err
			}
		}
		next, err := g.tx.CallTx(j.entry.companyID).NextIncarnation(ctx, *call, j.link.ZohoUserID)
		if err != nil {
			return err
		}
		call = &next
		g.calls[k] = call
	}
	return s.stepInGroup(ctx, g, job, call, j.link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
		return callflow.Apply(st, e, l, s.o.Settings)
	})
}

// stepInGroup runs one step on a call of the group, marks it to be saved
// and queues its notifications.
func (s *Service) stepInGroup(ctx context.Context, g *groupTx, job int, call *store.Call, link store.Link, fn step) error {
	next, items, err := s.transition(ctx, *call, link, fn)
	if err != nil {
		return err
	}
	*call = next
	if _, ok := g.tagOf[call]; !ok {
		g.dirty = append(g.dirty, call)
	}
	g.tagOf[call] = job
	if len(items) > 0 {
		g.tx.QueueEnqueueCall(call, items, job)
		g.queued = true
	}
	return nil
}
