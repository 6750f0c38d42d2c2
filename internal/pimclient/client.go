// Package pimclient is a small Microsoft Graph v1.0 client for Privileged
// Identity Management of Entra directory roles.
//
// It speaks HTTP so the Terraform layer does not have to: typed requests and
// responses, Graph's error envelope as *APIError, @odata.nextLink paging, and a
// retry policy that knows POSTs to PIM are not idempotent. It logs through
// terraform-plugin-log but never imports terraform-plugin-framework.
package pimclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultBaseURL is the Graph v1.0 endpoint of the global cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// TokenSource returns a bearer token for Graph. Implementations cache and
// refresh tokens themselves; the client asks once per HTTP attempt.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a fixed bearer token (for the emulator or a token obtained
// elsewhere, e.g. `az account get-access-token`).
type StaticToken string

// Token implements TokenSource.
func (t StaticToken) Token(context.Context) (string, error) {
	if t == "" {
		return "", errors.New("no access token configured")
	}
	return string(t), nil
}

// Options configure a Client.
type Options struct {
	// BaseURL is the Graph root including the version segment, e.g.
	// https://graph.microsoft.com/v1.0 or http://127.0.0.1:8080/v1.0.
	BaseURL     string
	TokenSource TokenSource
	// HTTPClient is the underlying client; defaults to a pooled cleanhttp one.
	HTTPClient *http.Client
	UserAgent  string
	// RetryMax bounds retries of one call (default 4). RetryWaitMin and
	// RetryWaitMax bound the backoff when Graph sends no Retry-After.
	RetryMax     int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
}

// Client calls Microsoft Graph.
type Client struct {
	base      *url.URL
	tokens    TokenSource
	http      *retryablehttp.Client
	userAgent string
}

// New returns a Client. It does no I/O.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("invalid Graph base URL %q: want an absolute URL such as %s", opts.BaseURL, DefaultBaseURL)
	}
	if opts.TokenSource == nil {
		return nil, errors.New("no token source configured")
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil // logging goes through tflog hooks below
	if opts.HTTPClient != nil {
		rc.HTTPClient = opts.HTTPClient
	} else {
		rc.HTTPClient = cleanhttp.DefaultPooledClient()
	}
	rc.RetryMax = 4
	if opts.RetryMax > 0 {
		rc.RetryMax = opts.RetryMax
	}
	if opts.RetryWaitMin > 0 {
		rc.RetryWaitMin = opts.RetryWaitMin
	}
	if opts.RetryWaitMax > 0 {
		rc.RetryWaitMax = opts.RetryWaitMax
	}
	rc.CheckRetry = checkRetry
	// Keep the last response when retries run out, so the caller gets Graph's
	// error (code, message, request-id) rather than "giving up after N attempts".
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.RequestLogHook = func(_ retryablehttp.Logger, req *http.Request, attempt int) {
		tflog.Debug(req.Context(), "Sending Graph request", map[string]any{
			"method": req.Method, "url": req.URL.String(), "attempt": attempt + 1,
		})
	}
	rc.ResponseLogHook = func(_ retryablehttp.Logger, resp *http.Response) {
		tflog.Debug(resp.Request.Context(), "Received Graph response", map[string]any{
			"method": resp.Request.Method, "url": resp.Request.URL.String(),
			"status": resp.StatusCode, "graph_request_id": resp.Header.Get("request-id"),
		})
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "terraform-provider-pim"
	}
	return &Client{base: base, tokens: opts.TokenSource, http: rc, userAgent: ua}, nil
}

type methodKey struct{}

// checkRetry is retryablehttp's default policy for idempotent calls (GET,
// and PATCH of a whole policy rule), narrowed for POST: a 5xx after a POST may
// mean Graph accepted the request, so a blind retry could create a second
// request. POSTs retry only on 429 and on errors that prove the request never
// left (dial failures).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	method, _ := ctx.Value(methodKey{}).(string)
	if method == http.MethodGet || method == http.MethodPatch || method == "" {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return true, nil
		}
		return false, err
	}
	return resp.StatusCode == http.StatusTooManyRequests, nil
}

// do sends one Graph call. path is relative to the base URL unless it is an
// absolute URL (an @odata.nextLink, which must be followed verbatim).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	target := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u := *c.base
		u.Path = c.base.Path + path
		u.RawQuery = query.Encode()
		target = u.String()
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
	}
	clientRequestID := uuid.NewString()
	ctx = context.WithValue(ctx, methodKey{}, method)
	ctx = tflog.SetField(ctx, "graph_client_request_id", clientRequestID)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization", "access_token", "client_secret", "client_assertion")

	token, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("getting a Graph access token: %w", err)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("client-request-id", clientRequestID)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, redactURL(target), err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading response: %w", method, redactURL(target), err)
	}
	if resp.StatusCode >= 400 {
		return newAPIError(method, target, resp, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding response: %w", method, redactURL(target), err)
	}
	return nil
}

func newAPIError(method, target string, resp *http.Response, data []byte) *APIError {
	apiErr := &APIError{
		StatusCode:      resp.StatusCode,
		Method:          method,
		Path:            redactURL(target),
		RequestID:       resp.Header.Get("request-id"),
		ClientRequestID: resp.Header.Get("client-request-id"),
	}
	var env errorEnvelope
	if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
		apiErr.Code = env.Error.Code
		apiErr.Message = env.Error.Message
		apiErr.Date = env.Error.InnerError.Date
		if apiErr.RequestID == "" {
			apiErr.RequestID = env.Error.InnerError.RequestID
		}
		if apiErr.ClientRequestID == "" {
			apiErr.ClientRequestID = env.Error.InnerError.ClientRequestID
		}
	} else {
		apiErr.Message = strings.TrimSpace(string(bytes.ToValidUTF8(truncate(data, 512), nil)))
	}
	return apiErr
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// redactURL drops the query string: filters are noise in error text and
// skip tokens are opaque server state.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// list reads every page of a collection, following @odata.nextLink.
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var all []T
	next := path
	for next != "" {
		var p page[T]
		if err := c.do(ctx, http.MethodGet, next, query, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Value...)
		next, query = p.NextLink, nil
	}
	return all, nil
}
