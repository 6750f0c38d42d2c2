//go:build perf

package perf

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A minimal reproduction, for an upstream report, of why a plan of 1,000
// resources holds ~100 MB: terraform-plugin-framework's proto6server keeps
// the cancel function of every RPC's context (registerContext), and with
// it the whole request context, until StopProvider. One no-op resource,
// N ReadResource calls whose contexts carry 16 KiB each (tf6server's
// loggers play that part in a real plugin): the heap grows by N x 16 KiB
// and only StopProvider releases it.

type noop struct{}

func (noop) Metadata(_ context.Context, _ provider.MetadataRequest, r *provider.MetadataResponse) {
	r.TypeName = "noop"
}
func (noop) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse)          {}
func (noop) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}
func (noop) DataSources(context.Context) []func() datasource.DataSource                        { return nil }
func (noop) Resources(context.Context) []func() resource.Resource {
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

type payloadKey struct{}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestFrameworkRetainsRequestContexts(t *testing.T) {
	srv := providerserver.NewProtocol6(noop{})()
	ctx := context.Background()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}
	state, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x")}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	const n, payload = 2000, 16 << 10
	before := heap()
	for range n {
		rpc := context.WithValue(ctx, payloadKey{}, make([]byte, payload))
		if _, err := srv.ReadResource(rpc, &tfprotov6.ReadResourceRequest{TypeName: "noop_thing", CurrentState: &state}); err != nil {
			t.Fatal(err)
		}
	}
	during := heap()
	if _, err := srv.StopProvider(ctx, &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	after := heap()
	perCall := float64(during-before) / n
	fmt.Printf("retention: %d ReadResource calls kept %.1f KiB each alive (%.0f MiB) until StopProvider released %.0f MiB\n",
		n, perCall/1024, float64(during-before)/(1<<20), float64(during-after)/(1<<20))
	if perCall < payload/2 {
		t.Logf("the framework no longer retains request contexts (%.0f bytes per call)", perCall)
	}
}
