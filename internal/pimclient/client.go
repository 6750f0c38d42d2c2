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
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultBaseURL is the Graph v1.0 endpoint of the global cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// TokenSource returns a bearer token for Graph. Implementations cache and
// refresh tokens themselves; the client asks once per call, and the retries
// of that call reuse the token (Entra tokens live an hour or more, longer
// than any operation's timeout).
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

// Sleeper waits: the real clock, or a test's fake clock that advances
// instead of blocking, so that retry waits never slow a test down.
type Sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

type realSleeper struct{}

func (realSleeper) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Options configure a Client.
type Options struct {
	// BaseURL is the Graph root including the version segment, e.g.
	// https://graph.microsoft.com/v1.0 or http://127.0.0.1:8080/v1.0.
	BaseURL     string
	TokenSource TokenSource
	// HTTPClient is the underlying client; defaults to a pooled cleanhttp
	// one whose pool is as wide as MaxConcurrency.
	HTTPClient *http.Client
	UserAgent  string
	// RetryMax bounds retries of one call after a 5xx or a transport error
	// (default 4). A 429 is retried, after its Retry-After, for as long as
	// the call's context allows. RetryWaitMin and RetryWaitMax bound the
	// backoff when Graph sends no Retry-After.
	RetryMax     int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// MaxConcurrency caps the calls in flight to the tenant at once
	// (default DefaultMaxConcurrency): Graph throttles per app and tenant.
	MaxConcurrency int
	// Sleeper waits between retries (default: real time).
	Sleeper Sleeper
	// Now is the local clock (default: real time) that Graph's Date headers
	// are compared with (Client.Now).
	Now func() time.Time
	// ARMBaseURL is Azure Resource Manager's root (default
	// DefaultARMBaseURL), for PIM for Azure resources; ARMTokenSource its
	// tokens (for the ARM audience). Without ARMTokenSource, calls to ARM
	// fail with an error that says so.
	ARMBaseURL     string
	ARMTokenSource TokenSource
}

// DefaultMaxConcurrency is the default cap on calls in flight.
const DefaultMaxConcurrency = 8

// endpoint is an API the client calls: Graph, or Azure Resource Manager.
type endpoint struct {
	name   string
	base   *url.URL
	tokens TokenSource
}

// Client calls Microsoft Graph (and Azure Resource Manager for PIM for
// Azure resources).
type Client struct {
	graph     endpoint
	arm       endpoint
	http      *retryablehttp.Client
	userAgent string
	retryMax  int
	sleeper   Sleeper
	now       func() time.Time
	// serverOffset is Graph's clock minus the local one (nanoseconds), from
	// the Date header of the newest response.
	serverOffset atomic.Int64
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
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = DefaultMaxConcurrency
	}
	if opts.Sleeper == nil {
		opts.Sleeper = realSleeper{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 4
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil // logging goes through tflog hooks below
	rc.HTTPClient = httpClient(opts)
	// The retry budget is decided per call by checkRetry (a 429 is retried
	// until the context ends); this only keeps the loop finite.
	rc.RetryMax = 1 << 20
	if opts.RetryWaitMin > 0 {
		rc.RetryWaitMin = opts.RetryWaitMin
	}
	if opts.RetryWaitMax > 0 {
		rc.RetryWaitMax = opts.RetryWaitMax
	}
	rc.CheckRetry = checkRetry
	rc.Backoff = backoff(opts.Sleeper)
	// Keep the last response when retries run out, so the caller gets Graph's
	// error (code, message, request-id) rather than "giving up after N attempts".
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.RequestLogHook = logRequest
	rc.ResponseLogHook = logResponse
	ua := opts.UserAgent
	if ua == "" {
		ua = "terraform-provider-pim"
	}
	armEP, err := armEndpoint(opts)
	if err != nil {
		return nil, err
	}
	return &Client{graph: endpoint{name: "Graph", base: base, tokens: opts.TokenSource}, arm: armEP, http: rc, userAgent: ua,
		retryMax: opts.RetryMax, sleeper: opts.Sleeper, now: opts.Now}, nil
}

// httpClient is the pooled client with the concurrency cap in front of its
// transport; the pool keeps as many idle connections as calls may be in
// flight, so that no call pays for a new TLS handshake needlessly.
func httpClient(opts Options) *http.Client {
	c := opts.HTTPClient
	if c == nil {
		tr := cleanhttp.DefaultPooledTransport()
		tr.MaxIdleConnsPerHost = max(opts.MaxConcurrency, tr.MaxIdleConnsPerHost)
		tr.MaxIdleConns = max(tr.MaxIdleConns, opts.MaxConcurrency)
		c = &http.Client{Transport: tr}
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	limited := *c
	limited.Transport = &limiter{next: next, slots: make(chan struct{}, opts.MaxConcurrency)}
	return &limited
}

// limiter holds a call's slot while its round trip is under way.
type limiter struct {
	next  http.RoundTripper
	slots chan struct{}
}

func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-l.slots }()
	return l.next.RoundTrip(req)
}

