package web

import "github.com/a-h/templ"

// iconPaths are the outlines of the portal's icons, drawn on a 24×24 grid
// with round 2-unit strokes.
var iconPaths = map[string]string{
	"menu":     "M4 6h16M4 12h16M4 18h16",
	"plug":     "M9 2v6M15 2v6M6 8h12v3a6 6 0 0 1-12 0zM12 17v5",
	"phone":    "M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z",
	"list":     "M9 6h12M9 12h12M9 18h12M4 6h.01M4 12h.01M4 18h.01",
	"logout":   "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
	"check":    "M20 6 9 17l-5-5",
	"x":        "M18 6 6 18M6 6l12 12",
	"download": "M12 3v12M7 10l5 5 5-5M5 21h14",
	"sync":     "M20 11a8 8 0 0 0-14.3-4.3L3 9M3 4v5h5M4 13a8 8 0 0 0 14.3 4.3L21 15M21 20v-5h-5",
	"search":   "M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5",
	"link":     "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
	"warning":  "M12 3 2 21h20zM12 10v5M12 18h.01",
	"back":     "M19 12H5M11 18l-6-6 6-6",
	"power":    "M12 3v9M6.3 6.3a8 8 0 1 0 11.4 0",
	"retry":    "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5",
	"clock":    "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 3",
	"key":      "M15 3a6 6 0 1 1-5.7 7.9L3 17v4h4v-2h2v-2h2l1.1-1.1A6 6 0 0 1 15 3zM16.5 7.5h.01",
}

// ariaCurrent marks the menu entry of the current page.
func ariaCurrent(current bool) string {
	if current {
		return "page"
	}
	return "false"
}

// invalid marks a field whose value was refused.
func invalid(refused bool) templ.Attributes {
	if refused {
		return templ.Attributes{"aria-invalid": "true"}
	}
	return nil
}
