package core

import (
	"fmt"
	"net/http"
)

// APIError is a Graph error decided while serving a call: the status, and
// the code and message of Graph's error envelope
// (https://learn.microsoft.com/graph/errors).
type APIError struct {
	Status        int
	Code, Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// BadRequest is a 400 with Graph's code.
func BadRequest(code, format string, args ...any) *APIError {
	return &APIError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

// Forbidden is a 403 accessDenied.
func Forbidden(format string, args ...any) *APIError {
	return &APIError{http.StatusForbidden, "accessDenied", fmt.Sprintf(format, args...)}
}

// NotFound answers an unknown id. guess: the PIM pages document no 404
// body; this follows Graph's generic shape.
func NotFound(set, id string) *APIError {
	return &APIError{http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The %s object with id '%s' was not found.", set, id)}
}