// callInfo travels in a call's context: its method, and how many attempts
// it has made (the retry policy and the errors' Attempts read it).
type callInfo struct {
	method string
	// read marks a call that changes nothing (GETs, and POSTs that only
	// read, such as getByIds): retried like a GET.
	read bool
	// once marks a write that is not sent twice blindly (a PUT whose
	// second sending ARM refuses): retried only when it never left.
	once     bool
	attempts int
	retryMax int
}

type callInfoKey struct{}

func info(ctx context.Context) *callInfo {
	ci, _ := ctx.Value(callInfoKey{}).(*callInfo)
	if ci == nil {
		return &callInfo{}
	}
	return ci
}

func logRequest(_ retryablehttp.Logger, req *http.Request, attempt int) {
	info(req.Context()).attempts = attempt + 1
	tflog.Debug(req.Context(), "Sending Graph request", map[string]any{
		"method": req.Method, "url": req.URL.String(), "attempt": attempt + 1,
	})
}

func logResponse(_ retryablehttp.Logger, resp *http.Response) {
	tflog.Debug(resp.Request.Context(), "Received Graph response", map[string]any{
		"method": resp.Request.Method, "url": resp.Request.URL.String(),
		"status": resp.StatusCode, "graph_request_id": resp.Header.Get("request-id"),
	})
}

// checkRetry decides whether a call is tried again:
//   - 429 (throttled), always, after Retry-After, until the context ends:
//     Graph has not processed a throttled call;
//   - a transport error before the request left (dial), up to RetryMax;
//   - GET and PATCH (idempotent: the whole rule is sent) after 5xx or a
//     transport error, up to RetryMax times;
//   - POST never after a 5xx or a lost connection: Graph may have applied
//     it, and a blind retry could act twice. The caller resolves such an
//     outcome by reading (see Ambiguous).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ci := info(ctx)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return ci.attempts <= ci.retryMax, nil
		}
		if !ci.read && ci.once {
			return false, err
		}
		return ci.attempts <= ci.retryMax, nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case !ci.read && ci.once:
		return false, nil
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return ci.attempts <= ci.retryMax, nil
	}
	return false, nil
}

// backoff waits on the Sleeper: Retry-After when Graph sends one (429, 503),
// else exponential backoff; retryablehttp's own timer then fires at once.
// A wait after a transport error (no response, so no context here) is left
// to retryablehttp's timer.
func backoff(s Sleeper) retryablehttp.Backoff {
	return func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		wait := retryablehttp.DefaultBackoff(lo, hi, attempt, resp)
		if resp == nil || resp.Request == nil {
			return wait
		}
		_ = s.Sleep(resp.Request.Context(), wait) // a cancelled context ends the retry loop next
		return 0
	}
}

// do sends one Graph call. path is relative to the base URL unless it is an
// absolute URL (an @odata.nextLink, which must be followed verbatim).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.send(ctx, &c.graph, method, path, query, in, out)
}

