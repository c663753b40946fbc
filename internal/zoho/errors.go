package zoho

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// PhoneBridge error codes Zoho puts in the "code" field of its error envelope.
const (
	CodeProviderNotRegistered           = "PROVIDER_NOT_REGISTERED"
	CodeNoPermission                    = "NO_PERMISSION"
	CodeDifferentProviderAlreadyEnabled = "DIFFERENT_PROVIDER_ALREADY_ENABLED"
	CodePBXNotIntegrated                = "PBX_NOT_INTEGRATED"
	CodeInvalidToken                    = "INVALID_TOKEN"
	CodeRequiredParamMissing            = "REQUIRED_PARAM_MISSING"
	CodeInvalidUser                     = "INVALID_USER"
	CodeInternalError                   = "INTERNAL_ERROR"
)

// Error is a non-success PhoneBridge answer: Zoho's envelope
// {"code","details":{"param"},"message","status":"error"} or, when the body is
// not that JSON, just the HTTP status with an empty Code.
type Error struct {
	// Op names the call, e.g. "callnotify".
	Op string
	// Status is the HTTP status code.
	Status int
	// Code is Zoho's error code (see the Code… constants); may be empty.
	Code string
	// Message is Zoho's message, or a description of the unexpected body.
	Message string
	// Param is details.param when Zoho names the offending parameter.
	Param string
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("zoho: %s: HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Param != "" {
		s += " (param " + e.Param + ")"
	}
	return s
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// TransportError is a failure to get any HTTP answer: DNS, connect, TLS,
// timeout, or a body that could not be read. Its text never has URLs.
type TransportError struct {
	// Op names the call.
	Op string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *TransportError) Error() string { return "zoho: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports whether repeating the same request later is sensible:
// Zoho 5xx or 429, transport failures and timeouts, and Accounts
// throttling. Client errors (4xx such as REQUIRED_PARAM_MISSING,
// PBX_NOT_INTEGRATED, INVALID_TOKEN) and a cancelled context are not.
// The durable outbox uses this to decide whether to requeue a callnotify.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Status >= 500 || pe.Status == 429
	}
	var te *TokenError
	if errors.As(err, &te) {
		return te.retryable()
	}
	var tr *TransportError
	if errors.As(err, &tr) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}
