package xsisim

import (
	"errors"
	"fmt"
	"strings"
)

// Seat is a simulated BroadWorks user of a group.
type Seat struct {
	UserID     string
	Number     string
	Extension  string
	FirstName  string
	LastName   string
	Email      string
	Department string
}

// Group is a simulated BroadWorks group inside an enterprise or service
// provider. Its methods lock the simulator and may be used concurrently.
type Group struct {
	sim *Sim
	// ParentID is the enterprise or service provider ID.
	ParentID string
	// ID is the group ID.
	ID string
	// IsEnterprise tells whether ParentID is an enterprise.
	IsEnterprise bool
	seats        []*seat
}

// seat is a Seat with its credential and group, and where its Call
// Forwarding Always sends incoming calls ("" when off).
type seat struct {
	Seat
	password string
	group    *Group
	forward  string
}

// admin is a group administrator credential.
type admin struct {
	userID   string
	password string
	group    *Group
}

// ErrExists is returned when adding a user ID that is already taken.
var ErrExists = errors.New("xsisim: user already exists")

// AddGroup adds (or returns the existing) group of an enterprise.
func (s *Sim) AddGroup(enterprise, group string) *Group {
	return s.addGroup(enterprise, group, true)
}

// AddServiceProviderGroup adds (or returns the existing) group of a service
// provider; the XSP treats both parent kinds the same.
func (s *Sim) AddServiceProviderGroup(serviceProvider, group string) *Group {
	return s.addGroup(serviceProvider, group, false)
}

func (s *Sim) addGroup(parent, group string, enterprise bool) *Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.findGroup(parent, group); g != nil {
		return g
	}
	g := &Group{sim: s, ParentID: parent, ID: group, IsEnterprise: enterprise}
	s.groups = append(s.groups, g)
	return g
}

// findGroup returns the group, matching IDs case-insensitively. Callers hold s.mu.
func (s *Sim) findGroup(parent, group string) *Group {
	for _, g := range s.groups {
		if strings.EqualFold(g.ParentID, parent) && strings.EqualFold(g.ID, group) {
			return g
		}
	}
	return nil
}

// AddSeat adds a seat with its web-portal password (its Xsi password). The
// user ID must be unique across the simulator.
func (g *Group) AddSeat(st Seat, password string) error {
	s := g.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	return g.addSeatLocked(st, password)
}

func (g *Group) addSeatLocked(st Seat, password string) error {
	s := g.sim
	key := strings.ToLower(st.UserID)
	if st.UserID == "" || strings.Contains(st.UserID, "/") {
		return fmt.Errorf("xsisim: invalid user ID %q", st.UserID)
	}
	if s.seats[key] != nil || s.admins[key] != nil {
		return fmt.Errorf("%w: %s", ErrExists, st.UserID)
	}
	u := &seat{Seat: st, password: password, group: g}
	s.seats[key] = u
	g.seats = append(g.seats, u)
	return nil
}

// AddAdmin adds a group administrator whose scope is this group.
func (g *Group) AddAdmin(userID, password string) error {
	s := g.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(userID)
	if s.seats[key] != nil || s.admins[key] != nil {
		return fmt.Errorf("%w: %s", ErrExists, userID)
	}
	s.admins[key] = &admin{userID: userID, password: password, group: g}
	return nil
}

// seedFirst and seedLast give seeded seats varied, sortable names.
var (
	seedFirst = []string{"Ana", "Luis", "María", "Jorge", "Lucía", "Pablo", "Elena", "Íñigo", "Sara", "David"}
	seedLast  = []string{"García", "López", "Martín", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Núñez", "Castro"}
)

// SeedSeats adds n generated seats "seed-NNNNN@<group>.sim" with password
// "seed", numbers 8000NNNNN and extensions NNNNN. It is linear in n (10,000
// seats take milliseconds).
func (g *Group) SeedSeats(n int) {
	s := g.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	domain := strings.ToLower(g.ID) + ".sim"
	base := len(g.seats)
	for i := base; i < base+n; i++ {
		first, last := seedFirst[i%len(seedFirst)], seedLast[(i/len(seedFirst))%len(seedLast)]
		st := Seat{
			UserID:     fmt.Sprintf("seed-%05d@%s", i, domain),
			Number:     fmt.Sprintf("8%08d", i),
			Extension:  fmt.Sprintf("%05d", i),
			FirstName:  first,
			LastName:   last,
			Email:      fmt.Sprintf("seed-%05d@example.com", i),
			Department: []string{"Ventas", "Soporte", "Administración"}[i%3],
		}
		if err := g.addSeatLocked(st, "seed"); err != nil {
			continue
		}
	}
}

// RemoveSeat deletes a seat, as when a company removes a user: its
// credential stops working, it leaves the directory and its calls vanish
// without events. It reports whether the seat existed.
func (s *Sim) RemoveSeat(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(userID)
	u := s.seats[key]
	if u == nil {
		return false
	}
	delete(s.seats, key)
	g := u.group
	for i, x := range g.seats {
		if x == u {
			g.seats = append(g.seats[:i:i], g.seats[i+1:]...)
			break
		}
	}
	for id, c := range s.calls {
		if c.seat == u {
			delete(s.calls, id)
		}
	}
	return true
}

// Seats returns the group's seats in insertion order.
func (g *Group) Seats() []Seat {
	g.sim.mu.Lock()
	defer g.sim.mu.Unlock()
	out := make([]Seat, len(g.seats))
	for i, u := range g.seats {
		out[i] = u.Seat
	}
	return out
}
