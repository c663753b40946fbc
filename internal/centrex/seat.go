package centrex

// Seat is one Conecta seat (a BroadWorks user) of the company's group, as
// listed by the group directory. UserID is the BroadWorks user ID
// ("910726329@conecta.orange.es") and is the key every call operation takes;
// Number is the seat's phone number as the PBX reports it (national digits or
// +E.164, not normalised here).
type Seat struct {
	UserID     string
	Number     string
	Extension  string
	FirstName  string
	LastName   string
	Email      string
	Department string
}

// Connection is a company's credential for the hosted PBX: either a group
// administrator or a seat whose administrative scope covers the group.
//
// BaseURL is the XSP root (scheme, host and optional port, for example
// "https://xsp.example.com"); the implementation appends the Xsi-Actions and
// Xsi-Events prefixes. Password is a secret: implementations must never put it
// in errors or logs.
type Connection struct {
	BaseURL  string
	UserID   string
	Password string

	// GroupID is the company's BroadWorks group.
	GroupID string
	// EnterpriseID is the group's parent: an enterprise when IsEnterprise is
	// true, otherwise a service provider.
	EnterpriseID string
	IsEnterprise bool

	// DirectoryUserID is the seat whose group directory is read by Seats.
	// Xsi only documents the group directory below a user
	// (/user/{id}/directories/Group), so an administrator credential needs a
	// seat of its group to address it. Empty means UserID (the credential is
	// itself a seat).
	DirectoryUserID string
}

// DirectoryUser returns the user ID through which the group directory is
// read: DirectoryUserID, or UserID when that is empty.
func (c Connection) DirectoryUser() string {
	if c.DirectoryUserID != "" {
		return c.DirectoryUserID
	}
	return c.UserID
}
