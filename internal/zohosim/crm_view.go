package zohosim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Contact is one record of the simulated CRM's contact list.
type Contact struct {
	// Name is the contact's full name.
	Name string
	// Phone is the number as stored in the CRM, spaces and all; it is sent
	// to the provider verbatim as tonumber.
	Phone string
	// Company is the contact's account name.
	Company string
}

// DemoContacts are the contacts every org's CRM page lists: Spanish
// numbers in the forms people type (national with spaces, +34, 0034).
var DemoContacts = []Contact{
	{Name: "Pepe Sanchez", Phone: "910 000 111", Company: "Construcciones Sanchez"},
	{Name: "Lucía Fernández", Phone: "+34 600 111 222", Company: "Clínica Dental Sonrisa"},
	{Name: "Antonio García", Phone: "932-000-333", Company: "García Asesores"},
	{Name: "Carmen López", Phone: "0034 955 444 555", Company: "Hotel Giralda"},
	{Name: "Javier Ruiz", Phone: "(96) 123 45 67", Company: "Naranjas Ruiz"},
	{Name: "Recepción Fermax", Phone: "910 726 330", Company: "Fermax"},
}

// contactFor returns the name of the contact whose number matches n (same
// last nine digits, or all digits when shorter), or "".
func contactFor(n string) string {
	key := phoneKey(n)
	if key == "" {
		return ""
	}
	for _, c := range DemoContacts {
		if phoneKey(c.Phone) == key {
			return c.Name
		}
	}
	return ""
}

func phoneKey(n string) string {
	var d []byte
	for i := 0; i < len(n); i++ {
		if n[i] >= '0' && n[i] <= '9' {
			d = append(d, n[i])
		}
	}
	if len(d) > 9 {
		d = d[len(d)-9:]
	}
	return string(d)
}

// crmCall is one call of the signed-in user as the callnotify records tell.
type crmCall struct {
	ID, Type, State, From, To string
	// Number and Contact are the customer's side.
	Number, Contact string
	Start           time.Time
	Duration        time.Duration
	Active          bool
	// Held is true while the call is on hold (see Org.Held).
	Held bool
	// First is the receipt of the call's first record.
	First time.Time
}

// TypeLabel, StateLabel and DurationText are what the page shows.
func (c crmCall) TypeLabel() string {
	if c.Type == "received" {
		return "Entrante"
	}
	return "Saliente"
}

// StateLabel names the last state in Spanish ("En espera" while held).
func (c crmCall) StateLabel() string {
	if c.Held && c.Active {
		return "En espera"
	}
	if l, ok := stateLabels[c.State]; ok {
		return l
	}
	return c.State
}

var stateLabels = map[string]string{
	"ringing": "Sonando", "answered": "En curso", "ended": "Finalizada", "missed": "Perdida",
	"busy": "Ocupado", "noanswer": "Sin respuesta", "rejected": "Rechazada",
	"notavailable": "No disponible", "invalid": "Número no válido", "blocked": "Bloqueada",
}

// DurationText is m:ss, or "—" while ringing.
func (c crmCall) DurationText() string {
	if c.State == "ringing" || c.Duration < 0 {
		return "—"
	}
	s := int(c.Duration / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// StartText is the start in GMT, Zoho's format: the provider's start_time,
// or the receipt of the call's first record when none carried one.
func (c crmCall) StartText() string {
	if c.Start.IsZero() {
		return "—"
	}
	return c.Start.UTC().Format(startTimeLayout) + " GMT"
}

// userCalls folds the org's callnotify records of zohouser into calls,
// newest first. An answered call's duration runs from the answered record's
// receipt to now; held tells which calls are on hold.
func userCalls(ns []Notify, zohouser string, now time.Time, held func(id string) bool) []crmCall {
	byID := map[string]*crmCall{}
	received := map[string]bool{} // Start is still a receipt time
	var order []string
	for _, n := range ns {
		if n.ZohoUser != zohouser {
			continue
		}
		c, ok := byID[n.ID]
		if !ok {
			c = &crmCall{ID: n.ID, Start: n.Received, First: n.Received}
			byID[n.ID] = c
			order = append(order, n.ID)
			received[n.ID] = true
		}
		c.Type, c.State, c.From, c.To = n.Type, n.State, n.From, n.To
		if !n.StartTime.IsZero() && received[n.ID] {
			c.Start, received[n.ID] = n.StartTime, false // the provider's start_time wins
		}
		c.Number = n.To
		if n.Type == "received" {
			c.Number = n.From
		}
		c.Contact = contactFor(c.Number)
		c.Active = n.State == "ringing" || n.State == "answered"
		switch {
		case n.State == "answered":
			c.Duration = now.Sub(n.Received)
		case n.Duration >= 0:
			c.Duration = time.Duration(n.Duration) * time.Second
		default:
			c.Duration = 0
		}
	}
	out := make([]crmCall, 0, len(order))
	for _, id := range slices.Backward(order) {
		c := byID[id]
		c.Held = c.Active && c.State == "answered" && held(c.ID)
		out = append(out, *c)
	}
	return out
}

// dialingOver reports whether the call a "Llamando a…" message announced,
// dialed at the simulator time at, has come and gone: a call of the user
// first recorded at or after at that is no longer active.
func dialingOver(calls []crmCall, at time.Time) bool {
	return slices.ContainsFunc(calls, func(c crmCall) bool { return !c.Active && !c.First.Before(at) })
}

// ownsCall reports whether callrefid is a call of zohouser.
func ownsCall(ns []Notify, zohouser, callrefid string) bool {
	return slices.ContainsFunc(ns, func(n Notify) bool { return n.ZohoUser == zohouser && n.ID == callrefid })
}

// crmMessages are the flash texts selected by the msg query parameter.
var crmMessages = map[string]struct{ text, class string }{
	"dialing":       {"Llamando a %s… su teléfono sonará primero.", "ok"},
	"notregistered": {"La llamada por clic no está activada para su usuario: el proveedor de telefonía no la ha registrado.", "err"},
	"dialfailed":    {"El proveedor de telefonía no pudo iniciar la llamada a %s.", "err"},
	"sent":          {"Orden enviada al proveedor de telefonía.", "ok"},
	"nocontrol":     {"El control de llamadas no está activado para esta acción.", "err"},
	"controlfailed": {"El proveedor de telefonía rechazó la orden.", "err"},
	"unknowncall":   {"Llamada desconocida.", "err"},
	"nonumber":      {"Indique un número.", "err"},
}

func flash(code, number string) (text, class string) {
	m, ok := crmMessages[code]
	if !ok {
		return "", ""
	}
	if strings.Contains(m.text, "%s") {
		return fmt.Sprintf(m.text, number), m.class
	}
	return m.text, m.class
}
