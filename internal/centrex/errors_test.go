package centrex

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorIsAndRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		kind      error
		retryable bool
	}{
		{"unauthorized", &Error{Op: "xsi: dial", Kind: ErrUnauthorized, Status: 401}, ErrUnauthorized, false},
		{"forbidden", &Error{Op: "xsi: dial", Kind: ErrForbidden, Status: 403}, ErrForbidden, false},
		{"rejected", &Error{Op: "xsi: hold", Kind: ErrRejected, Status: 400, Summary: "not active", Code: 1}, ErrRejected, false},
		{"unavailable wrapped", fmt.Errorf("sync: %w", &Error{Op: "xsi: seats", Kind: ErrUnavailable, Status: 503}), ErrUnavailable, true},
		{"cancelled", &Error{Op: "xsi: seats", Kind: ErrUnavailable, Err: context.Canceled}, ErrUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.kind) {
				t.Errorf("errors.Is(%v, %v) = false", tt.err, tt.kind)
			}
			if got := Retryable(tt.err); got != tt.retryable {
				t.Errorf("Retryable = %v, want %v", got, tt.retryable)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	err := &Error{Op: "xsi: hold call c1", Kind: ErrRejected, Status: 400, Summary: "Call is not active", Code: 4001}
	want := "xsi: hold call c1: rejected (HTTP 400): Call is not active [errorCode 4001]"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if strings.Contains(err.Error(), "%!") {
		t.Errorf("bad format: %q", err.Error())
	}
}
