package pimclient

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Graph error codes the provider branches on. PIM's unified API has no
// published code table; these are the codes observed on the directory-role
// endpoints (reported in public traces; https://learn.microsoft.com/graph/errors has the envelope).
const (
	CodeRoleAssignmentExists       = "RoleAssignmentExists"
	CodeRoleAssignmentDoesNotExist = "RoleAssignmentDoesNotExist"
	CodeActiveDurationTooShort     = "ActiveDurationTooShort"
	CodePolicyValidationFailed     = "RoleAssignmentRequestPolicyValidationFailed"
	CodeLastGlobalAdministrator    = "LastGlobalAdministratorCannotBeRemoved"
	CodeItemNotFound               = "itemNotFound"
	CodeRequestResourceNotFound    = "Request_ResourceNotFound"
	CodeResourceNotFound           = "ResourceNotFound"
	// CodeRequestExists is ARM's answer to a second schedule request of the
	// same name (observed; azure-quickstart-templates#12838).
	CodeRequestExists = "RoleAssignmentRequestExists"
)

// APIError is a Graph error response: the HTTP status plus the fields of
// Graph's error envelope. The request-id is what Microsoft support asks for.
type APIError struct {
	StatusCode      int
	Code            string
	Message         string
	RequestID       string
	ClientRequestID string
	Date            string
	Method          string
	Path            string
	// Attempts is how many times the call was sent (retries included).
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	return b.String()
}

// AsAPIError returns the *APIError in err's chain, if any.
func AsAPIError(err error) (*APIError, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr, true
	}
	return nil, false
}

// HasCode reports whether err is a Graph error with the given code. Graph
// codes are compared case-insensitively because services differ in casing.
func HasCode(err error, code string) bool {
	apiErr, ok := AsAPIError(err)
	return ok && strings.EqualFold(apiErr.Code, code)
}

// IsNotFound reports whether err means the addressed object does not exist.
func IsNotFound(err error) bool {
	apiErr, ok := AsAPIError(err)
	if !ok {
		return false
	}
	if apiErr.StatusCode == http.StatusNotFound {
		return true
	}
	for _, c := range []string{CodeItemNotFound, CodeRequestResourceNotFound, CodeResourceNotFound} {
		if strings.EqualFold(apiErr.Code, c) {
			return true
		}
	}
	return false
}

// errorEnvelope is Graph's documented error body.
type errorEnvelope struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// TransportError is a call that got no answer from Graph: the connection
// failed, was cut, or the context ended while waiting.
type TransportError struct {
	Method, Path string
	Attempts     int
	Err          error
}

func (e *TransportError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err) }

func (e *TransportError) Unwrap() error { return e.Err }

// Ambiguous reports whether a failed write may nevertheless have taken
// effect: Graph answered 5xx (it may have applied the request before
// failing), or the request was sent and no answer came back. The caller
// must read before it writes again: a blind retry could act twice, and
// giving up could leave a change nobody tracks.
func Ambiguous(err error) bool {
	if apiErr, ok := AsAPIError(err); ok {
		return apiErr.StatusCode >= 500
	}
	var te *TransportError
	if !errors.As(err, &te) {
		return false
	}
	var opErr *net.OpError
	return !errors.As(te.Err, &opErr) || opErr.Op != "dial" // a failed dial never sent anything
}

// Retried reports whether the call behind err was sent more than once:
// then an error such as RoleAssignmentExists may be the echo of an earlier
// attempt that Graph applied.
func Retried(err error) bool {
	if apiErr, ok := AsAPIError(err); ok {
		return apiErr.Attempts > 1
	}
	var te *TransportError
	return errors.As(err, &te) && te.Attempts > 1
}

// IsThrottled reports whether Graph throttled the call (and the retries
// ran out of time).
func IsThrottled(err error) bool {
	apiErr, ok := AsAPIError(err)
	return ok && apiErr.StatusCode == http.StatusTooManyRequests
}
