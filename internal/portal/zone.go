package portal

import (
	"sync"
	"time"
)

// defaultZone is the time zone of a company that has not chosen one.
const defaultZone = "Europe/Madrid"

// loadedZones are the zones a company can choose (timeZones), loaded once,
// at the first page: time.LoadLocation reads and parses the zone's file on
// every call, which was 7 % of the gateway's CPU on the seats page. Not at
// package initialisation, which may run before time/tzdata's (the embedded
// database). A *time.Location is immutable and safe to share.
var loadedZones = sync.OnceValue(func() map[string]*time.Location {
	m := make(map[string]*time.Location, len(timeZones))
	for _, name := range timeZones {
		if loc, err := time.LoadLocation(name); err == nil {
			m[name] = loc
		}
	}
	return m
})

// zone returns the named IANA time zone, or Europe/Madrid when the name is
// unknown to this binary's zone database (cmd/gateway embeds one, so the
// distroless image needs none).
func zone(name string) *time.Location {
	if loc, ok := loadedZones()[name]; ok {
		return loc
	}
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	if loc, ok := loadedZones()[defaultZone]; ok {
		return loc
	}
	return time.UTC
}
