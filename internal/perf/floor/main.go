// Command terraform-provider-floor is the physical floor of an external
// provider, for make bench only: one resource with exactly the schema of
// pim_eligible_assignment whose operations do nothing. Terraform's gRPC and
// schema work per resource is what a plan of it costs; the benchmark
// divides the real provider's plan by it.
package main

import (
	"context"
	"log"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/logging"
	pim "github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
)

func main() {
	logging.Quiet() // the same log levels as the real provider
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &floor{} }, providerserver.ServeOpts{
		Address: "registry.terraform.io/perf/floor", ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

type floor struct{}

func (*floor) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (*floor) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse)          {}
func (*floor) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}
func (*floor) DataSources(context.Context) []func() datasource.DataSource                        { return nil }
func (*floor) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &assignment{real: pim.NewEligibleAssignmentResource()} }}
}

// assignment has the real resource's schema and does nothing.
type assignment struct{ real resource.Resource }

func (*assignment) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_eligible_assignment"
}

func (a *assignment) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	a.real.Schema(ctx, req, resp)
}

func (*assignment) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	for name, v := range map[string]string{"id": uuid.NewString(), "status": "Provisioned", "principal_display_name": "User",
		"principal_type": "user", "principal_user_principal_name": "user@contoso.example", "role_display_name": "Global Reader"} {
		var cur types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(name), &cur)...)
		if cur.IsUnknown() {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
		}
	}
	var start timetypes.RFC3339
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("start_date_time"), &start)...)
	if start.IsUnknown() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("start_date_time"), timetypes.NewRFC3339ValueMust("2030-01-01T00:00:00Z"))...)
	}
}

func (*assignment) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (*assignment) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (*assignment) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
