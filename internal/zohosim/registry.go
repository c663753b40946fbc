package zohosim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// user is one Zoho account.
type user struct {
	id, email, name, password string
	admin                     bool
	org                       *Org
}

// Org is a simulated Zoho organisation in one data centre with its
// PhoneBridge state. Its methods lock the owning Sim.
type Org struct {
	sim           *Sim
	name, dc      string
	integrated    bool
	otherProvider bool
	users         []*user
	clickToDial   map[string]ClickToDialReg
	callControl   map[string]CallControlReg
	notifies      []Notify
	dialErrors    []DialError
	// held lists the calls (callrefid) the provider accepted a hold for and
	// no resume since: Zoho's call bar shows them on hold.
	held map[string]bool
}

// Param is one {name,value} pair as registered by the provider.
type Param struct {
	// Name and Value as parsed from the loose or strict JSON form.
	Name, Value string
}

// ClickToDialReg is a user's click-to-dial registration.
type ClickToDialReg struct {
	// URI is clicktodialuri.
	URI string
	// Auth is authorizationparam (zero when absent).
	Auth Param
	// Params are the clicktodialparam pairs.
	Params []Param
}

// CallControlReg is a user's call-control registration; URIs is keyed by
// action: answer, hungup, hold, unhold, keypress, mute, unmute.
type CallControlReg struct {
	// URIs maps action → URI for the URIs given.
	URIs map[string]string
	// Auth is authorizationparam (zero when absent).
	Auth Param
	// Params are the callcontrolparam pairs.
	Params []Param
}

// Notify is one accepted callnotify.
type Notify struct {
	// The fields as received (numbers after form decoding).
	Type, State, ID, From, To, ZohoUser, VoiceURI, TransferredCallID string
	// StartTime is parsed from start_time (GMT); zero when absent.
	StartTime time.Time
	// Duration is duration in seconds; -1 when absent.
	Duration int
	// Received is the simulator time of receipt.
	Received time.Time
}

// DialError is one accepted clicktodialerror.
type DialError struct {
	// The fields as received.
	Code, From, To, ZohoUser, Message string
}

// AddOrg creates an organisation in data centre dc (e.g. "eu"; unknown
// codes panic, as a seeding bug).
func (s *Sim) AddOrg(name, dc string) *Org {
	if !knownLocation(dc) {
		panic(fmt.Sprintf("zohosim: unknown data centre %q", dc))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &Org{sim: s, name: name, dc: dc, clickToDial: map[string]ClickToDialReg{}, callControl: map[string]CallControlReg{}}
	s.orgs = append(s.orgs, o)
	return o
}

// Org returns the organisation called name, or nil.
func (s *Sim) Org(name string) *Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if o.name == name {
			return o
		}
	}
	return nil
}

// AddUser adds a Zoho account to the org and returns its zohouser id.
// E-mails are unique across the simulator (case-insensitive); a duplicate
// panics as a seeding bug.
func (o *Org) AddUser(email, name, password string, admin bool) string {
	s := o.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(email)
	if _, dup := s.byEmail[key]; dup {
		panic("zohosim: duplicate user " + email)
	}
	s.nextID++
	u := &user{id: strconv.FormatInt(s.nextID, 10), email: email, name: name, password: password, admin: admin, org: o}
	s.users[u.id] = u
	s.byEmail[key] = u
	o.users = append(o.users, u)
	return u.id
}

// AddUsers adds n non-admin users named "Usuario NNNN" with e-mails
// userNNNN@{domain} and password DemoPassword, where domain derives from the
// org name; it returns their zohouser ids.
func (o *Org) AddUsers(n int) []string {
	domain := strings.ToLower(strings.ReplaceAll(o.name, " ", "")) + ".example"
	start := len(o.Users())
	ids := make([]string, 0, n)
	for i := start + 1; i <= start+n; i++ {
		ids = append(ids, o.AddUser(fmt.Sprintf("user%04d@%s", i, domain), fmt.Sprintf("Usuario %04d", i), DemoPassword, false))
	}
	return ids
}

// Name returns the org's name.
func (o *Org) Name() string { return o.name }

// DC returns the org's data-centre location code.
func (o *Org) DC() string { return o.dc }

// Users returns the org's zohouser ids in creation order.
func (o *Org) Users() []string {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	ids := make([]string, len(o.users))
	for i, u := range o.users {
		ids[i] = u.id
	}
	return ids
}

// Integrated reports whether integrate has been called (and not undone).
func (o *Org) Integrated() bool {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return o.integrated
}

// SetOtherProviderEnabled makes PhoneBridge answer
// DIFFERENT_PROVIDER_ALREADY_ENABLED for this org while on is true.
func (o *Org) SetOtherProviderEnabled(on bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	o.otherProvider = on
}

// ClickToDial returns the click-to-dial registration of zohouser.
func (o *Org) ClickToDial(zohouser string) (ClickToDialReg, bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	r, ok := o.clickToDial[zohouser]
	return r, ok
}

// CallControl returns the call-control registration of zohouser.
func (o *Org) CallControl(zohouser string) (CallControlReg, bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	r, ok := o.callControl[zohouser]
	return r, ok
}

// Notifies returns every accepted callnotify, oldest first.
func (o *Org) Notifies() []Notify {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return append([]Notify(nil), o.notifies...)
}

// Held reports whether the call callrefid is on hold: the provider accepted
// a hold for it and no resume since.
func (o *Org) Held(callrefid string) bool {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return o.held[callrefid]
}

// setHeld records an accepted hold (true) or resume (false).
func (o *Org) setHeld(callrefid string, held bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.held == nil {
		o.held = map[string]bool{}
	}
	if held {
		o.held[callrefid] = true
	} else {
		delete(o.held, callrefid)
	}
}

// DialErrors returns every accepted clicktodialerror, oldest first.
func (o *Org) DialErrors() []DialError {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return append([]DialError(nil), o.dialErrors...)
}
