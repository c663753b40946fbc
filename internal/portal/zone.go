package portal

import (
	"time"
)

// defaultZone is the time zone of a company that has not chosen one.
const defaultZone = "Europe/Madrid"

// zone returns the named IANA time zone, or Europe/Madrid when the name is
// unknown to this binary's zone database (cmd/gateway embeds one, so the
// distroless image needs none).
func zone(name string) *time.Location {
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	if loc, err := time.LoadLocation(defaultZone); err == nil {
		return loc
	}
	return time.UTC
}
