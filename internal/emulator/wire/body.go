package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// ReadBody reads the whole request body before any lock is taken, within
// the size limit, decompressing gzip (Microsoft's Graph SDKs compress
// request bodies by default). A slow client holds up only itself.
func ReadBody(r *http.Request, limit int64) ([]byte, *core.APIError) {
	if r.Body == nil {
		return nil, nil
	}
	rd := io.LimitReader(r.Body, limit+1)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		gz, err := gzip.NewReader(rd)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, core.BadRequest("BadRequest", "The request body is not valid gzip: %v.", err)
		}
		defer func() { _ = gz.Close() }()
		rd = gz
	default:
		return nil, &core.APIError{http.StatusUnsupportedMediaType, "UnsupportedMediaType",
			fmt.Sprintf("Content-Encoding %q is not supported; send the body uncompressed or gzip-compressed.", enc)}
	}
	data, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if int64(len(data)) > limit {
		// guess: Graph's code for an oversized body is not documented.
		return nil, &core.APIError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("The request body is larger than %d bytes.", limit)}
	}
	if err != nil {
		return nil, core.BadRequest("BadRequest", "The request body could not be read: %v.", err)
	}
	if !utf8.Valid(data) {
		// guess: Graph's answer to a body that is not UTF-8 is not documented.
		return nil, core.BadRequest("BadRequest", "%s The body is not valid UTF-8.", InvalidJSON)
	}
	return data, nil
}

// InvalidJSON is Graph's message for a body that is not JSON.
const InvalidJSON = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."

// DecodeBody decodes a JSON body into v strictly, as Graph does: a
// property the type does not define is refused (instance annotations such
// as @odata.type are allowed anywhere), and so is a value of the wrong type.
func DecodeBody(data []byte, v any, typeName string) *core.APIError {
	if len(bytes.TrimSpace(data)) == 0 {
		return core.BadRequest("BadRequest", "%s The body is empty.", InvalidJSON)
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil || dec.More() {
		return core.BadRequest("BadRequest", "%s", InvalidJSON)
	}
	if _, ok := generic.(map[string]any); !ok {
		return core.BadRequest("BadRequest", "%s The body must be a JSON object.", InvalidJSON)
	}
	clean, err := json.Marshal(stripAnnotations(generic))
	if err != nil {
		return core.BadRequest("BadRequest", "%s", InvalidJSON)
	}
	strict := json.NewDecoder(bytes.NewReader(clean))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return decodeError(err, typeName)
	}
	return nil
}

func decodeError(err error, typeName string) *core.APIError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return core.BadRequest("BadRequest", "The value of property '%s' is a %s; type 'microsoft.graph.%s' needs a %s there.",
			typeErr.Field, typeErr.Value, typeName, jsonKind(typeErr.Type.String()))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return core.BadRequest("BadRequest", "The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.",
			strings.Trim(field, `"`), typeName)
	}
	return core.BadRequest("BadRequest", "%s", InvalidJSON)
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "string"):
		return "string"
	case strings.Contains(goType, "bool"):
		return "boolean"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "number"
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "*[]"):
		return "array"
	}
	return "object"
}

// stripAnnotations drops instance annotations (keys containing '@').
func stripAnnotations(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if !strings.Contains(k, "@") {
				out[k] = stripAnnotations(val)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = stripAnnotations(x[i])
		}
		return x
	}
	return v
}