// send sends one call to an endpoint.
func (c *Client) send(ctx context.Context, ep *endpoint, method, path string, query url.Values, in, out any) error {
	if ep.tokens == nil {
		return fmt.Errorf("%s %s: no %s credentials configured; set the provider's arm_endpoint and sign-in (see the Azure resource roles guide)", method, path, ep.name)
	}
	target := path
	if !strings.Contains(path, "://") {
		u := *ep.base
		u.Path = ep.base.Path + path
		u.RawQuery = query.Encode()
		target = u.String()
	} else if err := ep.sameEndpoint(path); err != nil {
		return err
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
	}
	clientRequestID := uuid.NewString()
	ci := &callInfo{method: method, read: method == http.MethodGet || readOnly(ctx), once: method == http.MethodPost || sendOnce(ctx), retryMax: c.retryMax}
	ctx = context.WithValue(ctx, callInfoKey{}, ci)
	ctx = tflog.SetField(ctx, "graph_client_request_id", clientRequestID)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization", "access_token", "client_secret", "client_assertion")

	token, err := ep.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("getting a %s access token: %w", ep.name, err)
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
		return &TransportError{Method: method, Path: redactURL(target), Attempts: ci.attempts, Err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	c.observeDate(resp.Header.Get("Date"))
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading response: %w", method, redactURL(target), err)
	}
	if resp.StatusCode >= 400 {
		apiErr := newAPIError(method, target, resp, data)
		apiErr.Attempts = ci.attempts
		return apiErr
	}
	if loc, ok := out.(*Location); ok {
		loc.URL = resp.Header.Get("Location")
		return nil
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
		RequestID:       firstHeader(resp.Header, "request-id", "x-ms-request-id"),
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

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
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

// Location receives, as the out of Do, the Location header of an answer
// that starts a long-running operation (202 Accepted).
type Location struct{ URL string }

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// Do sends one Graph call for the client packages of other areas (access
// reviews, alerts): path is relative to the base URL unless it is absolute
// (on the same endpoint); out, when a *Location, receives the Location header.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.do(ctx, method, path, query, in, out)
}

// List reads every page of a Graph collection, following @odata.nextLink.
func List[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	return list[T](ctx, c, path, query)
}

// Sleep waits on the client's Sleeper (a test's fake clock advances instead).
func (c *Client) Sleep(ctx context.Context, d time.Duration) error { return c.sleeper.Sleep(ctx, d) }

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

// Now is Graph's time: the local clock corrected by how far the Date header
// of Graph's newest response was from it (the local clock before any
// response). Decisions about expiry use it, so a CI runner whose clock is
// off, or an emulator whose clock was moved, judges time as Graph does.
func (c *Client) Now() time.Time { return c.now().Add(time.Duration(c.serverOffset.Load())) }

// observeDate records Graph's clock from a Date header. A Date header has
// one-second resolution: within two seconds the clocks are the same.
func (c *Client) observeDate(header string) {
	t, err := http.ParseTime(header)
	if err != nil {
		return
	}
	off := t.Sub(c.now())
	if off > -2*time.Second && off < 2*time.Second {
		off = 0
	}
	c.serverOffset.Store(int64(off))
}

// sameEndpoint refuses an absolute URL (an @odata.nextLink) that names
// another scheme or host than the configured endpoint: the bearer token goes
// only to the endpoint it was configured for, as Microsoft's SDKs allow only
// their Graph hosts.
func (ep *endpoint) sameEndpoint(link string) error {
	u, err := url.Parse(link)
	if err == nil && strings.EqualFold(u.Scheme, ep.base.Scheme) && strings.EqualFold(u.Host, ep.base.Host) {
		return nil
	}
	return fmt.Errorf("refusing to follow %s: it is not on the configured %s endpoint %s://%s, and following it would send "+
		"the access token elsewhere; check the endpoint setting, or report the response that named it", redactURL(link), ep.name, ep.base.Scheme, ep.base.Host)
}

type readOnlyKey struct{}

// asRead marks a POST that only reads (getByIds): Graph changes nothing,
// so it is retried after a 5xx or a lost connection like a GET.
func asRead(ctx context.Context) context.Context { return context.WithValue(ctx, readOnlyKey{}, true) }

// AsRead marks a write that is safe to repeat (a full-object PUT, a
// refresh): it is retried after a 5xx or a lost connection like a read.
func AsRead(ctx context.Context) context.Context { return asRead(ctx) }

func readOnly(ctx context.Context) bool { b, _ := ctx.Value(readOnlyKey{}).(bool); return b }

type onceKey struct{}

// asOnce marks a PUT that must not be sent twice blindly: ARM refuses a
// second schedule request of the same name, so its outcome, when lost, is
// read rather than sent again.
func asOnce(ctx context.Context) context.Context { return context.WithValue(ctx, onceKey{}, true) }

func sendOnce(ctx context.Context) bool { b, _ := ctx.Value(onceKey{}).(bool); return b }
