package provider_test

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

// protocol drives the provider server the way Terraform does, one protocol
// call at a time: for what the CLI on this machine (1.11) cannot show, such
// as how many warnings one plan of several resources gets.
type protocol struct {
	t       *testing.T
	srv     tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// newProtocol starts a provider server configured for env with token.
func newProtocol(t *testing.T, env *acctest.Env, token string) *protocol {
	t.Helper()
	return newProtocolWith(t, env, nil, provider.WithAccessToken(token))
}

// newProtocolWith starts a provider server for env configured with the
// provider block's attributes.
func newProtocolWith(t *testing.T, env *acctest.Env, block map[string]tftypes.Value, opts ...provider.Option) *protocol {
	t.Helper()
	opts = append([]provider.Option{provider.WithEndpoint(env.URL), provider.WithClock(env.Clock), provider.WithPollInterval(time.Second)}, opts...)
	srv, err := server(provider.NewProtocol6Server("test", opts...))()
	if err != nil {
		t.Fatal(err)
	}
	p := &protocol{t: t, srv: srv}
	p.schemas, err = srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.value(p.schemas.Provider, block)
	resp, err := srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: cfg})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return p
}

// value encodes an object of the schema: the attributes given, null for
// the others.
func (p *protocol) value(s *tfprotov6.Schema, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	typ, _ := s.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// planCreate plans a new resource of the type from its configuration.
func (p *protocol) planCreate(typeName string, attrs map[string]tftypes.Value) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	s := p.schemas.ResourceSchemas[typeName]
	cfg := p.value(s, attrs)
	prior := p.null(s)
	resp, err := p.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: prior, ProposedNewState: cfg, Config: cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

func (p *protocol) null(s *tfprotov6.Schema) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(s.ValueType(), tftypes.NewValue(s.ValueType(), nil))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// planned decodes one string attribute of a planned state; ok is false
// when it is unknown or null.
func (p *protocol) planned(typeName string, resp *tfprotov6.PlanResourceChangeResponse, attr string) (string, bool) {
	p.t.Helper()
	v, err := resp.PlannedState.Unmarshal(p.schemas.ResourceSchemas[typeName].ValueType())
	if err != nil {
		p.t.Fatal(err)
	}
	var obj map[string]tftypes.Value
	if err := v.As(&obj); err != nil {
		p.t.Fatal(err)
	}
	a := obj[attr]
	if !a.IsKnown() || a.IsNull() {
		return "", false
	}
	var s string
	if err := a.As(&s); err != nil {
		p.t.Fatal(err)
	}
	return s, true
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// summaries lists the diagnostics' severities and summaries.
func summaries(diags []*tfprotov6.Diagnostic) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = d.Severity.String() + ": " + d.Summary
	}
	return out
}

// read refreshes a resource from a state given by its attributes.
func (p *protocol) read(typeName string, state map[string]tftypes.Value) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName,
		CurrentState: p.value(p.schemas.ResourceSchemas[typeName], state)})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// planUpdate plans a change of an existing resource: Terraform proposes the
// prior state overlaid with the configuration.
func (p *protocol) planUpdate(typeName string, prior, config map[string]tftypes.Value) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	s := p.schemas.ResourceSchemas[typeName]
	proposed := map[string]tftypes.Value{}
	for k, v := range prior {
		proposed[k] = v
	}
	for k, v := range config {
		proposed[k] = v
	}
	resp, err := p.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
		PriorState: p.value(s, prior), ProposedNewState: p.value(s, proposed), Config: p.value(s, config)})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// planDestroy plans the destroy of a resource in prior state.
func (p *protocol) planDestroy(typeName string, prior *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	s := p.schemas.ResourceSchemas[typeName]
	resp, err := p.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
		PriorState: prior, ProposedNewState: p.null(s), Config: p.null(s)})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// warning returns the detail of the diagnostic with the summary, "" if none.
func warning(diags []*tfprotov6.Diagnostic, summary string) string {
	for _, d := range diags {
		if d.Summary == summary {
			return d.Detail
		}
	}
	return ""
}

