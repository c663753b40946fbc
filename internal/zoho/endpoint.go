package zoho

import (
	"net/http"
	"strings"
)

// Endpoint names the Zoho endpoint a request of this package goes to, for
// the metrics: "token" (grant exchange and refresh), "revoke", "userinfo",
// or the PhoneBridge v3 resource ("callnotify", "clicktodialerror",
// "clicktodial", "callcontrol", "integrate", "users"); "other" for anything
// else. It looks at the path's end only, so a data centre under a path
// prefix (the simulator's) names the same endpoints.
func Endpoint(r *http.Request) string {
	p := strings.TrimRight(r.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/oauth/v2/token"):
		return "token"
	case strings.HasSuffix(p, "/oauth/v2/token/revoke"):
		return "revoke"
	case strings.HasSuffix(p, "/oauth/user/info"):
		return "userinfo"
	}
	if i := strings.LastIndex(p, "/phonebridge/v3/"); i >= 0 {
		switch res := p[i+len("/phonebridge/v3/"):]; res {
		case "callnotify", "clicktodialerror", "clicktodial", "callcontrol", "integrate", "users":
			return res
		}
	}
	return "other"
}
