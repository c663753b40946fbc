package centrex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors a caller can branch on with errors.Is. Every error from a
// PBX implementation that comes from the PBX or the network wraps exactly one
// of them inside an *Error.
var (
	// ErrUnauthorized: the credential was refused (wrong user or password).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credential is valid but the target is outside its
	// scope (another group, or a seat acting on another seat).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: unknown seat, call or subscription.
	ErrNotFound = errors.New("not found")
	// ErrRejected: the PBX refused the request, for example an invalid call
	// state transition (hold a call that is not active).
	ErrRejected = errors.New("rejected")
	// ErrUnavailable: the PBX could not be reached, timed out or answered
	// with a server error; retrying later may succeed.
	ErrUnavailable = errors.New("unavailable")
)

// Error is a failed PBX operation. It never contains the credential's
// password. Summary and Code come from the PBX's error document (Xsi
// ErrorInfo summaryEnglish and errorCode) when one was returned.
type Error struct {
	// Op says what was attempted, prefixed by the implementation, for
	// example "xsi: hold call callhalf-1:0".
	Op string
	// Kind is one of the sentinel errors above.
	Kind error
	// Status is the HTTP status, 0 when no response was received.
	Status int
	// Summary and Code are the PBX's error text and number, if any.
	Summary string
	Code    int
	// Err is the underlying transport or decoding error, if any.
	Err error
}

// Error formats the operation, the kind, the status and the PBX's summary.
func (e *Error) Error() string {
	s := e.Op + ": " + e.Kind.Error()
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Summary != "" {
		s += ": " + e.Summary
	}
	if e.Code != 0 {
		s += fmt.Sprintf(" [errorCode %d]", e.Code)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes both the sentinel kind and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Retryable reports whether repeating the same request later may succeed:
// true for ErrUnavailable (network failure, timeout, 5xx, 429), false for
// everything else, including a cancelled context and any caller mistake.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	return errors.Is(err, ErrUnavailable)
}
