package provider

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

type payloadKey struct{}

// A call's values (its loggers) are there while it runs and gone when it
// returns; its context is cancelled then, as gRPC cancels the call's own.
func TestDetachedContextServesValuesOnlyDuringTheCall(t *testing.T) {
	rpc := context.WithValue(t.Context(), payloadKey{}, "logger")
	ctx, done := detach(rpc)
	if ctx.Value(payloadKey{}) != "logger" || ctx.Err() != nil {
		t.Fatalf("during the call: value %v, err %v", ctx.Value(payloadKey{}), ctx.Err())
	}
	child, cancel := context.WithCancel(ctx) // as the framework derives one
	defer cancel()
	done()
	if ctx.Value(payloadKey{}) != nil || child.Value(payloadKey{}) != nil {
		t.Errorf("after the call the context still serves the call's values")
	}
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("after the call: err %v, child err %v; want canceled", ctx.Err(), child.Err())
	}
}

// Cancelling the call (Terraform interrupted) cancels what runs on the
// detached context: in-flight Graph calls stop.
func TestDetachedContextFollowsTheCallsCancellation(t *testing.T) {
	rpc, cancelRPC := context.WithCancelCause(t.Context())
	ctx, done := detach(rpc)
	defer done()
	cause := errors.New("interrupted")
	cancelRPC(cause)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the detached context was not cancelled with the call's")
	}
	if !errors.Is(context.Cause(ctx), cause) {
		t.Errorf("cause = %v, want %v", context.Cause(ctx), cause)
	}
}

// A deadline of the call is the detached context's while the call runs.
func TestDetachedContextKeepsTheCallsDeadline(t *testing.T) {
	want := time.Now().Add(time.Hour)
	rpc, cancel := context.WithDeadline(t.Context(), want)
	defer cancel()
	ctx, done := detach(rpc)
	defer done()
	if got, ok := ctx.Deadline(); !ok || !got.Equal(want) {
		t.Errorf("deadline = %v, %v; want %v", got, ok, want)
	}
}

// Streams (list results, action progress) are produced after the call
// returns: their context lives, with its values, until they are drained.
func TestDetachedStreamsKeepTheirContextUntilDrained(t *testing.T) {
	var seen []string
	check := func(ctx context.Context, what string) {
		if ctx.Err() != nil || ctx.Value(payloadKey{}) != "logger" {
			seen = append(seen, what+": context ended before the stream was drained")
		}
	}
	next := &streamingServer{check: check}
	s := detachedServer{next}
	rpc := context.WithValue(t.Context(), payloadKey{}, "logger")
	list, err := s.ListResource(rpc, &tfprotov6.ListResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range list.Results {
		check(next.ctx, "list result")
	}
	if next.ctx.Err() == nil {
		t.Error("the list's context outlived its stream")
	}
	action, err := s.InvokeAction(rpc, &tfprotov6.InvokeActionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range action.Events {
		check(next.ctx, "action event")
	}
	if next.ctx.Err() == nil {
		t.Error("the action's context outlived its stream")
	}
	for _, s := range seen {
		t.Error(s)
	}
}

type streamingServer struct {
	protocolServer
	ctx   context.Context
	check func(context.Context, string)
}

func (s *streamingServer) ListResource(ctx context.Context, _ *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	s.ctx = ctx
	return &tfprotov6.ListResourceServerStream{Results: func(yield func(tfprotov6.ListResourceResult) bool) {
		for range 3 {
			s.check(ctx, "list")
			if !yield(tfprotov6.ListResourceResult{}) {
				return
			}
		}
	}}, nil
}

func (s *streamingServer) InvokeAction(ctx context.Context, _ *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	s.ctx = ctx
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		s.check(ctx, "action")
		yield(tfprotov6.InvokeActionEvent{})
	}}, nil
}

// What the framework keeps of each call is small: 2,000 reads whose
// contexts carry 16 KiB each leave at most a few hundred bytes apiece
// (terraform-plugin-framework v1.19.0 alone keeps all 16 KiB; see
// internal/perf's TestFrameworkRetainsRequestContexts).
func TestDetachedServerDoesNotKeepCalls(t *testing.T) {
	srv := detachedServer{providerserver.NewProtocol6(noopProvider{})().(protocolServer)} //nolint:forcetypeassert // the framework's server
	ctx := t.Context()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
	state, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x")}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	const n, payload = 2000, 16 << 10
	before := liveHeap()
	for range n {
		rpc := context.WithValue(ctx, payloadKey{}, make([]byte, payload))
		if _, err := srv.ReadResource(rpc, &tfprotov6.ReadResourceRequest{TypeName: "noop_thing", CurrentState: &state}); err != nil {
			t.Fatal(err)
		}
	}
	perCall := (int64(liveHeap()) - int64(before)) / n
	runtime.KeepAlive(srv) // what it keeps is what is measured
	t.Logf("each call keeps %d bytes alive", perCall)
	if perCall > 2<<10 {
		t.Errorf("each call keeps %d bytes alive until StopProvider; want well under the 16 KiB its context carried", perCall)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, r *fwprovider.MetadataResponse) {
	r.TypeName = "noop"
}
func (noopProvider) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {}
func (noopProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}
func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return noopResource{} }}
}

type noopResource struct{}

func (noopResource) Metadata(_ context.Context, _ resource.MetadataRequest, r *resource.MetadataResponse) {
	r.TypeName = "noop_thing"
}
func (noopResource) Schema(_ context.Context, _ resource.SchemaRequest, r *resource.SchemaResponse) {
	r.Schema = schema.Schema{Attributes: map[string]schema.Attribute{"id": schema.StringAttribute{Required: true}}}
}
func (noopResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (noopResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (noopResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (noopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// Logging keeps working on a detached context: what a call logs, at every
// level, reaches the call's logger with the call's fields; a goroutine that
// outlives its call logs nothing (its context has no logger any more).
func TestDetachedContextKeepsTheCallsLogging(t *testing.T) {
	var buf bytes.Buffer
	rpc := tflog.SetField(tflogtest.RootLogger(t.Context(), &buf), "tf_rpc", "ReadResource")
	var outlived context.Context
	_, _ = call(rpc, func(ctx context.Context, _ struct{}) (struct{}, error) {
		tflog.Trace(ctx, "trace line")
		tflog.Debug(ctx, "debug line", map[string]any{"principal": "alice"})
		tflog.Info(ctx, "info line")
		tflog.Warn(ctx, "warn line")
		tflog.Error(ctx, "error line")
		outlived = ctx
		return struct{}{}, nil
	}, struct{}{})
	tflog.Info(outlived, "after the call")
	lines, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 5 {
		t.Fatalf("%d log lines, want the call's 5: %v", len(lines), lines)
	}
	for i, level := range []string{"trace", "debug", "info", "warn", "error"} {
		if lines[i]["@level"] != level || lines[i]["tf_rpc"] != "ReadResource" {
			t.Errorf("line %d = %v, want level %s with the call's field", i, lines[i], level)
		}
	}
	if lines[1]["principal"] != "alice" {
		t.Errorf("the line's own field is missing: %v", lines[1])
	}
}
