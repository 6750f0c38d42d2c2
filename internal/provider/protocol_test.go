package provider_test

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
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
	srv, err := providerserver.NewProtocol6WithError(provider.New("test", opts...)())()
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
