package provider

import (
	"context"
	"fmt"
	"iter"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server is the provider as Terraform's plugin protocol 6 serves
// it: the framework's server, each call on a detached context.
//
// Why: terraform-plugin-framework v1.19.0's proto6server keeps the cancel
// function of every call's context (registerContext) until StopProvider, and
// with it the whole context chain: the call's logger copies and their
// fields, about 125 KB a resource, so a plan of 1,000 assignments held over
// 150 MB. The framework gets a context of our own instead, cancelled when the
// call's context is (Ctrl-C stops in-flight Graph calls), whose values (the
// loggers) are served only while the call runs. What the framework keeps is
// then a few hundred bytes. internal/perf's TestFrameworkRetainsRequestContexts
// reproduces the retention; when it reports that the framework no longer
// retains contexts, this wrapper can go (docs/guides/performance.md).
func NewProtocol6Server(version string, opts ...Option) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		srv := providerserver.NewProtocol6(New(version, opts...)())()
		next, ok := srv.(protocolServer)
		if !ok {
			panic(fmt.Sprintf("the framework's server (%T) serves no list resources or actions", srv))
		}
		return detachedServer{next}
	}
}

// protocolServer is what the framework's server implements.
type protocolServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// callContext is a call's context as the framework sees it: cancelled with
// the call's own context, answering Value only until the call returns.
type callContext struct {
	// Context is a cancellable context of our own: it answers Done, Err and
	// the context package's lookup of the cancellation to derive from.
	context.Context
	rpc atomic.Pointer[context.Context]
}

// Value is the call's value (its loggers, for one) while the call runs;
// afterwards nil, as a context without them: a goroutine that outlives its
// call logs nothing.
func (c *callContext) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	if rpc := c.rpc.Load(); rpc != nil {
		return (*rpc).Value(key)
	}
	return nil
}

// Deadline is the call's deadline while the call runs.
func (c *callContext) Deadline() (time.Time, bool) {
	if rpc := c.rpc.Load(); rpc != nil {
		return (*rpc).Deadline()
	}
	return time.Time{}, false
}

// detach returns the context a call runs on, and done, which ends it when
// the call returns: its values are dropped and it is cancelled, as gRPC
// cancels the call's own context.
func detach(rpc context.Context) (context.Context, func()) {
	own, cancel := context.WithCancelCause(context.Background())
	c := &callContext{Context: own}
	c.rpc.Store(&rpc)
	stop := context.AfterFunc(rpc, func() { cancel(context.Cause(rpc)) })
	return c, func() {
		stop()
		c.rpc.Store(nil)
		cancel(context.Canceled)
	}
}

// call runs one unary call on a detached context.
func call[Req, Resp any](ctx context.Context, f func(context.Context, Req) (Resp, error), req Req) (Resp, error) {
	ctx, done := detach(ctx)
	defer done()
	return f(ctx, req)
}

// stream keeps a streaming call's context alive until its stream is drained.
func stream[T any](seq iter.Seq[T], done func()) iter.Seq[T] {
	if seq == nil {
		done()
		return nil
	}
	return func(yield func(T) bool) {
		defer done()
		seq(yield)
	}
}

type detachedServer struct{ next protocolServer }

var _ protocolServer = detachedServer{}

func (s detachedServer) GetMetadata(ctx context.Context, r *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return call(ctx, s.next.GetMetadata, r)
}

func (s detachedServer) GetProviderSchema(ctx context.Context, r *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return call(ctx, s.next.GetProviderSchema, r)
}

func (s detachedServer) GetResourceIdentitySchemas(ctx context.Context, r *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return call(ctx, s.next.GetResourceIdentitySchemas, r)
}

func (s detachedServer) ValidateProviderConfig(ctx context.Context, r *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return call(ctx, s.next.ValidateProviderConfig, r)
}

func (s detachedServer) ConfigureProvider(ctx context.Context, r *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return call(ctx, s.next.ConfigureProvider, r)
}

func (s detachedServer) StopProvider(ctx context.Context, r *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return call(ctx, s.next.StopProvider, r)
}

func (s detachedServer) ValidateResourceConfig(ctx context.Context, r *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return call(ctx, s.next.ValidateResourceConfig, r)
}

func (s detachedServer) UpgradeResourceState(ctx context.Context, r *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return call(ctx, s.next.UpgradeResourceState, r)
}

func (s detachedServer) ReadResource(ctx context.Context, r *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return call(ctx, s.next.ReadResource, r)
}

func (s detachedServer) PlanResourceChange(ctx context.Context, r *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return call(ctx, s.next.PlanResourceChange, r)
}

func (s detachedServer) ApplyResourceChange(ctx context.Context, r *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return call(ctx, s.next.ApplyResourceChange, r)
}

func (s detachedServer) ImportResourceState(ctx context.Context, r *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return call(ctx, s.next.ImportResourceState, r)
}

func (s detachedServer) MoveResourceState(ctx context.Context, r *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return call(ctx, s.next.MoveResourceState, r)
}

func (s detachedServer) UpgradeResourceIdentity(ctx context.Context, r *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return call(ctx, s.next.UpgradeResourceIdentity, r)
}

func (s detachedServer) GenerateResourceConfig(ctx context.Context, r *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return call(ctx, s.next.GenerateResourceConfig, r)
}

func (s detachedServer) ValidateDataResourceConfig(ctx context.Context, r *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return call(ctx, s.next.ValidateDataResourceConfig, r)
}

func (s detachedServer) ReadDataSource(ctx context.Context, r *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return call(ctx, s.next.ReadDataSource, r)
}

func (s detachedServer) CallFunction(ctx context.Context, r *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return call(ctx, s.next.CallFunction, r)
}

func (s detachedServer) GetFunctions(ctx context.Context, r *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return call(ctx, s.next.GetFunctions, r)
}

func (s detachedServer) ValidateEphemeralResourceConfig(ctx context.Context, r *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return call(ctx, s.next.ValidateEphemeralResourceConfig, r)
}

func (s detachedServer) OpenEphemeralResource(ctx context.Context, r *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return call(ctx, s.next.OpenEphemeralResource, r)
}

func (s detachedServer) RenewEphemeralResource(ctx context.Context, r *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return call(ctx, s.next.RenewEphemeralResource, r)
}

func (s detachedServer) CloseEphemeralResource(ctx context.Context, r *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return call(ctx, s.next.CloseEphemeralResource, r)
}

func (s detachedServer) ValidateListResourceConfig(ctx context.Context, r *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return call(ctx, s.next.ValidateListResourceConfig, r)
}

// ListResource streams its results after it returns: the context lives until
// the stream is drained.
func (s detachedServer) ListResource(ctx context.Context, r *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	ctx, done := detach(ctx)
	resp, err := s.next.ListResource(ctx, r)
	if err != nil || resp == nil {
		done()
		return resp, err
	}
	resp.Results = stream(resp.Results, done)
	return resp, nil
}

func (s detachedServer) ValidateActionConfig(ctx context.Context, r *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return call(ctx, s.next.ValidateActionConfig, r)
}

func (s detachedServer) PlanAction(ctx context.Context, r *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return call(ctx, s.next.PlanAction, r)
}

// InvokeAction streams its progress after it returns: the context lives
// until the stream is drained.
func (s detachedServer) InvokeAction(ctx context.Context, r *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	ctx, done := detach(ctx)
	resp, err := s.next.InvokeAction(ctx, r)
	if err != nil || resp == nil {
		done()
		return resp, err
	}
	resp.Events = stream(resp.Events, done)
	return resp, nil
}
