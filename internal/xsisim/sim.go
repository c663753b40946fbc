package xsisim

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a simulator. The zero value is usable: real clock, no
// automatic pick-up or answer, three delivery attempts.
type Options struct {
	// Now is the simulator clock (timestamps, subscription expiry). Nil means
	// time.Now.
	Now func() time.Time
	// PickupDelay makes a seat pick up its click-to-dial leg automatically
	// after the delay (CallOriginating → CallOriginated). Zero means never:
	// use AnswerAtSeat or a Talk request.
	PickupDelay time.Duration
	// FarEndAnswerDelay makes an external far end answer automatically that
	// long after it starts ringing. Zero means never: use AnswerFromFarEnd.
	FarEndAnswerDelay time.Duration
	// DeliveryAttempts is how often an event POST is tried before it is
	// dropped; zero means 3.
	DeliveryAttempts int
	// DeliveryBackoff is the pause after the first failed attempt, doubled
	// after each further one; zero means 50ms.
	DeliveryBackoff time.Duration
	// HTTPClient posts events; nil means a client with a 5s timeout.
	HTTPClient *http.Client
	// ConventionalPrefixes renders events with the BroadSoft namespace as the
	// default namespace and xsi bound to XMLSchema-instance, instead of the
	// wire style (xsi = BroadSoft, xsi1 = XMLSchema-instance).
	ConventionalPrefixes bool
	// DirectoryUTF8 serves directory and profile responses in UTF-8 instead
	// of ISO-8859-1 (the locale charset real XSPs use in examples).
	DirectoryUTF8 bool
	// MaxRecordedRequests bounds Requests(); zero means 10000.
	MaxRecordedRequests int
	// RefreshWithoutExpires answers subscription refreshes (PUT) without
	// an expires element, as some XSPs do; the expiry still moves.
	RefreshWithoutExpires bool
	// MinExpires is the shortest lifetime of a subscription or a channel
	// (a shorter one asked for is raised to it); zero means an hour, as
	// the specification says. Tests lower it to watch refreshes and expiry.
	MinExpires time.Duration
	// ChannelHold is how long an event of a channel set is kept for
	// delivery until it is acknowledged: on the set's next channel when the
	// one it was sent on is lost, or waiting for one; zero means 30 s.
	ChannelHold time.Duration
	// ChannelHeartbeatTimeout ends a channel with NonResponsiveChannel when
	// no heartbeat came for that long; zero never does.
	ChannelHeartbeatTimeout time.Duration
	// Logger receives delivery failures and control actions; nil discards.
	Logger *slog.Logger
}

// Sim is a simulated BroadWorks XSP. It is an http.Handler and is safe for
// concurrent use. Close it to stop event delivery and timers.
type Sim struct {
	opts   Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// posting counts the HTTP-contact events queued or being posted: not
	// yet delivered, nor given up.
	posting atomic.Int64

	mu        sync.Mutex
	groups    []*Group
	seats     map[string]*seat  // by lower-case user ID
	admins    map[string]*admin // by lower-case user ID
	calls     map[string]*callHalf
	nextCall  int
	nextTrack int
	subs      map[string]*subscription
	sets      map[string]*channelSet   // by setKey
	chans     map[string]*eventChannel // by channel id
	sessions  map[string]bool          // JSESSIONID values issued
	requests  []Request
	faults    []Fault
	timers    map[*time.Timer]struct{}
}

// New returns an empty simulator.
func New(opts Options) *Sim {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DeliveryAttempts <= 0 {
		opts.DeliveryAttempts = 3
	}
	if opts.DeliveryBackoff <= 0 {
		opts.DeliveryBackoff = 50 * time.Millisecond
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if opts.MaxRecordedRequests <= 0 {
		opts.MaxRecordedRequests = 10000
	}
	if opts.MinExpires <= 0 {
		opts.MinExpires = minExpires * time.Second
	}
	if opts.ChannelHold <= 0 {
		opts.ChannelHold = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Sim{
		opts:     opts,
		log:      log,
		ctx:      ctx,
		cancel:   cancel,
		seats:    map[string]*seat{},
		admins:   map[string]*admin{},
		calls:    map[string]*callHalf{},
		subs:     map[string]*subscription{},
		sets:     map[string]*channelSet{},
		chans:    map[string]*eventChannel{},
		sessions: map[string]bool{},
		timers:   map[*time.Timer]struct{}{},
	}
}

// Close stops automatic timers and event delivery; undelivered events are
// dropped. The handler keeps answering requests.
func (s *Sim) Close() {
	s.mu.Lock()
	for t := range s.timers {
		t.Stop()
	}
	s.timers = map[*time.Timer]struct{}{}
	for _, ch := range s.chans {
		s.dropChannel(ch)
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// now returns the simulator clock.
func (s *Sim) now() time.Time { return s.opts.Now() }

// after runs f under s.mu after d unless the simulator is closed first.
func (s *Sim) after(d time.Duration, f func()) {
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.timers[t]; !ok {
			return
		}
		delete(s.timers, t)
		f()
	})
	s.timers[t] = struct{}{}
}
