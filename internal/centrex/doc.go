// Package centrex describes what the gateway needs from a hosted PBX
// ("Digital Centrex" / "Conecta" seats): the group's seats, call control on a
// seat, call events and event subscriptions, and the errors a caller can
// branch on.
//
// The package owns the vocabulary only. It contains no HTTP and no XML; the
// BroadWorks Xsi implementation lives in package centrex/xsi, and a local
// simulator of a BroadWorks XSP lives in package xsisim.
package centrex