// object builds a value of an object type: the attributes given, null for
// the others.
func object(typ tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	o, _ := typ.(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range o.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	return tftypes.NewValue(o, vals)
}

// attrType is the type of a top-level attribute of a resource.
func (p *protocol) attrType(typeName, attr string) tftypes.Type {
	o, _ := p.schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	return o.AttributeTypes[attr]
}

// importAndRead imports a resource by id and refreshes it, as terraform
// import does.
func (p *protocol) importAndRead(typeName, id string) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	imp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil || hasErrors(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		p.t.Fatalf("import %s: %v %v", id, err, summaries(imp.Diagnostics))
	}
	got := imp.ImportedResources[0]
	resp, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: got.State, Private: got.Private})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// listed is one result of a list resource, decoded.
type listResult struct {
	display  string
	identity map[string]tftypes.Value
	resource map[string]tftypes.Value
	diags    []*tfprotov6.Diagnostic
}

// list runs a list resource (terraform query) and collects its results.
func (p *protocol) list(typeName string, config map[string]tftypes.Value, includeResource bool, limit int64) []listResult {
	p.t.Helper()
	s, ok := p.schemas.ListResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no list resource %s in the provider schema", typeName)
	}
	lister, ok := p.srv.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	stream, err := lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{TypeName: typeName,
		Config: p.value(s, config), IncludeResource: includeResource, Limit: limit})
	if err != nil {
		p.t.Fatal(err)
	}
	var out []listResult
	for r := range stream.Results {
		lr := listResult{display: r.DisplayName, diags: r.Diagnostics}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			lr.identity = p.decode(r.Identity.IdentityData, p.identityType(typeName))
		}
		if r.Resource != nil {
			lr.resource = p.decode(r.Resource, p.schemas.ResourceSchemas[typeName].ValueType())
		}
		out = append(out, lr)
	}
	return out
}

func (p *protocol) identityType(typeName string) tftypes.Type {
	p.t.Helper()
	resp, err := p.srv.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		p.t.Fatal(err)
	}
	s := resp.IdentitySchemas[typeName]
	if s == nil {
		p.t.Fatalf("no identity schema for %s", typeName)
	}
	return s.ValueType()
}

func (p *protocol) decode(dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
	p.t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		p.t.Fatal(err)
	}
	return m
}

// invoke runs an action and returns its progress messages and the final
// diagnostics.
func (p *protocol) invoke(typeName string, config map[string]tftypes.Value) ([]string, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	s, ok := p.schemas.ActionSchemas[typeName]
	if !ok {
		p.t.Fatalf("no action %s in the provider schema", typeName)
	}
	invoker, ok := p.srv.(tfprotov6.ActionServer)
	if !ok {
		p.t.Fatal("the provider server does not serve actions")
	}
	stream, err := invoker.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ActionType: typeName, Config: p.value(s.Schema, config)})
	if err != nil {
		p.t.Fatal(err)
	}
	var msgs []string
	var diags []*tfprotov6.Diagnostic
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			msgs = append(msgs, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			diags = e.Diagnostics
		}
	}
	return msgs, diags
}

// strOf reads a string value ("" when null or unknown).
func strOf(v tftypes.Value) string {
	var s string
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	return s
}

// identity encodes an identity of the resource type.
func (p *protocol) identity(typeName string, attrs map[string]tftypes.Value) *tfprotov6.ResourceIdentityData {
	p.t.Helper()
	typ, _ := p.identityType(typeName).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// importByIdentity imports by an `identity` block and refreshes, returning
// the state.
func (p *protocol) importByIdentity(typeName string, attrs map[string]tftypes.Value) map[string]tftypes.Value {
	p.t.Helper()
	imp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typeName, Identity: p.identity(typeName, attrs)})
	if err != nil || hasErrors(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		p.t.Fatalf("import by identity: %v %v", err, summaries(imp.Diagnostics))
	}
	got := imp.ImportedResources[0]
	resp, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: got.State,
		CurrentIdentity: got.Identity, Private: got.Private})
	if err != nil || hasErrors(resp.Diagnostics) {
		p.t.Fatalf("read after import: %v %v", err, summaries(resp.Diagnostics))
	}
	if resp.NewIdentity == nil {
		p.t.Fatal("read returned no identity")
	}
	return p.decode(resp.NewState, p.schemas.ResourceSchemas[typeName].ValueType())
}
